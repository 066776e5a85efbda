// Small string helpers the parsers share.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth {

// Every piece between `sep`s, empty ones included: split("a::b", ':') is {"a", "", "b"}.
std::vector<std::string> split(std::string_view s, char sep);
// Without leading and trailing whitespace.
std::string_view trim(std::string_view s);
// True for a non-empty run of ASCII digits only.
bool all_digits(std::string_view s);
// A --filter label=KEY[=VALUE]: KEY is set (to VALUE, when given).
bool label_matches(const std::map<std::string, std::string>& labels, std::string_view want);
// `n` random lowercase hex digits (container, volume and pod ids; not for secrets).
std::string random_hex(size_t n);
// Levenshtein distance (insertions, deletions, substitutions), for "Did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace berth

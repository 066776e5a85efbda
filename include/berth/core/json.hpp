// JSON at the edges: untrusted input never throws out of here.
#pragma once

#include <map>
#include <string>
#include <vector>
#include <string_view>

#include <nlohmann/json.hpp>

#include "berth/core/error.hpp"

namespace berth {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// Parses untrusted text. Refuses nesting deeper than `max_depth` before parsing (a 10,000-deep
// document must not reach a recursive consumer), and anything that is not JSON.
Result<Json> parse_json(std::string_view text, std::string_view what, int max_depth = 200);

// Field access that cannot throw: a missing key or a wrong type gives the fallback.
std::string json_str(const Json& j, std::string_view key, std::string fallback = "");
long long json_int(const Json& j, std::string_view key, long long fallback = 0);
const Json& json_obj(const Json& j, std::string_view key);  // null Json when absent
// The strings of an array / the string values of an object; anything else is skipped.
std::vector<std::string> json_strings(const Json& j);
std::map<std::string, std::string> json_string_map(const Json& j);

// Compact dump that never throws on invalid UTF-8 (replaces it).
std::string dump_json(const Json& j, int indent = -1);
std::string dump_json(const OrderedJson& j, int indent = -1);

}  // namespace berth

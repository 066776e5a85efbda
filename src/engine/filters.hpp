// --filter key=value, as images, ps and events take it.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::engine::detail {

struct KeyFilter {
  std::string key, value;
};

// Splits "key=value" filters; a key not in `known` is a usage error.
inline Result<std::vector<KeyFilter>> parse_key_filters(const std::vector<std::string>& raw,
                                                        std::initializer_list<std::string_view> known) {
  std::vector<KeyFilter> out;
  for (const auto& f : raw) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return fail(Errc::usage, "invalid filter \"{}\": expected key=value", f);
    KeyFilter x{f.substr(0, eq), f.substr(eq + 1)};
    bool ok = false;
    for (auto k : known) ok |= x.key == k;
    if (!ok) return fail(Errc::usage, "invalid filter \"{}\": unknown key", x.key);
    out.push_back(std::move(x));
  }
  return out;
}

// Filters of one key are alternatives (OR); different keys must all match (AND), as podman.
template <class Match>
bool match_key_filters(const std::vector<KeyFilter>& filters, Match&& one) {
  std::map<std::string, bool> by_key;
  for (const auto& f : filters) by_key[f.key] = by_key[f.key] || one(f);
  for (const auto& [k, m] : by_key)
    if (!m) return false;
  return true;
}

}  // namespace berth::engine::detail

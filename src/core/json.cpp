#include "berth/core/json.hpp"

#include <climits>

namespace berth {

namespace {

// Depth of [ and { outside strings; stops early once over the limit.
bool too_deep(std::string_view t, int max_depth) {
  int depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < t.size(); i++) {
    char c = t[i];
    if (in_str) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"')
      in_str = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      depth--;
    }
  }
  return false;
}

}  // namespace

Result<Json> parse_json(std::string_view text, std::string_view what, int max_depth) {
  if (too_deep(text, max_depth))
    return fail(Errc::invalid_input, "{}: JSON nested deeper than {} levels", what, max_depth);
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return fail(Errc::invalid_input, "{}: not valid JSON", what);
  return j;
}

std::string json_str(const Json& j, std::string_view key, std::string fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::vector<std::string> json_strings(const Json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

std::map<std::string, std::string> json_string_map(const Json& j) {
  std::map<std::string, std::string> out;
  if (j.is_object())
    for (const auto& [k, v] : j.items())
      if (v.is_string()) out[k] = v.get<std::string>();
  return out;
}

long long json_int(const Json& j, std::string_view key, long long fallback) {
  if (!j.is_object()) return fallback;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return fallback;
  // Untrusted documents: a huge unsigned or a float outside long long's range (converting
  // it would be undefined) is no number.
  if (it->is_number_unsigned()) {
    auto u = it->get<unsigned long long>();
    return u > static_cast<unsigned long long>(LLONG_MAX) ? fallback : static_cast<long long>(u);
  }
  if (it->is_number_float()) {
    double d = it->get<double>();
    if (!(d >= -9.2e18 && d <= 9.2e18)) return fallback;
    return static_cast<long long>(d);
  }
  return it->get<long long>();
}

const Json& json_obj(const Json& j, std::string_view key) {
  static const Json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}

std::string dump_json(const Json& j, int indent) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }
std::string dump_json(const OrderedJson& j, int indent) {
  return j.dump(indent, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace berth

// toml++ -> nlohmann::json.
#include "berth/core/toml.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <sstream>
// Header-only and without exceptions: parse errors are values, and nothing is thrown from a
// shared library through berth's own (static) unwinder.
// Its internal assertions fire on some malformed input (found by tests/fuzz, kept as a
// regression), and under NDEBUG they become optimizer assumptions: both are off, and the
// parser goes on to report the input as an error.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

namespace berth {

namespace {

Json to_json(const toml::node& n) {
  if (const auto* t = n.as_table()) {
    Json o = Json::object();
    for (const auto& [k, v] : *t) o[std::string(k.str())] = to_json(v);
    return o;
  }
  if (const auto* a = n.as_array()) {
    Json arr = Json::array();
    for (const auto& v : *a) arr.push_back(to_json(v));
    return arr;
  }
  if (const auto* s = n.as_string()) return s->get();
  if (const auto* i = n.as_integer()) return i->get();
  if (const auto* f = n.as_floating_point()) return f->get();
  if (const auto* b = n.as_boolean()) return b->get();
  std::ostringstream text;  // dates and times
  n.visit([&](const auto& v) { text << v; });
  return text.str();
}

// toml++ 3.3 reaches __builtin_unreachable() (undefined behaviour) when it asks whether a code
// point of these ranges is whitespace (is_non_ascii_horizontal_whitespace; found by
// tests/fuzz): such text is refused before it is parsed. Config files of hostnames and paths
// do not use them.
std::optional<size_t> unsafe_for_tomlpp(std::string_view s) {
  for (size_t i = 0; i < s.size(); i++) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0xc0) continue;  // ASCII or a continuation byte
    size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : 4;
    if (i + n > s.size()) return std::nullopt;  // toml++ refuses the broken UTF-8 itself
    std::uint32_t cp = c & (0x7f >> n);
    for (size_t k = 1; k < n; k++) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    bool bad =
        (cp > 0xa0 && cp < 0x49a) || (cp >= 0x2c6e && cp < 0x3068 && cp != 0x3000) || (cp >= 0xfbc6 && cp < 0xfeff);
    if (bad) return i;
  }
  return std::nullopt;
}

}  // namespace

Result<Json> toml_document(std::string_view text, std::string_view what) {
  if (auto at = unsafe_for_tomlpp(text))
    return fail(Errc::invalid_input, "{}: a character berth's TOML parser cannot take (byte {})", what, *at);
  toml::parse_result r = toml::parse(text, what);
  if (!r)
    return fail(Errc::invalid_input, "{}: line {}: {}", what, r.error().source().begin.line, r.error().description());
  return to_json(r.table());
}

}  // namespace berth

// toml++ -> nlohmann::json.
#include "berth/core/toml.hpp"

#include <fmt/format.h>

#include <sstream>
// Header-only and without exceptions: parse errors are values, and nothing is thrown from a
// shared library through berth's own (static) unwinder.
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#include <toml++/toml.h>

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

}  // namespace

Result<Json> toml_document(std::string_view text, std::string_view what) {
  toml::parse_result r = toml::parse(text, what);
  if (!r)
    return fail(Errc::invalid_input, "{}: line {}: {}", what, r.error().source().begin.line, r.error().description());
  return to_json(r.table());
}

}  // namespace berth

// toml++ -> nlohmann::json.
#include "berth/core/toml.hpp"

#include <fmt/format.h>

#include <sstream>
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
  try {
    return to_json(toml::parse(text, what));
  } catch (const toml::parse_error& e) {
    return fail(Errc::invalid_input, "{}: line {}: {}", what, e.source().begin.line, e.description());
  }
}

}  // namespace berth

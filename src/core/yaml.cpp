// yaml-cpp <-> nlohmann::json.
#include "berth/core/yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace berth {

namespace {

// YAML 1.2 core schema, as Kubernetes (sigs.k8s.io/yaml) reads a plain scalar.
Json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  long long i = 0;
  const char* end = s.data() + s.size();
  const char* b = s.data() + (s.front() == '+' ? 1 : 0);
  if (auto r = std::from_chars(b, end, i); r.ec == std::errc() && r.ptr == end) return i;
  double d = 0;
  if (s.find_first_of("0123456789") != std::string::npos && s.find_first_not_of("0123456789.eE+-") == std::string::npos)
    if (auto r = std::from_chars(b, end, d); r.ec == std::errc() && r.ptr == end && std::isfinite(d)) return d;
  return s;
}

Result<Json> to_json(const YAML::Node& n, int depth, int max_depth) {
  if (depth > max_depth) return fail(Errc::invalid_input, "nested deeper than {} levels", max_depth);
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return Json(nullptr);
    case YAML::NodeType::Scalar: return n.Tag() == "!" ? Json(n.Scalar()) : plain_scalar(n.Scalar());
    case YAML::NodeType::Sequence: {
      Json a = Json::array();
      for (const auto& item : n) a.push_back(TRY(to_json(item, depth + 1, max_depth)));
      return a;
    }
    case YAML::NodeType::Map: {
      Json o = Json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) return fail(Errc::invalid_input, "a mapping key that is not a scalar");
        o[kv.first.Scalar()] = TRY(to_json(kv.second, depth + 1, max_depth));
      }
      return o;
    }
  }
  return Json(nullptr);
}

// Also YAML 1.1's yes/no and timestamps, which other readers (PyYAML, go-yaml v2) still type.
bool reads_as_other(const std::string& s) {
  bool date = s.size() >= 10 && s[4] == '-' && s[7] == '-' &&
              std::all_of(s.begin(), s.begin() + 4, [](char ch) { return ch >= '0' && ch <= '9'; });
  return !plain_scalar(s).is_string() || s == "yes" || s == "no" || s == "on" || s == "off" || date;
}

template <class J>
void emit(YAML::Emitter& out, const J& j) {
  if ((j.is_object() || j.is_array()) && j.empty()) {  // {} and [] on the key's line
    out << YAML::Flow << (j.is_object() ? YAML::BeginMap : YAML::BeginSeq)
        << (j.is_object() ? YAML::EndMap : YAML::EndSeq);
  } else if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      out << YAML::Key;
      if (reads_as_other(k)) out << YAML::DoubleQuoted;
      out << k << YAML::Value;
      emit(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    out << YAML::BeginSeq;
    for (const auto& v : j) emit(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    const auto& s = j.template get_ref<const std::string&>();
    if (reads_as_other(s)) out << YAML::DoubleQuoted;
    out << s;
  } else if (j.is_boolean()) {
    out << (j.template get<bool>() ? "true" : "false");
  } else if (j.is_number_integer()) {
    out << j.template get<long long>();
  } else if (j.is_number_unsigned()) {
    out << j.template get<unsigned long long>();
  } else if (j.is_number_float()) {
    out << j.dump();
  } else {
    out << YAML::Null;
  }
}

template <class J>
std::string dump(const J& j) {
  YAML::Emitter out;
  out.SetNullFormat(YAML::LowerNull);
  out.SetIndent(2);
  out.SetSeqFormat(YAML::Block);
  out.SetMapFormat(YAML::Block);
  if (j.is_object() && j.empty()) return "{}\n";
  if (j.is_array() && j.empty()) return "[]\n";
  emit(out, j);
  return std::string(out.c_str()) + "\n";
}

}  // namespace

Result<std::vector<Json>> yaml_documents(std::string_view text, std::string_view what, int max_depth) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_input, "{}: yaml: line {}: {}", what, e.mark.line + 1, e.msg);
  }
  std::vector<Json> out;
  for (const auto& d : docs) {
    if (d.IsNull()) continue;
    auto j = to_json(d, 0, max_depth);
    if (!j) return fail(Errc::invalid_input, "{}: yaml: {}", what, j.error().message);
    out.push_back(std::move(*j));
  }
  return out;
}

std::string yaml_dump(const OrderedJson& j) { return dump(j); }
std::string yaml_dump(const Json& j) { return dump(j); }

}  // namespace berth

// yaml-cpp <-> nlohmann::json.
#include "berth/core/yaml.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <cstdint>

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

// Builds JSON straight from the parser's events (no YAML::Node graph): nesting is capped, and
// so is the number of values, which an alias repeats ("billion laughs": a few lines of anchors
// that expand to gigabytes). An error stops the building; the parser's remaining events for
// the document are ignored.
class JsonBuilder : public YAML::EventHandler {
 public:
  JsonBuilder(int max_depth, size_t max_values) : max_depth_(max_depth), budget_(max_values) {}

  std::optional<std::string> error;
  std::optional<Json> root;
  bool empty_document = true;  // only a null at the root (the parser made no progress?)
  size_t null_pos = 0;

  void OnDocumentStart(const YAML::Mark&) override {
    root.reset();
    stack_.clear();
    empty_document = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    null_pos = mark.pos;
    add(Json(nullptr), anchor, false);
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return fail_with("an alias to an unknown anchor");
    add(it->second.first, 0, false, it->second.second);
  }
  void OnScalar(const YAML::Mark&, const std::string& tag, YAML::anchor_t anchor, const std::string& value) override {
    bool text = tag == "!" || tag == "tag:yaml.org,2002:str";
    add(text ? Json(value) : plain_scalar(value), anchor, true);
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Json::array(), anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(Json::object(), anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    Json value;
    YAML::anchor_t anchor = 0;
    size_t count = 1;  // values in it (for an alias's cost)
    std::optional<std::string> key;
  };

  void fail_with(std::string m) {
    if (!error) error = std::move(m);
  }
  void open(Json v, YAML::anchor_t anchor) {
    if (error) return;
    empty_document = false;
    if (static_cast<int>(stack_.size()) >= max_depth_)
      return fail_with(fmt::format("nested deeper than {} levels", max_depth_));
    stack_.push_back({std::move(v), anchor, 1, std::nullopt});
  }
  void close() {
    if (error || stack_.empty()) return;
    Open o = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(o.value), o.anchor, false, o.count);
  }
  // A finished value into its parent; `count` values charged against the budget.
  void add(Json v, YAML::anchor_t anchor, bool scalar, size_t count = 1) {
    if (error) return;
    if (!v.is_null()) empty_document = false;
    if (count > budget_) return fail_with("more values than berth reads in one document (aliases repeat theirs)");
    budget_ -= count;
    if (anchor) anchors_[anchor] = {v, count};
    if (stack_.empty()) {
      root = std::move(v);
      return;
    }
    Open& top = stack_.back();
    top.count += count;
    if (top.value.is_array()) {
      top.value.push_back(std::move(v));
    } else if (!top.key) {
      if (!scalar && !v.is_null()) return fail_with("a mapping key that is not a scalar");
      top.key = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
    } else {
      top.value[*top.key] = std::move(v);
      top.key.reset();
    }
  }

  int max_depth_;
  size_t budget_;
  std::vector<Open> stack_;
  std::map<YAML::anchor_t, std::pair<Json, size_t>> anchors_;
};

// Also YAML 1.1's yes/no and timestamps, which other readers (PyYAML, go-yaml v2) still type,
// and text a plain scalar would not keep (control characters, leading or trailing spaces).
bool reads_as_other(const std::string& s) {
  bool date = s.size() >= 10 && s[4] == '-' && s[7] == '-' &&
              std::all_of(s.begin(), s.begin() + 4, [](char ch) { return ch >= '0' && ch <= '9'; });
  bool control =
      std::any_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
  bool edge_space = !s.empty() && (s.front() == ' ' || s.back() == ' ');
  return !plain_scalar(s).is_string() || s == "yes" || s == "no" || s == "on" || s == "off" || date || control ||
         edge_space;
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

// YAML is Unicode text of printable characters (YAML 1.2 c-printable: tab, line breaks and no
// other control character): a stream that is not is refused whole, as Kubernetes refuses it,
// rather than carried into names, env and files. The first bad byte's offset and what is wrong.
std::optional<std::pair<size_t, const char*>> bad_text(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return std::pair{i, "not valid UTF-8"};
    std::uint32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (size_t k = 1; k < n; k++) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return std::pair{i, "not valid UTF-8"};
      cp = (cp << 6) | (cc & 0x3f);
    }
    bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::pair{i, "not valid UTF-8"};
    bool control = (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7f ||
                   (cp >= 0x80 && cp <= 0x9f && cp != 0x85) || cp == 0xfffe || cp == 0xffff;
    if (control) return std::pair{i, "a control character"};
    i += n;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<Json>> yaml_documents(std::string_view text, std::string_view what, int max_depth) {
  if (auto bad = bad_text(text))
    return fail(Errc::invalid_input, "{}: yaml: {} (byte {})", what, bad->second, bad->first);
  std::vector<Json> out;
  std::istringstream in{std::string(text)};
  JsonBuilder b(max_depth, 1'000'000);
  std::optional<size_t> last_empty;
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(b)) {
      if (b.error) return fail(Errc::invalid_input, "{}: yaml: {}", what, *b.error);
      if (b.empty_document) {
        // yaml-cpp 0.7 can report empty documents forever at a token it cannot use (a stray
        // ","): the same place twice is that, not a stream of empty documents.
        if (last_empty == b.null_pos)
          return fail(Errc::invalid_input, "{}: yaml: unexpected text at byte {}", what, b.null_pos);
        last_empty = b.null_pos;
        continue;
      }
      last_empty.reset();
      if (b.root) out.push_back(std::move(*b.root));
      if (out.size() > 10'000) return fail(Errc::invalid_input, "{}: yaml: more than 10000 documents", what);
    }
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_input, "{}: yaml: line {}: {}", what, e.mark.line + 1, e.msg);
  }
  return out;
}

std::string yaml_dump(const OrderedJson& j) { return dump(j); }
std::string yaml_dump(const Json& j) { return dump(j); }

}  // namespace berth

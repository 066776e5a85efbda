#include "berth/core/strings.hpp"
#include "berth/core/template.hpp"

#include <algorithm>
#include <cctype>

namespace berth {

namespace {

std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[i + 1];
      if (n == 't') {
        out += '\t';
        i++;
        continue;
      }
      if (n == 'n') {
        out += '\n';
        i++;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> w;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
    if (i >= s.size()) break;
    if (s[i] == '"') {
      size_t j = s.find('"', i + 1);
      if (j == std::string_view::npos) j = s.size();
      w.emplace_back(s.substr(i, j + 1 - i));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) j++;
      w.emplace_back(s.substr(i, j - i));
      i = j;
    }
  }
  return w;
}

Result<std::vector<std::string>> parse_path(std::string_view p) {
  if (p.empty() || p[0] != '.') return fail(Errc::usage, "template: expected a field, got \"{}\"", p);
  std::vector<std::string> out;
  if (p == ".") return out;
  size_t i = 1;
  while (i <= p.size()) {
    size_t j = p.find('.', i);
    if (j == std::string_view::npos) j = p.size();
    auto part = p.substr(i, j - i);
    if (part.empty()) return fail(Errc::usage, "template: bad field \"{}\"", p);
    out.emplace_back(part);
    i = j + 1;
  }
  return out;
}

const Json* lookup(const Json& dot, const std::vector<std::string>& path) {
  const Json* cur = &dot;
  for (const auto& key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) {
      // Go's templates match exported fields exactly; accept any case for convenience.
      const Json* found = nullptr;
      for (auto jt = cur->begin(); jt != cur->end(); ++jt) {
        std::string a = jt.key(), b = key;
        std::transform(a.begin(), a.end(), a.begin(), ::tolower);
        std::transform(b.begin(), b.end(), b.begin(), ::tolower);
        if (a == b) {
          found = &jt.value();
          break;
        }
      }
      if (!found) return nullptr;
      cur = found;
    } else {
      cur = &*it;
    }
  }
  return cur;
}

std::string unquote(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return std::string(s.substr(1, s.size() - 2));
  return std::string(s);
}

Result<Template::Node> parse_action(std::string_view body) {
  using Node = Template::Node;
  std::string_view b = trim(body);
  // (index .X "key").Field.Field: a field of what index yields
  if (b.starts_with("(index ")) {
    auto close = b.rfind(')');
    if (close == std::string_view::npos) return fail(Errc::usage, "template: unclosed left paren");
    Node n = TRY(parse_action(b.substr(1, close - 1)));
    std::string_view rest = b.substr(close + 1);
    if (!rest.empty()) {
      if (rest.find_first_of(" \t") != std::string_view::npos)
        return fail(Errc::usage, "template: unexpected \"{}\" after index", rest);
      n.tail = TRY(parse_path(rest));
    }
    return n;
  }
  // A pipeline `ARG | fn` is `fn ARG` (one stage, as the formats scripts use).
  if (auto bar = b.rfind('|'); bar != std::string_view::npos && b.find('"') == std::string_view::npos) {
    std::string_view fn = trim(b.substr(bar + 1));
    std::string_view arg = trim(b.substr(0, bar));
    if (fn.empty() || arg.empty() || fn.find_first_of(" \t") != std::string_view::npos)
      return fail(Errc::usage, "template: bad pipeline \"{}\"", b);
    return parse_action(fmt::format("{} {}", fn, arg));
  }
  auto words = split_words(b);
  if (words.empty()) return fail(Errc::usage, "template: empty action");
  const std::string& fn = words[0];
  if (fn == "end" && words.size() == 1) return Node{Node::end, {}, "", 0, {}};
  if (fn[0] == '.' && words.size() == 1) return Node{Node::field, TRY(parse_path(fn)), "", 0, {}};
  auto need = [&](size_t n) -> Result<void> {
    if (words.size() != n) return fail(Errc::usage, "template: wrong number of args for {}", fn);
    return {};
  };
  if (fn == "json") {
    TRY(need(2));
    return Node{Node::json_fn, TRY(parse_path(words[1])), "", 0, {}};
  }
  if (fn == "upper") {
    TRY(need(2));
    return Node{Node::upper_fn, TRY(parse_path(words[1])), "", 0, {}};
  }
  if (fn == "len") {
    TRY(need(2));
    return Node{Node::len_fn, TRY(parse_path(words[1])), "", 0, {}};
  }
  if (fn == "lower") {
    TRY(need(2));
    return Node{Node::lower_fn, TRY(parse_path(words[1])), "", 0, {}};
  }
  if (fn == "range") {
    TRY(need(2));
    return Node{Node::range, TRY(parse_path(words[1])), "", 0, {}};
  }
  if (fn == "index") {
    TRY(need(3));
    return Node{Node::index_fn, TRY(parse_path(words[1])), unquote(words[2]), 0, {}};
  }
  if (fn == "join") {
    TRY(need(3));
    return Node{Node::join_fn, TRY(parse_path(words[1])), unquote(words[2]), 0, {}};
  }
  return fail(Errc::usage, "template: function \"{}\" not defined", fn);
}

}  // namespace

std::string go_string(const Json& v) {
  if (v.is_null()) return "<no value>";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); i++) out += (i ? " " : "") + go_string(v[i]);
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "map[";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      out += (first ? "" : " ") + it.key() + ":" + go_string(it.value());
      first = false;
    }
    return out + "]";
  }
  return dump_json(v);
}

Result<Template> Template::parse(std::string_view text) {
  Template t;
  std::string src = unescape(text);
  std::string_view s = src;
  if (s.starts_with("table")) {
    t.table_ = true;
    s.remove_prefix(5);
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  }
  std::vector<size_t> open;
  while (!s.empty()) {
    auto b = s.find("{{");
    if (b != 0) {
      t.nodes_.push_back({Node::text, {}, std::string(s.substr(0, b)), 0, {}});
      if (b == std::string_view::npos) break;
      s.remove_prefix(b);
    }
    auto e = s.find("}}");
    if (e == std::string_view::npos) return fail(Errc::usage, "template: unclosed action");
    auto body = s.substr(2, e - 2);
    if (!body.empty() && body.front() == '-') body.remove_prefix(1);
    if (!body.empty() && body.back() == '-') body.remove_suffix(1);
    Node n = TRY(parse_action(body));
    if (n.kind == Node::range) open.push_back(t.nodes_.size());
    if (n.kind == Node::end) {
      if (open.empty()) return fail(Errc::usage, "template: unexpected {{{{end}}}}");
      t.nodes_[open.back()].end_at = t.nodes_.size();
      open.pop_back();
    }
    t.nodes_.push_back(std::move(n));
    s.remove_prefix(e + 2);
  }
  if (!open.empty()) return fail(Errc::usage, "template: unexpected EOF, missing {{{{end}}}}");
  // A table's columns may be parted by spaces ("table {{.A}} {{.B}}"): they align as tabs do.
  if (t.table_)
    for (size_t i = 1; i + 1 < t.nodes_.size(); i++) {
      Node& n = t.nodes_[i];
      if (n.kind == Node::text && !n.arg.empty() && n.arg.find_first_not_of(' ') == std::string::npos &&
          t.nodes_[i - 1].kind != Node::text && t.nodes_[i + 1].kind != Node::text)
        n.arg = "\t";
    }
  return t;
}

void Template::render_range(const Json& dot, size_t from, size_t to, std::string& out) const {
  for (size_t i = from; i < to; i++) {
    const Node& n = nodes_[i];
    const Json* v = n.kind == Node::text ? nullptr : lookup(dot, n.path);
    static const Json null_json;
    const Json& val = v ? *v : null_json;
    switch (n.kind) {
      case Node::text: out += n.arg; break;
      case Node::field: out += go_string(val); break;
      case Node::json_fn: out += dump_json(val); break;
      case Node::len_fn:  // Go's len: elements of an array or map, bytes of a string
        out += std::to_string(val.is_string() ? val.get<std::string>().size() : val.is_structured() ? val.size() : 0);
        break;
      case Node::upper_fn: {
        std::string s = go_string(val);
        std::transform(s.begin(), s.end(), s.begin(), ::toupper);
        out += s;
        break;
      }
      case Node::lower_fn: {
        std::string s = go_string(val);
        std::transform(s.begin(), s.end(), s.begin(), ::tolower);
        out += s;
        break;
      }
      case Node::index_fn: {
        const Json* hit = nullptr;
        if (val.is_object() && val.contains(n.arg))
          hit = &val[n.arg];
        else if (val.is_array() && !n.arg.empty() && std::all_of(n.arg.begin(), n.arg.end(), ::isdigit) &&
                 std::stoul(n.arg) < val.size())
          hit = &val[std::stoul(n.arg)];
        if (hit && !n.tail.empty()) hit = lookup(*hit, n.tail);
        if (hit)
          out += go_string(*hit);
        else if (!n.tail.empty())
          out += "<no value>";
        break;
      }
      case Node::join_fn:
        if (val.is_array())
          for (size_t k = 0; k < val.size(); k++) out += (k ? n.arg : "") + go_string(val[k]);
        else
          out += go_string(val);
        break;
      case Node::range:
        if (val.is_array() || val.is_object())
          for (const auto& item : val) render_range(item, i + 1, n.end_at, out);
        i = n.end_at;
        break;
      case Node::end: break;
    }
  }
}

std::string Template::render(const Json& dot) const {
  std::string out;
  render_range(dot, 0, nodes_.size(), out);
  return out;
}

std::string Template::header(const Json& titles) const {
  std::string out;
  for (const Node& n : nodes_) {
    if (n.kind == Node::text) {
      out += n.arg;
      continue;
    }
    if (n.kind == Node::end || n.path.empty()) continue;
    std::string name = n.path.back();
    if (titles.is_object() && titles.contains(name) && titles[name].is_string()) {
      out += titles[name].get<std::string>();
    } else {
      std::transform(name.begin(), name.end(), name.begin(), ::toupper);
      out += name;
    }
  }
  return out;
}

std::string tabulate(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::vector<std::string> cells;
    auto line = text.substr(start, nl - start);
    size_t c = 0;
    while (true) {
      size_t t = line.find('\t', c);
      cells.emplace_back(line.substr(c, t == std::string_view::npos ? t : t - c));
      if (t == std::string_view::npos) break;
      c = t + 1;
    }
    rows.push_back(std::move(cells));
    start = nl + 1;
  }
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i + 1 < r.size(); i++) {
      if (width.size() <= i) width.resize(i + 1, 0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); i++) {
      out += r[i];
      if (i + 1 < r.size()) out.append(std::max<size_t>(width[i] + 2, 12) - r[i].size(), ' ');
    }
    out += '\n';
  }
  return out;
}

}  // namespace berth

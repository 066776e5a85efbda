#include "berth/core/containerfile.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "berth/core/json.hpp"
#include "berth/core/strings.hpp"

namespace berth::containerfile {

namespace {

const std::set<std::string, std::less<>> kInstructions = {
    "FROM",       "RUN",    "CMD",  "LABEL",   "MAINTAINER", "EXPOSE",  "ENV",        "ADD",         "COPY",
    "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG",        "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"};

// The flags each instruction takes (BuildKit's); the others take none and keep "--x" as text.
const std::vector<std::string>* flags_of(std::string_view kw) {
  static const std::vector<std::string> from = {"platform"}, run = {"mount", "network", "security"},
                                        copy = {"from", "chown", "chmod", "link", "parents", "exclude"},
                                        add = {"chown", "chmod", "link", "checksum", "keep-git-dir", "exclude"};
  if (kw == "FROM") return &from;
  if (kw == "RUN") return &run;
  if (kw == "COPY") return &copy;
  if (kw == "ADD") return &add;
  return nullptr;
}

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
std::string_view rtrim(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "# escape=`" / "# syntax=..." at the very top: the key (lower case) and value, or nothing.
std::optional<std::pair<std::string, std::string>> directive(std::string_view line) {
  line = ltrim(line);
  if (!line.starts_with('#')) return std::nullopt;
  line = ltrim(line.substr(1));
  auto eq = line.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string key(rtrim(line.substr(0, eq)));
  if (key.empty() || key.find_first_of(" \t") != std::string::npos) return std::nullopt;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::pair{key, std::string(rtrim(ltrim(line.substr(eq + 1))))};
}

// A line ending in the escape character (then blanks) continues on the next one.
bool continues(std::string_view line, char esc) {
  line = rtrim(line);
  return !line.empty() && line.back() == esc;
}

// <<EOF, <<-EOF, <<"EOF", <<'EOF' in a RUN/COPY/ADD line: the delimiters, in order.
struct HeredocMark {
  std::string name;
  bool strip_tabs, expand;
};
std::vector<HeredocMark> heredoc_marks(std::string_view s) {
  std::vector<HeredocMark> out;
  size_t i = 0;
  while ((i = s.find("<<", i)) != std::string_view::npos) {
    size_t j = i + 2;
    bool strip = j < s.size() && s[j] == '-';
    if (strip) j++;
    char q = j < s.size() && (s[j] == '"' || s[j] == '\'') ? s[j] : 0;
    if (q) j++;
    size_t k = j;
    while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_')) k++;
    if (k > j && (!q || (k < s.size() && s[k] == q))) {
      out.push_back({std::string(s.substr(j, k - j)), strip, q == 0});
      i = k + (q ? 1 : 0);
    } else {
      i += 2;
    }
  }
  return out;
}

struct Lines {
  std::vector<std::string_view> v;
  size_t next = 0;
  bool done() const { return next >= v.size(); }
};

Result<void> read_heredocs(Instruction& in, Lines& lines, std::string_view file) {
  for (const auto& m : heredoc_marks(in.args)) {
    Heredoc h{m.name, "", m.expand};
    bool closed = false;
    while (!lines.done()) {
      std::string_view l = lines.v[lines.next++];
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (m.strip_tabs)
        while (l.starts_with('\t')) l.remove_prefix(1);
      if (l == m.name) {
        closed = true;
        break;
      }
      h.content.append(l).push_back('\n');
    }
    if (!closed) return fail(Errc::usage, "{}:{}: heredoc <<{} has no end line \"{}\"", file, in.line, m.name, m.name);
    in.heredocs.push_back(std::move(h));
  }
  return {};
}

// The leading --flags of FROM, RUN, COPY and ADD.
Result<void> take_flags(Instruction& in, std::string_view file) {
  const auto* allowed = flags_of(in.keyword);
  if (!allowed) return {};
  std::string_view rest = ltrim(in.args);
  while (rest.starts_with("--")) {
    size_t end = rest.find_first_of(" \t");
    std::string_view tok = rest.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
    auto eq = tok.find('=');
    std::string name(tok.substr(0, eq));
    std::string value(eq == std::string_view::npos ? "" : tok.substr(eq + 1));
    if (std::find(allowed->begin(), allowed->end(), name) == allowed->end())
      return fail(Errc::usage, "{}:{}: unknown flag --{} for {}", file, in.line, name, in.keyword);
    in.flags.emplace_back(name, value);
    rest = end == std::string_view::npos ? std::string_view() : ltrim(rest.substr(end));
  }
  in.args = std::string(rest);
  return {};
}

void take_json(Instruction& in) {
  static const std::set<std::string, std::less<>> json_ok = {"RUN",  "CMD", "ENTRYPOINT", "SHELL",
                                                             "COPY", "ADD", "VOLUME"};
  if (!json_ok.contains(in.keyword) || !ltrim(in.args).starts_with('[')) return;
  auto j = parse_json(in.args, "exec form", 4);
  if (!j || !j->is_array()) return;  // not JSON: the shell form, as Docker falls back
  std::vector<std::string> a;
  for (const auto& e : *j) {
    if (!e.is_string()) return;
    a.push_back(e.get<std::string>());
  }
  in.json = true;
  in.json_args = std::move(a);
}

// One instruction from lines.next on (comments and blank lines inside continuations skipped).
Result<Instruction> read_instruction(Lines& lines, char esc, std::string_view file) {
  Instruction in;
  in.line = static_cast<int>(lines.next) + 1;
  std::string text;
  std::string_view l = ltrim(lines.v[lines.next++]);
  while (true) {
    if (!continues(l, esc)) {
      text.append(rtrim(l));
      break;
    }
    std::string_view body = rtrim(l);
    text.append(body.substr(0, body.size() - 1));
    // the next line that is neither blank nor a comment carries on
    while (!lines.done()) {
      std::string_view n = ltrim(rtrim(lines.v[lines.next]));
      if (!n.empty() && !n.starts_with('#')) break;
      lines.next++;
    }
    if (lines.done()) break;
    l = lines.v[lines.next++];
  }
  size_t sp = text.find_first_of(" \t");
  in.keyword = text.substr(0, sp);
  std::transform(in.keyword.begin(), in.keyword.end(), in.keyword.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (!kInstructions.contains(in.keyword))
    return fail(Errc::usage, "{}:{}: unknown instruction: {}", file, in.line, text.substr(0, sp));
  in.args = sp == std::string::npos ? "" : std::string(ltrim(std::string_view(text).substr(sp)));
  in.original = in.keyword + (in.args.empty() ? "" : " " + in.args);
  TRY(take_flags(in, file));
  if (in.keyword == "RUN" || in.keyword == "COPY" || in.keyword == "ADD") TRY(read_heredocs(in, lines, file));
  if (in.heredocs.empty()) take_json(in);
  return in;
}

}  // namespace

Result<File> parse(std::string_view text, std::string_view filename) {
  File f;
  Lines lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.v.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  // parser directives: only before anything else
  while (!lines.done()) {
    auto d = directive(lines.v[lines.next]);
    if (!d) break;
    if (d->first == "escape") {
      if (d->second != "\\" && d->second != "`")
        return fail(Errc::usage, "{}:{}: invalid escape token \"{}\": use \\ or `", filename, lines.next + 1,
                    d->second);
      f.escape = d->second[0];
    }
    lines.next++;
  }
  while (!lines.done()) {
    std::string_view l = ltrim(rtrim(lines.v[lines.next]));
    if (l.empty() || l.starts_with('#')) {
      lines.next++;
      continue;
    }
    f.instructions.push_back(TRY(read_instruction(lines, f.escape, filename)));
  }
  if (f.instructions.empty()) return fail(Errc::usage, "{}: file with no instructions", filename);
  return f;
}

// Docker's shell-word lexer.
namespace {

struct Lexer {
  Lexer(std::string_view text, const Lookup* v, char e, bool sp) : s(text), vars(v), esc(e), split(sp) {}
  std::string_view s;
  const Lookup* vars;
  char esc;
  bool split;
  size_t i = 0;
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;

  void add(char c, bool splittable) {
    if (split && splittable && (c == ' ' || c == '\t' || c == '\n')) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      return;
    }
    cur.push_back(c);
    in_word = true;
  }

  Result<void> run() {
    while (i < s.size()) {
      char c = s[i];
      if (c == esc) {
        in_word = true;
        if (i + 1 < s.size()) {
          add(s[i + 1], false);
          i += 2;
        } else {
          add(c, false);
          i++;
        }
      } else if (c == '\'') {
        in_word = true;
        size_t end = s.find('\'', i + 1);
        if (end == std::string_view::npos)
          return fail(Errc::usage, "unexpected end of statement while looking for matching single-quote");
        for (char ch : s.substr(i + 1, end - i - 1)) add(ch, false);
        i = end + 1;
      } else if (c == '"') {
        in_word = true;
        TRY(double_quoted());
      } else if (c == '$' && vars) {
        auto v = TRY(dollar());
        for (char ch : v) add(ch, true);
      } else {
        add(c, true);
        i++;
      }
    }
    if (in_word || !split) out.push_back(std::move(cur));
    return {};
  }

  Result<void> double_quoted() {
    i++;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == esc && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '$' || s[i + 1] == esc)) {
        add(s[i + 1], false);
        i += 2;
      } else if (s[i] == '$' && vars) {
        auto v = TRY(dollar());
        for (char ch : v) add(ch, false);
      } else {
        add(s[i++], false);
      }
    }
    if (i >= s.size()) return fail(Errc::usage, "unexpected end of statement while looking for matching double-quote");
    i++;
    return {};
  }

  static bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  // At '$': the value it stands for (i moves past it).
  Result<std::string> dollar() {
    i++;
    if (i < s.size() && s[i] == '{') return braced();
    size_t start = i;
    while (i < s.size() && name_char(s[i])) i++;
    if (i == start) return std::string("$");
    return value_of(s.substr(start, i - start)).value_or("");
  }

  std::optional<std::string> value_of(std::string_view name) const { return (*vars)(name); }

  Result<std::string> braced() {
    size_t open = i;
    int depth = 0;
    size_t close = std::string_view::npos;
    for (size_t k = open; k < s.size(); k++) {
      if (s[k] == esc) {
        k++;
        continue;
      }
      if (s[k] == '{') depth++;
      if (s[k] == '}' && --depth == 0) {
        close = k;
        break;
      }
    }
    if (close == std::string_view::npos) return fail(Errc::usage, "missing '}}' in \"{}\"", std::string(s));
    std::string_view inner = s.substr(open + 1, close - open - 1);
    i = close + 1;
    size_t n = 0;
    while (n < inner.size() && name_char(inner[n])) n++;
    std::string_view name = inner.substr(0, n), mod = inner.substr(n);
    if (name.empty()) return fail(Errc::usage, "bad substitution: ${{{}}}", std::string(inner));
    auto v = value_of(name);
    if (mod.empty()) return v.value_or("");
    bool colon = mod.starts_with(':');
    if (colon) mod.remove_prefix(1);
    if (mod.empty()) return fail(Errc::usage, "bad substitution: ${{{}}}", std::string(inner));
    char op = mod[0];
    std::string_view word = mod.substr(1);
    bool set = v && (!colon || !v->empty());
    auto sub = [&]() { return expand(word, vars, esc); };
    switch (op) {
      case '-': return set ? *v : TRY(sub());
      case '+': return set ? TRY(sub()) : std::string();
      case '?':
        if (!set)
          return fail(Errc::usage, "{}: {}", std::string(name),
                      word.empty() ? "is not allowed to be unset" : TRY(sub()));
        return *v;
      default: return fail(Errc::usage, "unsupported modifier ({}) in substitution ${{{}}}", op, std::string(inner));
    }
  }
};

}  // namespace

Result<std::string> expand(std::string_view word, const Lookup* vars, char escape) {
  Lexer lx{word, vars, escape, false};
  TRY(lx.run());
  return lx.out.empty() ? std::string() : lx.out[0];
}

Result<std::vector<std::string>> words(std::string_view s, const Lookup* vars, char escape) {
  Lexer lx{s, vars, escape, true};
  TRY(lx.run());
  return std::move(lx.out);
}

namespace {

// Splits at blanks outside quotes, keeping quotes and escapes (Docker's parseNameVal).
std::vector<std::string> raw_words(std::string_view s, char esc) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    if (!quote && (c == ' ' || c == '\t')) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    cur.push_back(c);
    if (c == esc && quote != '\'' && i + 1 < s.size()) {
      cur.push_back(s[++i]);
      continue;
    }
    if (quote && c == quote)
      quote = 0;
    else if (!quote && (c == '"' || c == '\''))
      quote = c;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

}  // namespace

Result<Pairs> pairs(std::string_view s, const Lookup* vars, char escape, bool legacy) {
  Pairs out;
  auto ws = raw_words(s, escape);
  if (ws.empty()) return out;
  if (legacy && ws[0].find('=') == std::string::npos) {
    // ENV k v w: one pair, the value the rest of the line
    std::string_view rest = ltrim(s);
    rest = ltrim(rest.substr(std::min(rest.size(), ws[0].size())));
    if (rest.empty()) return fail(Errc::usage, "{} needs a value (or use {}=value)", ws[0], ws[0]);
    out.emplace_back(ws[0], TRY(expand(rest, vars, escape)));
    return out;
  }
  for (const auto& w : ws) {
    auto eq = w.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(TRY(expand(w, nullptr, escape)), std::nullopt);
      continue;
    }
    if (eq == 0) return fail(Errc::usage, "\"{}\": a name is needed before '='", w);
    out.emplace_back(TRY(expand(std::string_view(w).substr(0, eq), nullptr, escape)),
                     TRY(expand(std::string_view(w).substr(eq + 1), vars, escape)));
  }
  return out;
}

// --- .containerignore ---

namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); i++) {
    if (i) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

std::string clean_pattern(std::string_view p) {
  std::vector<std::string> parts;
  for (const auto& seg : split(p, '/')) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(seg);
  }
  return join(parts, "/");
}

bool match_segments(const std::vector<std::string>& pat, size_t pi, const std::vector<std::string>& path, size_t si) {
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      for (size_t k = si; k <= path.size(); k++)
        if (match_segments(pat, pi + 1, path, k)) return true;
      return false;
    }
    if (si >= path.size() || ::fnmatch(pat[pi].c_str(), path[si].c_str(), 0) != 0) return false;
    pi++;
    si++;
  }
  return si == path.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return match_segments(split(clean_pattern(pattern), '/'), 0, split(clean_pattern(path), '/'), 0);
}

IgnoreRules IgnoreRules::parse(std::string_view text) {
  IgnoreRules r;
  for (auto line : split(text, '\n')) {
    std::string_view l = rtrim(ltrim(line));
    if (l.empty() || l.starts_with('#')) continue;
    bool exclude = true;
    if (l.starts_with('!')) {
      exclude = false;
      l = ltrim(l.substr(1));
    }
    std::string p = clean_pattern(l);
    if (p.empty()) continue;
    r.rules_.push_back({p, exclude});
  }
  return r;
}

bool IgnoreRules::ignored(std::string_view path) const {
  std::string p = clean_pattern(path);
  auto segs = split(p, '/');
  bool ignored = false;
  for (const auto& rule : rules_) {
    auto pat = split(rule.pattern, '/');
    // the pattern names the path or one of its parent directories
    bool m = false;
    for (size_t n = 1; n <= segs.size() && !m; n++)
      m = match_segments(pat, 0, std::vector<std::string>(segs.begin(), segs.begin() + static_cast<long>(n)), 0);
    if (m) ignored = rule.exclude;
  }
  return ignored;
}

bool IgnoreRules::may_keep_below(std::string_view dir) const {
  std::string d = clean_pattern(dir);
  for (const auto& rule : rules_)
    if (!rule.exclude &&
        (d.empty() || rule.pattern.starts_with(d + "/") || rule.pattern.find('*') != std::string::npos))
      return true;
  return false;
}

}  // namespace berth::containerfile

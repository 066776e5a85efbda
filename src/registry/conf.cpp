#include "berth/registry/conf.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::registry {

namespace {

// One TOML value of the kinds registries.conf uses: a string, a boolean or an array of strings.
struct Value {
  std::optional<std::string> str;
  std::optional<bool> boolean;
  std::optional<std::vector<std::string>> list;
};

class Toml {
 public:
  Toml(std::string_view text, std::string_view what) : t_(text), what_(what) {}

  // Calls on_table for "[name]" / "[[name]]" headers and on_key for "key = value" lines.
  Result<void> parse(const std::function<Result<void>(const std::string& table, bool array)>& on_table,
                     const std::function<Result<void>(const std::string& key, const Value& v)>& on_key) {
    while (true) {
      skip_space_and_comments();
      if (i_ >= t_.size()) return {};
      if (t_[i_] == '[') {
        bool array = i_ + 1 < t_.size() && t_[i_ + 1] == '[';
        i_ += array ? 2 : 1;
        size_t end = t_.find(']', i_);
        if (end == std::string_view::npos) return err("unterminated table header");
        std::string name = trim(t_.substr(i_, end - i_));
        i_ = end + (array ? 2 : 1);
        TRY(on_table(name, array));
        TRY(end_of_line());
        continue;
      }
      std::string key = TRY(read_key());
      skip_blanks();
      if (i_ >= t_.size() || t_[i_] != '=') return err("expected '=' after \"" + key + "\"");
      i_++;
      skip_blanks();
      Value v = TRY(read_value());
      TRY(on_key(key, v));
      TRY(end_of_line());
    }
  }

 private:
  std::unexpected<Error> err(const std::string& m) const {
    return fail(Errc::invalid_input, "{}: line {}: {}", what_, line(), m);
  }
  int line() const {
    return 1 + static_cast<int>(std::count(t_.begin(), t_.begin() + static_cast<long>(std::min(i_, t_.size())), '\n'));
  }
  static std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    std::string o(s);
    if (o.size() >= 2 && o.front() == '"' && o.back() == '"') o = o.substr(1, o.size() - 2);
    return o;
  }
  void skip_blanks() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t')) i_++;
  }
  void skip_space_and_comments() {
    while (i_ < t_.size()) {
      if (std::isspace(static_cast<unsigned char>(t_[i_])))
        i_++;
      else if (t_[i_] == '#')
        while (i_ < t_.size() && t_[i_] != '\n') i_++;
      else
        break;
    }
  }
  Result<void> end_of_line() {
    skip_blanks();
    if (i_ < t_.size() && t_[i_] == '#')
      while (i_ < t_.size() && t_[i_] != '\n') i_++;
    if (i_ < t_.size() && t_[i_] != '\n' && t_[i_] != '\r') return err("unexpected text after a value");
    return {};
  }
  Result<std::string> read_string() {
    char q = t_[i_++];
    std::string out;
    while (i_ < t_.size() && t_[i_] != q) {
      if (t_[i_] == '\n') return err("unterminated string");
      if (q == '"' && t_[i_] == '\\' && i_ + 1 < t_.size()) {
        char e = t_[++i_];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        i_++;
        continue;
      }
      out += t_[i_++];
    }
    if (i_ >= t_.size()) return err("unterminated string");
    i_++;
    return out;
  }
  Result<std::string> read_key() {
    if (t_[i_] == '"' || t_[i_] == '\'') return read_string();
    size_t start = i_;
    while (i_ < t_.size() &&
           (std::isalnum(static_cast<unsigned char>(t_[i_])) || t_[i_] == '-' || t_[i_] == '_' || t_[i_] == '.'))
      i_++;
    if (i_ == start) return err("expected a key");
    return std::string(t_.substr(start, i_ - start));
  }
  Result<Value> read_value() {
    Value v;
    if (i_ >= t_.size()) return err("missing value");
    char c = t_[i_];
    if (c == '"' || c == '\'') {
      v.str = TRY(read_string());
    } else if (t_.substr(i_).starts_with("true")) {
      v.boolean = true;
      i_ += 4;
    } else if (t_.substr(i_).starts_with("false")) {
      v.boolean = false;
      i_ += 5;
    } else if (c == '[') {
      i_++;
      std::vector<std::string> items;
      while (true) {
        skip_space_and_comments();
        if (i_ >= t_.size()) return err("unterminated array");
        if (t_[i_] == ']') {
          i_++;
          break;
        }
        if (t_[i_] != '"' && t_[i_] != '\'') return err("arrays may hold only strings here");
        items.push_back(TRY(read_string()));
        skip_space_and_comments();
        if (i_ < t_.size() && t_[i_] == ',') i_++;
      }
      v.list = std::move(items);
    } else {
      // Numbers and anything else registries.conf does not need: read to the end of the line.
      while (i_ < t_.size() && t_[i_] != '\n' && t_[i_] != '#') i_++;
    }
    return v;
  }

  std::string_view t_;
  std::string what_;
  size_t i_ = 0;
};

std::string home() {
  const char* h = std::getenv("HOME");
  return h ? h : "";
}

bool user_config() { return sys::rootless() || ::getuid() != 0; }

Result<void> merge_file(RegistriesConf& c, const std::string& path) {
  auto text = sys::read_host_file(path, 1 << 20);
  if (!text) {
    if (text.error().sys_errno == ENOENT) return {};
    return std::unexpected(text.error());
  }
  return c.merge_text(*text, path);
}

Result<void> merge_dir(RegistriesConf& c, const std::string& dir) {
  auto names = sys::list_host_dir(dir);
  if (!names) return {};
  std::sort(names->begin(), names->end());
  for (const auto& n : *names)
    if (n.ends_with(".conf")) TRY(merge_file(c, dir + "/" + n));
  return {};
}

}  // namespace

Result<void> RegistriesConf::merge_text(std::string_view text, std::string_view what) {
  std::string table;
  RegistryEntry* current = nullptr;
  std::vector<RegistryEntry> added;
  Toml t(text, what);
  TRY(t.parse(
      [&](const std::string& name, bool array) -> Result<void> {
        table = name;
        current = nullptr;
        if (array && name == "registry") {
          added.emplace_back();
          current = &added.back();
        }
        return {};
      },
      [&](const std::string& key, const Value& v) -> Result<void> {
        auto want_str = [&]() -> Result<std::string> {
          if (!v.str) return fail(Errc::invalid_input, "{}: {} must be a string", what, key);
          return *v.str;
        };
        if (table.empty()) {
          if (key == "unqualified-search-registries") {
            if (!v.list) return fail(Errc::invalid_input, "{}: unqualified-search-registries must be an array", what);
            search = *v.list;
            search_set = true;
          } else if (key == "short-name-mode") {
            short_name_mode = TRY(want_str());
            if (short_name_mode != "enforcing" && short_name_mode != "permissive" && short_name_mode != "disabled")
              return fail(Errc::invalid_input, "{}: invalid short-name-mode \"{}\"", what, short_name_mode);
          }
          return {};  // other top-level keys (credential-helpers, ...) do not concern berth
        }
        if (table == "aliases") {
          aliases[key] = TRY(want_str());
          return {};
        }
        if (current && table == "registry") {
          if (key == "location")
            current->location = TRY(want_str());
          else if (key == "prefix")
            current->prefix = TRY(want_str());
          else if (key == "insecure")
            current->insecure = v.boolean.value_or(false);
          else if (key == "blocked")
            current->blocked = v.boolean.value_or(false);
        }
        return {};  // [[registry.mirror]] and others: mirrors are not used
      }));
  for (auto& e : added) {
    if (e.prefix.empty()) e.prefix = e.location;
    if (e.prefix.empty()) return fail(Errc::invalid_input, "{}: a [[registry]] has neither location nor prefix", what);
    std::erase_if(registries, [&](const RegistryEntry& old) { return old.prefix == e.prefix; });
    registries.push_back(e);
  }
  return {};
}

const RegistryEntry* RegistriesConf::find(const std::string& repository) const {
  const RegistryEntry* best = nullptr;
  for (const auto& e : registries) {
    const std::string& p = e.prefix;
    bool match = repository == p ||
                 (repository.starts_with(p) &&
                  (repository[p.size()] == '/' || repository[p.size()] == ':' || repository[p.size()] == '@'));
    if (p.starts_with("*.")) {  // wildcard subdomains
      std::string host = repository.substr(0, repository.find('/'));
      match = host.size() > p.size() - 1 && host.ends_with(p.substr(1));
    }
    if (match && (!best || p.size() > best->prefix.size())) best = &e;
  }
  return best;
}

Result<RegistriesConf> load_registries_conf() {
  RegistriesConf c;
  if (const char* env = std::getenv("CONTAINERS_REGISTRIES_CONF"); env && *env) {
    auto text = TRY(sys::read_host_file(env, 1 << 20));
    TRY(c.merge_text(text, env));
    return c;
  }
  std::string user = home() + "/.config/containers/registries.conf";
  bool use_user = user_config() && !home().empty() && sys::exists_at(AT_FDCWD, user);
  TRY(merge_file(c, use_user ? user : "/etc/containers/registries.conf"));
  TRY(merge_dir(c, "/etc/containers/registries.conf.d"));
  if (user_config() && !home().empty()) TRY(merge_dir(c, home() + "/.config/containers/registries.conf.d"));
  return c;
}

Result<std::vector<Reference>> pull_candidates(const RegistriesConf& c, std::string_view input, bool can_prompt) {
  auto ref = TRY(Reference::parse(input));
  if (!ref.domain.empty()) return std::vector<Reference>{TRY(Reference::normalize(input))};
  std::string suffix;
  if (!ref.tag.empty()) suffix += ":" + ref.tag;
  if (ref.digest) suffix += "@" + ref.digest->str();
  if (auto it = c.aliases.find(ref.path); it != c.aliases.end()) {
    auto aliased = TRY(context(Reference::parse(it->second), fmt::format("short-name alias \"{}\"", ref.path)));
    if (aliased.domain.empty())
      return fail(Errc::invalid_input, "short-name alias \"{}\" = \"{}\" is not a fully qualified reference", ref.path,
                  it->second);
    return std::vector<Reference>{TRY(Reference::normalize(it->second + suffix))};
  }
  std::vector<std::string> regs = c.search_set ? c.search : std::vector<std::string>{"docker.io"};
  if (regs.empty())
    return fail(Errc::not_found,
                "short-name \"{}\" did not resolve to an alias and no unqualified-search registries are defined in "
                "\"/etc/containers/registries.conf\"",
                std::string(input));
  std::string mode = c.short_name_mode.empty() ? "enforcing" : c.short_name_mode;
  if (mode == "enforcing" && regs.size() > 1 && !can_prompt)
    return fail(Errc::usage, "short-name resolution enforced but cannot prompt without a TTY (\"{}\")",
                std::string(input));
  std::vector<Reference> out;
  for (const auto& r : regs) {
    // Docker Hub keeps its official images under library/.
    bool hub = r == "docker.io" && ref.path.find('/') == std::string::npos;
    out.push_back(TRY(Reference::normalize(r + (hub ? "/library/" : "/") + ref.path + suffix)));
  }
  return out;
}

}  // namespace berth::registry

#include "berth/registry/conf.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "berth/core/toml.hpp"
#include "berth/sys/file.hpp"

namespace berth::registry {

namespace {

std::string home() {
  const char* h = std::getenv("HOME");
  return h ? h : "";
}

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

namespace {

Result<std::string> conf_string(const Json& j, std::string_view key, std::string_view what) {
  if (!j.is_string()) return fail(Errc::invalid_input, "{}: {} must be a string", what, key);
  return j.get<std::string>();
}

Result<RegistryEntry> registry_entry(const Json& t, std::string_view what) {
  RegistryEntry e;
  if (!t.is_object()) return fail(Errc::invalid_input, "{}: [[registry]] must be a table", what);
  if (t.contains("location")) e.location = TRY(conf_string(t["location"], "location", what));
  if (t.contains("prefix")) e.prefix = TRY(conf_string(t["prefix"], "prefix", what));
  e.insecure = json_obj(t, "insecure") == true;
  e.blocked = json_obj(t, "blocked") == true;
  for (const auto& m : json_obj(t, "mirror")) {
    RegistryEntry::Mirror mirror;
    mirror.location = TRY(conf_string(json_obj(m, "location"), "mirror location", what));
    mirror.insecure = json_obj(m, "insecure") == true;
    mirror.pull_from_mirror = json_str(m, "pull-from-mirror", "all");
    e.mirrors.push_back(std::move(mirror));
  }
  if (e.prefix.empty()) e.prefix = e.location;
  if (e.prefix.empty()) return fail(Errc::invalid_input, "{}: a [[registry]] has neither location nor prefix", what);
  return e;
}

}  // namespace

Result<void> RegistriesConf::merge_text(std::string_view text, std::string_view what) {
  Json doc = TRY(toml_document(text, what));
  if (doc.contains("unqualified-search-registries")) {
    const Json& list = doc["unqualified-search-registries"];
    if (!list.is_array() || !std::all_of(list.begin(), list.end(), [](const Json& x) { return x.is_string(); }))
      return fail(Errc::invalid_input, "{}: unqualified-search-registries must be an array of strings", what);
    search = json_strings(list);
    search_set = true;
  }
  if (doc.contains("short-name-mode")) {
    std::string mode = TRY(conf_string(doc["short-name-mode"], "short-name-mode", what));
    if (mode != "enforcing" && mode != "permissive" && mode != "disabled")
      return fail(Errc::invalid_input, "{}: invalid short-name-mode \"{}\"", what, mode);
    short_name_mode = mode;
  }
  for (const auto& [k, v] : json_obj(doc, "aliases").is_object() ? doc["aliases"].items() : Json::object().items())
    aliases[k] = TRY(conf_string(v, "alias " + k, what));
  std::vector<RegistryEntry> added;
  for (const auto& t : json_obj(doc, "registry")) added.push_back(TRY(registry_entry(t, what)));
  for (auto& e : added) {
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
  // As containers/image, for root too: a $HOME file replaces the system file and its drop-in dir.
  std::string user = home() + "/.config/containers/registries.conf";
  bool use_user = !home().empty() && sys::exists_at(AT_FDCWD, user);
  TRY(merge_file(c, use_user ? user : "/etc/containers/registries.conf"));
  if (!use_user) TRY(merge_dir(c, "/etc/containers/registries.conf.d"));
  if (!home().empty()) TRY(merge_dir(c, home() + "/.config/containers/registries.conf.d"));
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

// containers.conf: the files in containers/common's order, each merged over the last.
#include "berth/engine/containers_conf.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "berth/core/toml.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

namespace {

Result<std::vector<std::string>> strings(const Json& v, std::string_view key, std::string_view what) {
  if (!v.is_array()) return fail(Errc::invalid_input, "{}: [containers] {} must be an array of strings", what, key);
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) return fail(Errc::invalid_input, "{}: [containers] {} must be an array of strings", what, key);
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::string> string_of(const Json& v, std::string_view key, std::string_view what) {
  if (!v.is_string()) return fail(Errc::invalid_input, "{}: [containers] {} must be a string", what, key);
  return v.get<std::string>();
}

Result<bool> bool_of(const Json& v, std::string_view key, std::string_view what) {
  if (!v.is_boolean()) return fail(Errc::invalid_input, "{}: [containers] {} must be true or false", what, key);
  return v.get<bool>();
}

Result<void> merge_file(ContainersConf& c, const std::string& path, bool must_exist) {
  auto text = sys::read_host_file(path, 1 << 20);
  if (!text) {
    if (text.error().sys_errno == ENOENT && !must_exist) return {};
    return std::unexpected(with_context(text.error(), "containers.conf"));
  }
  return merge_containers_conf(c, TRY(toml_document(*text, path)), path);
}

Result<void> merge_dir(ContainersConf& c, const std::string& dir) {
  auto names = sys::list_host_dir(dir);
  if (!names) return {};
  std::sort(names->begin(), names->end());
  for (const auto& n : *names)
    if (n.ends_with(".conf")) TRY(merge_file(c, dir + "/" + n, false));
  return {};
}

// pids_limit is a default only where berth can apply it (podman's rule): rootless berth has
// no cgroup of its own, so the file's value is left out rather than warned about each run.
ContainersConf rootless_rules(ContainersConf c) {
  if (sys::rootless()) c.pids_limit.reset();
  return c;
}

std::string user_config_dir() {
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/containers";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/containers";
  return "";
}

}  // namespace

Result<void> merge_containers_conf(ContainersConf& c, const Json& doc, std::string_view what) {
  const Json& t = json_obj(doc, "containers");
  if (t.is_null()) return {};
  if (!t.is_object()) return fail(Errc::invalid_input, "{}: [containers] must be a table", what);
  for (const auto& [k, v] : t.items()) {
    if (k == "default_capabilities")
      c.default_capabilities = TRY(strings(v, k, what));
    else if (k == "default_ulimits")
      c.default_ulimits = TRY(strings(v, k, what));
    else if (k == "env")
      c.env = TRY(strings(v, k, what));
    else if (k == "volumes")
      c.volumes = TRY(strings(v, k, what));
    else if (k == "dns_servers")
      c.dns_servers = TRY(strings(v, k, what));
    else if (k == "dns_searches")
      c.dns_searches = TRY(strings(v, k, what));
    else if (k == "dns_options")
      c.dns_options = TRY(strings(v, k, what));
    else if (k == "log_driver")
      c.log_driver = TRY(string_of(v, k, what));
    else if (k == "tz")
      c.tz = TRY(string_of(v, k, what));
    else if (k == "umask")
      c.umask = TRY(string_of(v, k, what));
    else if (k == "netns")
      c.netns = TRY(string_of(v, k, what));
    else if (k == "init")
      c.init = TRY(bool_of(v, k, what));
    else if (k == "no_hosts")
      c.no_hosts = TRY(bool_of(v, k, what));
    else if (k == "pids_limit") {
      if (!v.is_number_integer())
        return fail(Errc::invalid_input, "{}: [containers] pids_limit must be an integer", what);
      c.pids_limit = v.get<std::int64_t>();
    }
    // anything else: accepted, as podman accepts keys it does not use
  }
  return {};
}

Result<CapChanges> default_cap_changes(const std::vector<std::string>& defaults,
                                       const std::vector<std::string>& cap_add,
                                       const std::vector<std::string>& cap_drop) {
  std::uint64_t want = 0, flagged = 0;
  for (const auto& n : defaults) want |= TRY(context(runtime::cap_mask(n), "containers.conf default_capabilities"));
  for (const auto& n : cap_add) flagged |= TRY(runtime::cap_mask(n));
  for (const auto& n : cap_drop) flagged |= TRY(runtime::cap_mask(n));
  std::uint64_t have = runtime::default_caps();
  CapChanges out;
  for (std::uint64_t bit = 1; bit; bit <<= 1) {
    if (flagged & bit) continue;
    if ((have & bit) && !(want & bit)) out.drop.push_back(runtime::cap_names(bit));
    if (!(have & bit) && (want & bit)) out.add.push_back(runtime::cap_names(bit));
  }
  return out;
}

Result<ContainersConf> load_containers_conf() {
  ContainersConf c;
  if (const char* env = std::getenv("CONTAINERS_CONF"); env && *env) {
    TRY(merge_file(c, env, true));
    return rootless_rules(c);
  }
  TRY(merge_file(c, "/usr/share/containers/containers.conf", false));
  TRY(merge_file(c, "/etc/containers/containers.conf", false));
  TRY(merge_dir(c, "/etc/containers/containers.conf.d"));
  if (sys::rootless()) {
    if (std::string dir = user_config_dir(); !dir.empty()) {
      TRY(merge_file(c, dir + "/containers.conf", false));
      TRY(merge_dir(c, dir + "/containers.conf.d"));
    }
  }
  return rootless_rules(c);
}

}  // namespace berth::engine

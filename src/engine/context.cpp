#include "berth/engine/context.hpp"

#include <unistd.h>

#include <cstdlib>

#include "berth/core/toml.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

namespace {

// $HOME, $UID and $USER in rootless_storage_path, as containers-storage expands them.
std::string expand(std::string s) {
  const char* home = std::getenv("HOME");
  const char* user = std::getenv("USER");
  const char* uid = std::getenv("_BERTH_UID");  // rootless: the user's uid outside the namespace
  const std::pair<std::string, std::string> vars[] = {{"$HOME", home ? home : ""},
                                                      {"$UID", uid && *uid ? uid : std::to_string(::getuid())},
                                                      {"$USER", user ? user : ""}};
  for (const auto& [k, v] : vars)
    for (size_t p; (p = s.find(k)) != std::string::npos;) s.replace(p, k.size(), v);
  return s;
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v && *v;
}

// CONTAINERS_STORAGE_CONF names a storage.conf (podman's own test suites set one): its
// [storage] graphroot and runroot (rootless: rootless_storage_path first) place berth's store
// unless --root/--runroot or BERTH_ROOT/BERTH_RUNROOT say otherwise. The default files
// (/etc/containers/storage.conf) are not read: they name podman's store, whose layout is not
// berth's.
Result<GlobalOptions> with_storage_conf(GlobalOptions g) {
  const char* file = std::getenv("CONTAINERS_STORAGE_CONF");
  if (!file || !*file) return g;
  auto text = TRY(context(sys::read_host_file(file, 1 << 20), "CONTAINERS_STORAGE_CONF"));
  Json doc = TRY(toml_document(text, file));
  const Json& st = json_obj(doc, "storage");
  std::string root = json_str(st, "graphroot"), run = json_str(st, "runroot");
  if (sys::rootless() && !json_str(json_obj(st, "options"), "rootless_storage_path").empty())
    root = expand(json_str(json_obj(st, "options"), "rootless_storage_path"));
  if (sys::rootless() && !json_str(st, "rootless_storage_path").empty())
    root = expand(json_str(st, "rootless_storage_path"));
  if (g.root.empty() && !env_set("BERTH_ROOT") && !root.empty()) g.root = root;
  if (g.runroot.empty() && !env_set("BERTH_RUNROOT") && !run.empty() && !sys::rootless()) g.runroot = run;
  return g;
}

}  // namespace

Result<Context> open_context(const GlobalOptions& given) {
  GlobalOptions g = TRY(with_storage_conf(given));
  auto paths = store::default_paths(g.root, g.runroot);
  auto s = TRY(context(store::Store::open(paths), "open store"));
  return Context{std::move(s)};
}

Result<void> enter_user_namespace(UserNamespace how) {
  switch (how) {
    case UserNamespace::own: return sys::enter_rootless();
    case UserNamespace::join_later: sys::defer_rootless(); return {};
    case UserNamespace::none: return {};
  }
  return {};
}

}  // namespace berth::engine

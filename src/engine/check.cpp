// `berth system check`: the rootless set-up, checked as the user berth runs as. Each check is
// a fact of the host read directly (files under /proc/sys, /etc/subuid, the helpers' modes),
// and, for user namespaces, a real attempt.
#include "berth/engine/check.hpp"

#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>

#include "berth/core/strings.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

namespace {

constexpr unsigned long kCgroup2Magic = 0x63677270;

std::string user_name() {
  if (passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
  return std::to_string(::getuid());
}

std::string read_trimmed(const std::string& path) {
  std::string t = sys::read_host_file(path, 1 << 16).value_or("");
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

CheckResult check_userns() {
  CheckResult r{"user namespaces", "OK", "", ""};
  if (read_trimmed("/proc/sys/user/max_user_namespaces") == "0")
    return {r.name, "FAIL", "user.max_user_namespaces is 0", "sudo sysctl -w user.max_user_namespaces=28633"};
  if (read_trimmed("/proc/sys/kernel/unprivileged_userns_clone") == "0")
    return {r.name, "FAIL", "kernel.unprivileged_userns_clone is 0",
            "sudo sysctl -w kernel.unprivileged_userns_clone=1"};
  if (read_trimmed("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1")
    r = {r.name, "WARN",
         "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)",
         "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (or an AppArmor profile for berth with "
         "`userns,`)"};
  if (::geteuid() == 0) return {r.name, "OK", "running as root: berth needs none", ""};
  // The real thing: a child in a new user namespace.
  auto pid = sys::clone_process(CLONE_NEWUSER);
  if (!pid)
    return {r.name, "FAIL", "unshare(CLONE_NEWUSER): " + errno_text(pid.error().sys_errno),
            "sudo sysctl -w user.max_user_namespaces=28633 kernel.unprivileged_userns_clone=1"};
  if (*pid == 0) ::_exit(0);
  (void)sys::wait_child(*pid);
  if (r.status == "OK") r.detail = "a user namespace can be made";
  return r;
}

CheckResult check_subids(const char* file, const char* what) {
  std::string user = user_name();
  std::string name = std::string(what) + " ranges";
  if (::geteuid() == 0) return {name, "OK", "running as root: not needed", ""};
  auto ranges = sys::find_subids(sys::read_host_file(file, 1 << 20).value_or(""), user, ::getuid());
  std::string fix = fmt::format("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {}", user);
  if (ranges.empty())
    return {name, "FAIL", fmt::format("no range for {} in {}: only your own id can be mapped", user, file), fix};
  std::uint64_t total = 0;
  std::string list;
  for (const auto& r : ranges) {
    total += r.count;
    list += fmt::format("{}{}:{}", list.empty() ? "" : ", ", r.start, r.count);
  }
  if (total < 65536)
    return {name, "WARN",
            fmt::format("{} ids in {} ({}): images with owners above {} will not unpack", total, file, list, total),
            fix};
  return {name, "OK", fmt::format("{} ids in {} ({})", total, file, list), ""};
}

CheckResult check_idmap_tool(const char* tool) {
  std::string name = tool;
  if (::geteuid() == 0) return {name, "OK", "running as root: not needed", ""};
  std::string path = sys::find_executable(tool);
  if (path.empty()) return {name, "FAIL", fmt::format("{} is not in PATH", tool), "sudo apt-get install uidmap"};
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && st.st_uid == 0 && (st.st_mode & S_ISUID))
    return {name, "OK", path + " (setuid root)", ""};
  if (::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0)
    return {name, "OK", path + " (file capabilities)", ""};
  return {name, "FAIL", path + " is neither setuid root nor has file capabilities",
          fmt::format("sudo chmod u+s {} (or: sudo setcap cap_set{}id+ep {})", path, name == "newuidmap" ? "u" : "g",
                      path)};
}

CheckResult check_overlay() {
  utsname u{};
  ::uname(&u);
  int major = 0, minor = 0;
  std::sscanf(u.release, "%d.%d", &major, &minor);
  if (::geteuid() == 0) return {"overlay", "OK", fmt::format("kernel {}", u.release), ""};
  if (major > 5 || (major == 5 && minor >= 11))
    return {"overlay", "OK", fmt::format("kernel {}: overlay in a user namespace, with userxattr", u.release), ""};
  return {"overlay", "FAIL",
          fmt::format("kernel {} cannot mount overlay in a user namespace (5.11 and later can)", u.release),
          "run a kernel 5.11 or later"};
}

CheckResult check_runtime_dir() {
  if (::geteuid() == 0) return {"XDG_RUNTIME_DIR", "OK", "running as root: /run/berth", ""};
  const char* x = std::getenv("XDG_RUNTIME_DIR");
  std::string fix = fmt::format(
      "log in through a session manager, or: sudo loginctl enable-linger {}; "
      "export XDG_RUNTIME_DIR=/run/user/{}",
      user_name(), ::getuid());
  if (!x || !*x)
    return {"XDG_RUNTIME_DIR", "WARN", "not set: berth keeps its runtime state in /run/user/UID or /tmp", fix};
  struct stat st;
  if (::stat(x, &st) != 0 || st.st_uid != ::getuid() || (st.st_mode & 077))
    return {"XDG_RUNTIME_DIR", "FAIL", fmt::format("{} is not a 0700 directory of yours", x), fix};
  return {"XDG_RUNTIME_DIR", "OK", x, ""};
}

CheckResult check_cgroups() {
  struct statfs sf;
  if (::statfs("/sys/fs/cgroup", &sf) != 0 || static_cast<unsigned long>(sf.f_type) != kCgroup2Magic)
    return {"cgroup delegation", "WARN",
            "no unified cgroup v2 hierarchy: --memory, --pids-limit and --cpus are ignored rootless",
            "boot with systemd.unified_cgroup_hierarchy=1"};
  if (::geteuid() == 0) return {"cgroup delegation", "OK", "cgroup v2, as root", ""};
  std::string own = read_trimmed("/proc/self/cgroup");
  auto pos = own.find("0::");
  std::string dir = "/sys/fs/cgroup" + (pos == std::string::npos ? std::string() : own.substr(pos + 3));
  std::string controllers = read_trimmed(dir + "/cgroup.controllers");
  bool writable = ::access(dir.c_str(), W_OK) == 0;
  if (writable && controllers.find("memory") != std::string::npos && controllers.find("pids") != std::string::npos)
    return {"cgroup delegation", "OK", fmt::format("{} ({})", dir, controllers), ""};
  return {"cgroup delegation", "WARN",
          fmt::format("{} is not delegated to you with memory and pids: limits are ignored rootless", dir),
          "run berth from a systemd user session (systemd-run --user --scope berth ...), with Delegate=yes for "
          "user@.service"};
}

CheckResult check_network_helper() {
  if (std::string p = sys::find_executable("pasta"); !p.empty()) return {"network helper", "OK", p, ""};
  if (std::string p = sys::find_executable("slirp4netns"); !p.empty())
    return {"network helper", "OK", p + " (pasta is preferred)", ""};
  return {"network helper", "WARN", "neither pasta nor slirp4netns: rootless containers get a private loopback only",
          "sudo apt-get install passt"};
}

// The store root this user's berth uses (as store::default_paths, without its side effects:
// this runs outside the user namespace).
std::string store_root(const GlobalOptions& g) {
  if (!g.root.empty()) return g.root;
  if (const char* r = std::getenv("BERTH_ROOT"); r && *r) return r;
  if (::geteuid() == 0) return "/var/lib/berth";
  if (const char* d = std::getenv("XDG_DATA_HOME"); d && *d) return std::string(d) + "/berth";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/share/berth";
}

CheckResult check_store(const GlobalOptions& g) {
  std::string root = store_root(g);
  struct stat st;
  if (::stat(root.c_str(), &st) != 0) return {"store", "OK", root + " (made on first use)", ""};
  if (st.st_uid != ::geteuid())
    return {"store", "FAIL", fmt::format("{} belongs to uid {}, not you", root, st.st_uid),
            fmt::format("sudo chown -R {} {} (or use --root)", ::geteuid(), root)};
  if (st.st_mode & 022)
    return {"store", "FAIL", fmt::format("{} is writable by others (mode {:04o})", root, st.st_mode & 07777),
            fmt::format("chmod 700 {}", root)};
  return {"store", "OK", root, ""};
}

CheckResult check_pause() {
  if (::geteuid() == 0) return {"pause process", "OK", "running as root: not needed", ""};
  for (const char* p : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit"})
    if (::access(p, X_OK) == 0) return {"pause process", "OK", fmt::format("{} -P keeps the user namespace", p), ""};
  return {"pause process", "WARN", "no catatonit: every command makes its own user namespace (about 10 ms more each)",
          "sudo apt-get install catatonit"};
}

}  // namespace

std::vector<CheckResult> system_check(const GlobalOptions& g) {
  return {check_userns(),
          check_subids("/etc/subuid", "subuid"),
          check_subids("/etc/subgid", "subgid"),
          check_idmap_tool("newuidmap"),
          check_idmap_tool("newgidmap"),
          check_overlay(),
          check_runtime_dir(),
          check_cgroups(),
          check_network_helper(),
          check_pause(),
          check_store(g)};
}

}  // namespace berth::engine

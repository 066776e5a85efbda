// `berth info`: facts read from the host (/proc, /etc/os-release, statvfs), the store and the
// registries configuration, keyed and ordered as podman info prints them.
#include "berth/engine/info.hpp"

#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "berth/core/strings.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "berth/registry/conf.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

namespace {

constexpr unsigned long kCgroup2Magic = 0x63677270;

std::string read_text(const std::string& path) { return sys::read_host_file(path, 1 << 20).value_or(""); }

std::string arch_name(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i686" || machine == "i386") return "386";
  return std::string(machine);
}

// /etc/os-release's ID, VERSION_ID and VERSION_CODENAME, unquoted.
OrderedJson distribution() {
  std::map<std::string, std::string> kv;
  for (const auto& line : split(read_text("/etc/os-release"), '\n')) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    kv[line.substr(0, eq)] = v;
  }
  return {{"distribution", kv["ID"]}, {"version", kv["VERSION_ID"]}, {"codename", kv["VERSION_CODENAME"]}};
}

// This process's map as podman shows it: [{container_id, host_id, size}], null as root.
OrderedJson id_map(const char* path) {
  if (!sys::rootless()) return nullptr;
  OrderedJson out = OrderedJson::array();
  for (const auto& line : split(read_text(path), '\n')) {
    unsigned long long in = 0, host = 0, size = 0;
    if (std::sscanf(line.c_str(), "%llu %llu %llu", &in, &host, &size) == 3)
      out.push_back({{"container_id", in}, {"host_id", host}, {"size", size}});
  }
  return out;
}

// A helper as podman reports one: its path, its Debian package and its first version line.
OrderedJson helper(const std::string& name, const std::string& package) {
  std::string path = sys::find_executable(name);
  std::string version;
  if (!path.empty()) {
    auto out = sys::capture_output({path, "--version"}, 1 << 16);
    if (out) version = split(*out, '\n').empty() ? "" : split(*out, '\n')[0];
  }
  return {{"executable", path}, {"package", path.empty() ? "" : package}, {"version", version}};
}

std::string uptime_text() {
  double up = std::atof(read_text("/proc/uptime").c_str());
  auto s = static_cast<long long>(up);
  return fmt::format("{}h {}m {}.00s (Approximately {:.2f} days)", s / 3600, s / 60 % 60, s % 60, up / 86400.0);
}

OrderedJson cgroups() {
  struct statfs sf;
  bool v2 = ::statfs("/sys/fs/cgroup", &sf) == 0 && static_cast<unsigned long>(sf.f_type) == kCgroup2Magic;
  OrderedJson controllers = OrderedJson::array();
  if (v2)
    for (const auto& c : split(read_text("/sys/fs/cgroup/cgroup.controllers"), ' '))
      if (!c.empty() && c != "\n") controllers.push_back(c.back() == '\n' ? c.substr(0, c.size() - 1) : c);
  return {{"manager", "cgroupfs"}, {"version", v2 ? "v2" : "v1"}, {"controllers", controllers}};
}

OrderedJson host_info() {
  utsname u{};
  ::uname(&u);
  struct sysinfo si {};
  ::sysinfo(&si);
  char hostname[256] = {};
  ::gethostname(hostname, sizeof hostname - 1);
  auto cg = cgroups();
  bool rootless = sys::rootless();
  OrderedJson h;
  h["arch"] = arch_name(u.machine);
  h["cgroupManager"] = cg["manager"];
  h["cgroupVersion"] = cg["version"];
  h["cgroupControllers"] = cg["controllers"];
  h["cpus"] = ::sysconf(_SC_NPROCESSORS_ONLN);
  h["distribution"] = distribution();
  h["eventLogger"] = "file";
  h["hostname"] = hostname;
  h["idMappings"] = {{"gidmap", id_map("/proc/self/gid_map")}, {"uidmap", id_map("/proc/self/uid_map")}};
  h["kernel"] = u.release;
  h["logDriver"] = "k8s-file";
  h["memFree"] = static_cast<std::uint64_t>(si.freeram) * si.mem_unit;
  h["memTotal"] = static_cast<std::uint64_t>(si.totalram) * si.mem_unit;
  // Root: berth's own bridges (netlink and nftables in-process); rootless: pasta per container.
  h["networkBackend"] = !rootless                                      ? "berth"
                        : !sys::find_executable("pasta").empty()       ? "pasta"
                        : !sys::find_executable("slirp4netns").empty() ? "slirp4netns"
                                                                       : "none";
  std::string self = sys::self_executable();
  h["ociRuntime"] = {
      {"name", "berth"}, {"package", "berth"}, {"path", self}, {"version", "berth version " BERTH_VERSION}};
  h["os"] = "linux";
  h["pasta"] = helper("pasta", "passt");
  h["remoteSocket"] = {{"path", ""}};
  h["serviceIsRemote"] = false;
  h["security"] = {{"apparmorEnabled", ::access("/sys/kernel/security/apparmor", F_OK) == 0},
                   {"capabilities", runtime::cap_names(runtime::default_caps())},
                   {"rootless", rootless},
                   {"seccompEnabled", true},
                   {"seccompProfilePath", ""},
                   {"selinuxEnabled", ::access("/sys/fs/selinux/enforce", F_OK) == 0}};
  h["slirp4netns"] = helper("slirp4netns", "slirp4netns");
  h["swapFree"] = static_cast<std::uint64_t>(si.freeswap) * si.mem_unit;
  h["swapTotal"] = static_cast<std::uint64_t>(si.totalswap) * si.mem_unit;
  h["uptime"] = uptime_text();
  h["linkmode"] = "dynamic";
  return h;
}

// statfs's f_type as containers/storage names the backing filesystem.
std::string fs_name(unsigned long type) {
  switch (type) {
    case 0xEF53: return "extfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794c7630: return "overlayfs";
    case 0x2fc12fc1: return "zfs";
    default: return fmt::format("0x{:x}", type);
  }
}

Result<OrderedJson> store_info(Context& c) {
  const auto& p = c.store.paths();
  int running = 0, paused = 0, stopped = 0, total = 0;
  for (const auto& s : TRY(list_containers(c, PsOptions{.all = true, .want_size = false, .filters = {}}))) {
    total++;
    if (s.status == "running")
      running++;
    else if (s.status == "paused")
      paused++;
    else
      stopped++;
  }
  auto images = TRY(list_images(c, ImagesOptions{}));
  struct statvfs sv {};
  ::statvfs(p.root.c_str(), &sv);
  struct statfs sf {};
  ::statfs(p.root.c_str(), &sf);
  OrderedJson s;
  const char* conf = std::getenv("CONTAINERS_STORAGE_CONF");
  s["configFile"] = conf ? conf : "";
  s["containerStore"] = {{"number", total}, {"paused", paused}, {"running", running}, {"stopped", stopped}};
  s["graphDriverName"] = "overlay";
  s["graphOptions"] = OrderedJson::object();
  s["graphRoot"] = p.root;
  s["graphRootAllocated"] = static_cast<std::uint64_t>(sv.f_blocks) * sv.f_frsize;
  s["graphRootUsed"] = static_cast<std::uint64_t>(sv.f_blocks - sv.f_bfree) * sv.f_frsize;
  s["graphStatus"] = {{"Backing Filesystem", fs_name(static_cast<unsigned long>(sf.f_type))},
                      {"Native Overlay Diff", "true"},
                      {"Supports d_type", "true"},
                      {"Supports shifting", "false"},
                      {"Supports volatile", "true"},
                      {"Using metacopy", "false"}};
  s["imageCopyTmpDir"] = "/var/tmp";
  s["imageStore"] = {{"number", images.size()}};
  s["runRoot"] = p.runroot;
  s["transientStore"] = false;
  s["volumePath"] = p.root + "/volumes";
  return s;
}

}  // namespace

Result<OrderedJson> system_info(Context& c) {
  OrderedJson info;
  info["host"] = host_info();
  info["store"] = TRY(store_info(c));
  auto conf = TRY(registry::load_registries_conf());
  info["registries"] = conf.search_set ? OrderedJson{{"search", conf.search}} : OrderedJson::object();
  info["plugins"] = {{"volume", {"local"}},
                     {"network", OrderedJson::array({"bridge"})},
                     {"log", {"k8s-file", "none", "passthrough", "journald"}},
                     {"authorization", nullptr}};
  info["version"] = version_info();
  return info;
}

namespace {

std::string uname_machine() {
  utsname u{};
  ::uname(&u);
  return u.machine;
}

}  // namespace

OrderedJson version_info() {
  // When this file was compiled, as the build stamp podman prints (UTC).
  std::tm t{};
  strptime(__DATE__ " " __TIME__, "%b %d %Y %H:%M:%S", &t);
  time_t built = timegm(&t);
  char when[64] = "";
  std::strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &t);
  return {{"APIVersion", BERTH_VERSION},
          {"Version", BERTH_VERSION},
          {"GoVersion", ""},
          {"GitCommit", ""},
          {"BuiltTime", when},
          {"Built", static_cast<std::int64_t>(built)},
          {"OsArch", "linux/" + arch_name(uname_machine())},
          {"Os", "linux"}};
}

}  // namespace berth::engine

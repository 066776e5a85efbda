// cgroup v1 and v2. A v2 host is one whose /sys/fs/cgroup is a cgroup2 mount (statfs, as runc
// and crun decide). A hybrid host (v1 controllers plus a cgroup2 mount, like this sandbox) uses
// the v1 hierarchy of each controller when it has one, else the unified one.
#include "berth/runtime/cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::runtime {

namespace {

bool write_file(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);  // as a shell's ">" (cgroupfs ignores O_TRUNC)
  if (fd < 0) return false;
  sys::UniqueFd g(fd);
  return sys::write_all(fd, value).has_value();
}

constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC

std::string v1_mount(const CgroupMounts& m, const std::string& controller) {
  for (const auto& [opts, point] : m.v1) {
    std::istringstream s(opts);
    std::string o;
    while (std::getline(s, o, ','))
      if (o == controller) return point;
  }
  return "";
}

bool v2_has(const std::string& mnt, const std::string& controller) {
  std::ifstream in(mnt + "/cgroup.controllers");
  std::string c;
  while (in >> c)
    if (c == controller) return true;
  return false;
}

// v2: berth/<name> under the root of the unified hierarchy, controllers enabled on the way.
std::string v2_dir(const std::string& mnt, const std::string& name, const std::string& controller) {
  write_file(mnt + "/cgroup.subtree_control", "+" + controller);
  ::mkdir((mnt + "/berth").c_str(), 0755);
  write_file(mnt + "/berth/cgroup.subtree_control", "+" + controller);
  std::string dir = mnt + "/berth/" + name;
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

std::string v1_dir(const std::string& mnt, const std::string& name) {
  ::mkdir((mnt + "/berth").c_str(), 0755);
  std::string dir = mnt + "/berth/" + name;
  ::mkdir(dir.c_str(), 0755);
  return dir;
}

}  // namespace

CgroupMounts CgroupMounts::host() {
  CgroupMounts m;
  struct statfs fs {};
  if (::statfs("/sys/fs/cgroup", &fs) == 0 && static_cast<long>(fs.f_type) == kCgroup2Magic) {
    m.v2 = "/sys/fs/cgroup";  // v1 mounts that mountinfo may still list are not this host's
    return m;
  }
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream pre(line.substr(0, dash)), post(line.substr(dash + 3));
    std::string id, parent, dev, root, point, fstype, source, opts;
    pre >> id >> parent >> dev >> root >> point;
    post >> fstype >> source >> opts;
    if (fstype == "cgroup2" && m.v2.empty()) m.v2 = point;
    if (fstype == "cgroup") m.v1.emplace_back(opts, point);
  }
  return m;
}

Result<std::int64_t> parse_memory(const std::string& s) {
  if (s.empty()) return fail(Errc::usage, "invalid memory size \"\"");
  size_t end = 0;
  double v = 0;
  try {
    v = std::stod(s, &end);
  } catch (...) {
    return fail(Errc::usage, "invalid memory size \"{}\"", s);
  }
  std::string unit = s.substr(end);
  for (auto& ch : unit) ch = static_cast<char>(::tolower(ch));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  double mul = unit.empty()  ? 1
               : unit == "k" ? 1024.0
               : unit == "m" ? 1024.0 * 1024
               : unit == "g" ? 1024.0 * 1024 * 1024
                             : 0;
  if (mul == 0 || v <= 0) return fail(Errc::usage, "invalid memory size \"{}\"", s);
  auto bytes = static_cast<std::int64_t>(v * mul);
  if (bytes < 6 * 1024 * 1024) return fail(Errc::usage, "minimum memory limit allowed is 6MB");
  return bytes;
}

Cgroup Cgroup::create(const std::string& name, const CgroupLimits& l) {
  Cgroup cg;
  if (!l.any()) return cg;
  if (sys::rootless()) {
    CgroupMounts m = CgroupMounts::host();
    bool v2_only = m.v1.empty() && !m.v2.empty();
    log::warn("{}", v2_only ? "Resource limits need a delegated cgroup v2 subtree, which berth cannot write here; the "
                              "limits are ignored"
                            : "Resource limits are not supported and ignored on cgroups V1 rootless systems");
    return cg;
  }
  return create_in(CgroupMounts::host(), name, l);
}

Cgroup Cgroup::create_in(const CgroupMounts& m, const std::string& name, const CgroupLimits& l) {
  Cgroup cg;
  if (!l.any()) return cg;
  auto limit = [&](const std::string& controller, const std::vector<std::pair<std::string, std::string>>& v1_files,
                   const std::vector<std::pair<std::string, std::string>>& v2_files) {
    std::string dir;
    bool ok = false;
    if (std::string mnt = v1_mount(m, controller); !mnt.empty()) {
      dir = v1_dir(mnt, name);
      ok = true;
      for (const auto& [f, v] : v1_files) ok = ok && write_file(dir + "/" + f, v);
    } else if (!m.v2.empty() && v2_has(m.v2, controller)) {
      dir = v2_dir(m.v2, name, controller);
      ok = true;
      for (const auto& [f, v] : v2_files) ok = ok && write_file(dir + "/" + f, v);
    }
    if (!ok) {
      log::warn("cgroup controller {} is not available here; its limit is ignored", controller);
      if (!dir.empty()) ::rmdir(dir.c_str());
      return;
    }
    if (std::find(cg.dirs_.begin(), cg.dirs_.end(), dir) == cg.dirs_.end()) cg.dirs_.push_back(dir);
  };
  if (l.memory)
    limit("memory", {{"memory.limit_in_bytes", std::to_string(*l.memory)}},
          {{"memory.max", std::to_string(*l.memory)}});
  if (l.pids) {
    std::string v = *l.pids < 0 ? "max" : std::to_string(*l.pids);
    limit("pids", {{"pids.max", v}}, {{"pids.max", v}});
  }
  if (l.cpus) {
    auto quota = static_cast<long long>(std::llround(*l.cpus * 100000));
    limit("cpu", {{"cpu.cfs_period_us", "100000"}, {"cpu.cfs_quota_us", std::to_string(quota)}},
          {{"cpu.max", fmt::format("{} 100000", quota)}});
  }
  return cg;
}

Cgroup Cgroup::of_process(pid_t pid) {
  Cgroup cg;
  CgroupMounts m = CgroupMounts::host();
  std::ifstream in(fmt::format("/proc/{}/cgroup", pid));
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (path.find("/berth/berth-") == std::string::npos) continue;
    std::string mnt;
    if (ctrls.empty())
      mnt = m.v2;
    else {
      std::istringstream s(ctrls);
      std::string c;
      while (mnt.empty() && std::getline(s, c, ',')) mnt = v1_mount(m, c);
    }
    if (!mnt.empty()) cg.dirs_.push_back(mnt + path);
  }
  return cg;
}

void Cgroup::add(pid_t pid) const {
  for (const auto& d : dirs_)
    if (!write_file(d + "/cgroup.procs", std::to_string(pid))) log::warn("join cgroup {}: {}", d, errno_text(errno));
}

void Cgroup::remove() const {
  for (const auto& d : dirs_) ::rmdir(d.c_str());
}

}  // namespace berth::runtime

// cgroup v1 and v2. A v2 host is one whose /sys/fs/cgroup is a cgroup2 mount (statfs, as runc
// and crun decide). A hybrid host (v1 controllers plus a cgroup2 mount, like this sandbox) uses
// the v1 hierarchy of each controller when it has one, else the unified one.
#include "berth/runtime/cgroup.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
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

std::string read_small(const std::string& path) { return sys::read_host_file(path, 1 << 20).value_or(""); }

// v1 controllers pause and stats read; on a v2 host the one directory has them all.
constexpr const char* kAccounting[] = {"freezer", "memory", "cpuacct", "pids", "blkio"};

std::uint64_t to_u64(const std::string& s) {
  try {
    return std::stoull(s);
  } catch (...) {
    return 0;
  }
}

}  // namespace

std::map<std::string, std::uint64_t> parse_keyed(const std::string& text) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string k, v;
    if (l >> k >> v && !v.empty() && std::all_of(v.begin(), v.end(), ::isdigit)) out[k] = to_u64(v);
  }
  return out;
}

std::pair<std::uint64_t, std::uint64_t> parse_block_io(const std::string& text) {
  std::uint64_t r = 0, w = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::vector<std::string> f;
    for (std::string x; l >> x;) f.push_back(x);
    if (f.size() == 3 && f[1] == "Read") r += to_u64(f[2]);
    if (f.size() == 3 && f[1] == "Write") w += to_u64(f[2]);
    for (size_t i = 1; i < f.size(); i++) {  // v2: key=value fields
      if (f[i].starts_with("rbytes=")) r += to_u64(f[i].substr(7));
      if (f[i].starts_with("wbytes=")) w += to_u64(f[i].substr(7));
    }
  }
  return {r, w};
}

std::optional<std::uint64_t> parse_memory_limit(const std::string& text) {
  std::string t = text.substr(0, text.find('\n'));
  if (t.empty() || t == "max") return std::nullopt;
  std::uint64_t v = to_u64(t);
  if (v == 0 || v >= (1ULL << 62)) return std::nullopt;  // v1's "unlimited" is INT64_MAX rounded to a page
  return v;
}

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

namespace {

// The (controllers, path) lines of /proc/PID/cgroup that name a berth container's cgroup
// ("" controllers: the unified hierarchy).
std::vector<std::pair<std::string, std::string>> berth_cgroup_lines(pid_t pid) {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in(fmt::format("/proc/{}/cgroup", pid));
  std::string line;
  while (std::getline(in, line)) {
    auto a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string path = line.substr(b + 1);
    if (path.find("/berth/berth-") != std::string::npos) out.emplace_back(line.substr(a + 1, b - a - 1), path);
  }
  return out;
}

}  // namespace

Cgroup Cgroup::of_process(pid_t pid) {
  Cgroup cg;
  CgroupMounts m = CgroupMounts::host();
  for (const auto& [ctrls, path] : berth_cgroup_lines(pid)) {
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

Cgroup Cgroup::create_for_container(const std::string& name, const CgroupLimits& l) {
  if (sys::rootless() || name.empty()) return create(name, l);
  CgroupMounts m = CgroupMounts::host();
  Cgroup cg = create_in(m, name, l);
  auto keep = [&](const std::string& dir) {
    if (std::find(cg.dirs_.begin(), cg.dirs_.end(), dir) == cg.dirs_.end()) cg.dirs_.push_back(dir);
  };
  bool v1_any = false;
  for (const char* ctrl : kAccounting)
    if (std::string mnt = v1_mount(m, ctrl); !mnt.empty()) {
      keep(v1_dir(mnt, name));
      v1_any = true;
    }
  // a v2 host (or a hybrid one without a v1 freezer): the unified directory, with whatever
  // controllers it offers enabled on the way
  if (!m.v2.empty() && (!v1_any || v1_mount(m, "freezer").empty())) {
    std::string dir;
    for (const char* ctrl : {"memory", "pids", "cpu", "io"})
      if (v2_has(m.v2, ctrl)) dir = v2_dir(m.v2, name, ctrl);
    if (dir.empty()) dir = v1_dir(m.v2, name);
    keep(dir);
  }
  return cg;
}

void Cgroup::remove_named(const std::string& name) {
  CgroupMounts m = CgroupMounts::host();
  if (!m.v2.empty()) ::rmdir((m.v2 + "/berth/" + name).c_str());
  for (const auto& [opts, point] : m.v1) ::rmdir((point + "/berth/" + name).c_str());
}

void Cgroup::add(pid_t pid) const {
  for (const auto& d : dirs_) {
    if (write_file(d + "/cgroup.procs", std::to_string(pid))) continue;
    // gone since it was made (its empty berth/ parent removed by someone tidying up in
    // between): made again, once, and said so (limits written at creation are not in it)
    int err = errno;
    if (err == ENOENT) {
      ::mkdir(d.substr(0, d.rfind('/')).c_str(), 0755);
      if (::mkdir(d.c_str(), 0755) == 0 && write_file(d + "/cgroup.procs", std::to_string(pid))) {
        log::debug("cgroup {} was gone: made again", d);
        continue;
      }
      err = errno;
    }
    log::warn("join cgroup {}: {}", d, errno_text(err));
  }
}

void Cgroup::kill_all() const {
  if (dirs_.empty()) return;
  const std::string procs = dirs_.front() + "/cgroup.procs";
  for (int round = 0; round < 100; round++) {
    std::istringstream in(read_small(procs));
    bool any = false;
    for (pid_t p; in >> p;) {
      any = true;
      (void)sys::send_signal(p, SIGKILL);
    }
    if (!any) return;
    ::usleep(10000);
  }
}

void Cgroup::remove() const {
  for (const auto& d : dirs_) ::rmdir(d.c_str());
}

namespace {

using CgroupLines = std::vector<std::pair<std::string, std::string>>;

// berth_cgroup_of with the mounts and the process's lines read once (stats asks for four).
std::string cgroup_dir(const CgroupMounts& m, const CgroupLines& lines, const std::string& controller) {
  std::string v1 = v1_mount(m, controller), v2_path;
  for (const auto& [ctrls, path] : lines) {
    if (ctrls.empty()) {
      v2_path = path;
      continue;
    }
    std::istringstream cs(ctrls);
    for (std::string c; std::getline(cs, c, ',');)
      if (c == controller && !v1.empty()) return v1 + path;
  }
  if (!v2_path.empty() && !m.v2.empty() && v1.empty()) return m.v2 + v2_path;
  return "";
}

bool frozen_at(const std::string& d) {
  if (::access((d + "/freezer.state").c_str(), F_OK) == 0) return read_small(d + "/freezer.state") == "FROZEN\n";
  return parse_keyed(read_small(d + "/cgroup.events"))["frozen"] == 1;
}

}  // namespace

std::string berth_cgroup_of(pid_t pid, const std::string& controller) {
  return cgroup_dir(CgroupMounts::host(), berth_cgroup_lines(pid), controller);
}

bool cgroup_frozen(pid_t pid) {
  std::string d = berth_cgroup_of(pid, "freezer");
  return !d.empty() && frozen_at(d);
}

Result<void> freeze_cgroup_of(pid_t pid, bool frozen) {
  std::string d = berth_cgroup_of(pid, "freezer");
  if (d.empty()) return fail(Errc::unsupported, "the container has no freezer cgroup");
  bool v1 = ::access((d + "/freezer.state").c_str(), F_OK) == 0;
  bool ok = v1 ? write_file(d + "/freezer.state", frozen ? "FROZEN" : "THAWED")
               : write_file(d + "/cgroup.freeze", frozen ? "1" : "0");
  if (!ok) return fail_errno("{} {}", frozen ? "freeze" : "thaw", d);
  for (int i = 0; i < 5000; i++) {  // the kernel freezes tasks one by one: up to 5 s
    if (frozen_at(d) == frozen) return {};
    ::usleep(1000);
  }
  return fail(Errc::system, "{}: the kernel did not finish {} it", d, frozen ? "freezing" : "thawing");
}

CgroupStats cgroup_stats_of(pid_t pid) {
  CgroupStats st;
  const CgroupMounts m = CgroupMounts::host();
  const CgroupLines lines = berth_cgroup_lines(pid);
  if (std::string d = cgroup_dir(m, lines, "memory"); !d.empty()) {
    bool v1 = ::access((d + "/memory.usage_in_bytes").c_str(), F_OK) == 0;
    auto ms = parse_keyed(read_small(d + "/memory.stat"));
    std::uint64_t usage = to_u64(read_small(d + (v1 ? "/memory.usage_in_bytes" : "/memory.current")));
    std::uint64_t inactive = v1 ? ms["total_inactive_file"] : ms["inactive_file"];
    st.memory = usage > inactive ? usage - inactive : usage;
    st.memory_limit = parse_memory_limit(read_small(d + (v1 ? "/memory.limit_in_bytes" : "/memory.max")));
  }
  if (std::string d = cgroup_dir(m, lines, "cpuacct"); !d.empty()) {
    if (::access((d + "/cpuacct.usage").c_str(), F_OK) == 0)
      st.cpu_ns = to_u64(read_small(d + "/cpuacct.usage"));
    else if (auto cs = parse_keyed(read_small(d + "/cpu.stat")); cs.count("usage_usec"))
      st.cpu_ns = cs["usage_usec"] * 1000;
  }
  if (std::string d = cgroup_dir(m, lines, "pids"); !d.empty()) {
    std::string cur = read_small(d + "/pids.current");
    if (!cur.empty()) st.pids = to_u64(cur);
  }
  if (std::string d = cgroup_dir(m, lines, "blkio"); !d.empty()) {
    bool v1 = ::access((d + "/blkio.throttle.io_service_bytes").c_str(), F_OK) == 0;
    std::tie(st.block_read, st.block_write) =
        parse_block_io(read_small(d + (v1 ? "/blkio.throttle.io_service_bytes" : "/io.stat")));
  }
  return st;
}

}  // namespace berth::runtime

#include "berth/runtime/plan.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "berth/core/path.hpp"
#include "berth/runtime/seccomp.hpp"
#include "berth/sys/mount.hpp"
#include "child_mount.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"

namespace berth::runtime {

namespace {

struct CapName {
  const char* name;
  unsigned bit;
};
constexpr CapName kCaps[] = {
    {"CHOWN", 0},
    {"DAC_OVERRIDE", 1},
    {"DAC_READ_SEARCH", 2},
    {"FOWNER", 3},
    {"FSETID", 4},
    {"KILL", 5},
    {"SETGID", 6},
    {"SETUID", 7},
    {"SETPCAP", 8},
    {"LINUX_IMMUTABLE", 9},
    {"NET_BIND_SERVICE", 10},
    {"NET_BROADCAST", 11},
    {"NET_ADMIN", 12},
    {"NET_RAW", 13},
    {"IPC_LOCK", 14},
    {"IPC_OWNER", 15},
    {"SYS_MODULE", 16},
    {"SYS_RAWIO", 17},
    {"SYS_CHROOT", 18},
    {"SYS_PTRACE", 19},
    {"SYS_PACCT", 20},
    {"SYS_ADMIN", 21},
    {"SYS_BOOT", 22},
    {"SYS_NICE", 23},
    {"SYS_RESOURCE", 24},
    {"SYS_TIME", 25},
    {"SYS_TTY_CONFIG", 26},
    {"MKNOD", 27},
    {"LEASE", 28},
    {"AUDIT_WRITE", 29},
    {"AUDIT_CONTROL", 30},
    {"SETFCAP", 31},
    {"MAC_OVERRIDE", 32},
    {"MAC_ADMIN", 33},
    {"SYSLOG", 34},
    {"WAKE_ALARM", 35},
    {"BLOCK_SUSPEND", 36},
    {"AUDIT_READ", 37},
    {"PERFMON", 38},
    {"BPF", 39},
    {"CHECKPOINT_RESTORE", 40},
};

unsigned last_cap() {
  int fd = ::open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 40;
  sys::UniqueFd g(fd);
  auto t = sys::read_all(fd, 64);
  return t ? static_cast<unsigned>(std::atoi(t->c_str())) : 40;
}

// The capabilities this process holds: a container can get no more (--privileged in a
// sandbox that lacks, say, CAP_SYS_RESOURCE gets all the others).
std::uint64_t current_permitted() { return sys::permitted_capabilities(); }

std::string rel(const std::string& abs) {
  size_t i = 0;
  while (i < abs.size() && abs[i] == '/') i++;
  return abs.substr(i);
}

// "rw,noexec,size=64m": the mount flags, and the rest (size=, mode=) as mount data.
Result<std::pair<unsigned long, std::string>> tmpfs_options(const Spec::Tmpfs& t) {
  unsigned long flags = 0;
  std::string tdata;
  size_t i = 0;
  while (i <= t.options.size()) {
    size_t j = t.options.find(',', i);
    if (j == std::string::npos) j = t.options.size();
    std::string o = t.options.substr(i, j - i);
    i = j + 1;
    if (o.empty() || o == "rw") continue;
    if (o == "ro")
      flags |= MS_RDONLY;
    else if (o == "noexec")
      flags |= MS_NOEXEC;
    else if (o == "nosuid")
      flags |= MS_NOSUID;
    else if (o == "nodev")
      flags |= MS_NODEV;
    else if (o == "exec")
      flags &= ~static_cast<unsigned long>(MS_NOEXEC);
    else if (o == "suid")
      flags &= ~static_cast<unsigned long>(MS_NOSUID);
    else if (o == "dev")
      flags &= ~static_cast<unsigned long>(MS_NODEV);
    else if (o.starts_with("size=") || o.starts_with("mode=") || o.starts_with("nr_inodes=") || o.starts_with("uid=") ||
             o.starts_with("gid="))
      tdata += (tdata.empty() ? "" : ",") + o;
    else if (o == "tmpcopyup" || o == "notmpcopyup")
      continue;
    else
      return fail(Errc::usage, "invalid tmpfs option \"{}\" for {}", o, t.target);
  }
  return std::pair{flags, tdata};
}

}  // namespace

std::uint64_t default_caps() {
  std::uint64_t m = 0;
  for (const char* n : {"CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
                        "SETPCAP", "SETUID", "SYS_CHROOT"})
    m |= *cap_mask(n);
  return m;
}

std::string cap_names(std::uint64_t mask) {
  std::vector<std::string> names;
  for (const auto& c : kCaps)
    if (mask & (1ULL << c.bit)) names.push_back(fmt::format("CAP_{}", c.name));
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

Result<std::uint64_t> cap_mask(const std::string& name) {
  std::string n = name;
  std::transform(n.begin(), n.end(), n.begin(), ::toupper);
  if (n.starts_with("CAP_")) n = n.substr(4);
  if (n == "ALL") return ~0ULL >> (63 - last_cap());
  for (const auto& c : kCaps)
    if (n == c.name) return 1ULL << c.bit;
  return fail(Errc::usage, "unknown capability \"{}\"", name);
}

Result<Spec::Rlimit> parse_ulimit(const std::string& u) {
  static const std::pair<const char*, int> names[] = {{"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},
                                                      {"data", RLIMIT_DATA},         {"fsize", RLIMIT_FSIZE},
                                                      {"locks", RLIMIT_LOCKS},       {"memlock", RLIMIT_MEMLOCK},
                                                      {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
                                                      {"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},
                                                      {"rss", RLIMIT_RSS},           {"rtprio", RLIMIT_RTPRIO},
                                                      {"rttime", RLIMIT_RTTIME},     {"sigpending", RLIMIT_SIGPENDING},
                                                      {"stack", RLIMIT_STACK},       {"as", RLIMIT_AS}};
  auto eq = u.find('=');
  if (eq == std::string::npos) return fail(Errc::usage, "invalid ulimit \"{}\": expected name=soft[:hard]", u);
  std::string name = u.substr(0, eq), val = u.substr(eq + 1);
  int res = -1;
  for (const auto& [n, r] : names)
    if (name == n) res = r;
  if (res < 0) return fail(Errc::usage, "invalid ulimit type: {}", name);
  auto num = [&](const std::string& x) -> Result<unsigned long long> {
    if (x == "-1" || x == "unlimited") return RLIM_INFINITY;
    if (x.empty() || x.find_first_not_of("0123456789") != std::string::npos)
      return fail(Errc::usage, "invalid ulimit \"{}\": \"{}\" is not a number", u, x);
    return std::stoull(x);
  };
  auto colon = val.find(':');
  unsigned long long soft = TRY(num(val.substr(0, colon)));
  unsigned long long hard = colon == std::string::npos ? soft : TRY(num(val.substr(colon + 1)));
  if (soft > hard) return fail(Errc::usage, "ulimit error: soft limit must be less than or equal to hard limit: {}", u);
  return Spec::Rlimit{res, soft, hard, u};
}

std::vector<std::string> default_masked_paths() {
  return {"/proc/acpi",
          "/proc/asound",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap",
          "/sys/fs/selinux",
          "/proc/interrupts"};
}

std::vector<std::string> default_readonly_paths() {
  return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

void CompiledPlan::op(MountKind k, const char* src, std::string target, const char* fstype, unsigned long flags,
                      const char* data, Guard guard) {
  mounts_.push_back(MountOp{k, src, keep(std::move(target)), fstype, flags, data, guard});
}

// compile, step by step (each a friend of CompiledPlan through this struct).
struct PlanBuilder {
  // The overlay root: lowerdir+ per layer for the new mount API, and the relative data string
  // of the mount(2) fallback.
  static void plan_rootfs(const Spec& s, CompiledPlan& cp) {
    ChildPlan& p = cp.plan;
    p.merged = cp.keep(s.merged);
    for (const auto& l : s.lowers) cp.lowers_.push_back(cp.keep(l));
    p.lowers = cp.lowers_.data();
    p.n_lowers = static_cast<unsigned>(cp.lowers_.size());
    p.upper = cp.keep(s.upper);
    p.work = cp.keep(s.work);
    p.userxattr = s.userxattr;
    p.volatile_upper = s.volatile_upper;
    std::string data = "lowerdir=";
    for (size_t i = 0; i < s.lowers.size(); i++) {
      std::string l = s.lowers[i];
      if (l.starts_with(s.layers_dir + "/")) l = l.substr(s.layers_dir.size() + 1);
      data += (i ? ":" : "") + l;
    }
    data += ",upperdir=" + s.upper + ",workdir=" + s.work + (s.userxattr ? ",userxattr" : "");
    p.overlay_data = cp.keep(data);
    p.layers_dir = cp.keep(s.layers_dir);
  }

  // /proc, /dev and its nodes and links, /sys: the kernel's filesystems, never through a
  // symlink of the image's.
  static void plan_kernel_mounts(const Spec& s, CompiledPlan& cp) {
    const unsigned long nse = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    const Guard k = Guard::kernel;
    cp.op(MountKind::mount, "proc", "proc", "proc", nse, nullptr, k);
    cp.op(MountKind::mount, "tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", k);
    for (const char* d : {"null", "zero", "full", "random", "urandom", "tty"})
      cp.op(MountKind::bind_dev, cp.keep(fmt::format("/dev/{}", d)), fmt::format("dev/{}", d), nullptr, MS_BIND,
            nullptr, k);
    cp.op(MountKind::mount, "devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
          s.full_idmap ? "newinstance,ptmxmode=0666,mode=0620,gid=5" : "newinstance,ptmxmode=0666,mode=0620", k);
    cp.op(MountKind::mount, "shm", "dev/shm", "tmpfs", nse, "mode=1777,size=65536k", k);
    cp.op(MountKind::mount, "mqueue", "dev/mqueue", "mqueue", nse, nullptr, k);
    for (auto [src, dst] : {std::pair{"pts/ptmx", "dev/ptmx"},
                            {"/proc/self/fd", "dev/fd"},
                            {"/proc/self/fd/0", "dev/stdin"},
                            {"/proc/self/fd/1", "dev/stdout"},
                            {"/proc/self/fd/2", "dev/stderr"},
                            {"/proc/kcore", "dev/core"}})
      cp.op(MountKind::symlink, src, dst, nullptr, 0, nullptr);
    if (s.net_host)
      cp.op(MountKind::mount, "/sys", "sys", nullptr, MS_BIND | MS_REC | MS_RDONLY | nse, nullptr, k);
    else
      cp.op(MountKind::mount, "sysfs", "sys", "sysfs", nse | MS_RDONLY, nullptr, k);
  }

  // berth's own binds first (/etc/hosts and the like, into the overlay), then the user's
  // volumes and tmpfs mounts, parents before children (as podman sorts them), so a mount inside
  // another lands on it and not under it; each guarded by where its path says it goes.
  static Result<void> plan_binds(const Spec& s, CompiledPlan& cp) {
    for (const auto& b : s.binds)
      if (!b.user)
        cp.op(b.is_file ? MountKind::mount_file : MountKind::mount, cp.keep(b.source), rel(b.target), nullptr,
              MS_BIND | MS_REC | (b.read_only ? MS_RDONLY : 0), nullptr);
    struct UserMount {
      const BindMount* bind;
      const Spec::Tmpfs* tmpfs;
      std::string target;
    };
    std::vector<UserMount> user;
    for (const auto& b : s.binds)
      if (b.user) user.push_back({&b, nullptr, clean_path(b.target)});
    for (const auto& t : s.tmpfs) user.push_back({nullptr, &t, clean_path(t.target)});
    if (std::count_if(s.binds.begin(), s.binds.end(), [](const BindMount& b) { return b.user; }) + 16 > kMaxBinds)
      return fail(Errc::usage, "too many volumes: at most {}", kMaxBinds - 16);
    std::stable_sort(user.begin(), user.end(), [](const UserMount& x, const UserMount& y) {
      return path_depth(x.target) < path_depth(y.target);
    });
    for (const auto& u : user) {
      Guard g = path_within(u.target, "/proc")  ? Guard::in_proc
                : path_within(u.target, "/sys") ? Guard::in_sys
                                                : Guard::user;
      if (u.bind) {
        cp.op(u.bind->is_file ? MountKind::mount_file : MountKind::mount, cp.keep(u.bind->source), rel(u.target),
              nullptr, MS_BIND | MS_REC | (u.bind->read_only ? MS_RDONLY : 0), nullptr, g);
        continue;
      }
      auto [flags, tdata] = TRY(tmpfs_options(*u.tmpfs));
      cp.op(MountKind::mount, "tmpfs", rel(u.target), "tmpfs", flags, tdata.empty() ? nullptr : cp.keep(tdata), g);
    }
    return {};
  }

  // Capabilities, ids and groups, no_new_privs, the seccomp filter (compiled here, loaded by
  // the child as bytes).
  static Result<void> plan_confinement(const Spec& s, CompiledPlan& cp) {
    ChildPlan& p = cp.plan;
    p.last_cap = last_cap();
    p.caps = (s.privileged ? ~0ULL >> (63 - p.last_cap) : s.caps) & current_permitted();
    p.uid = s.uid;
    p.gid = s.gid;
    cp.groups_ = s.groups;
    p.groups = cp.groups_.data();
    p.n_groups = static_cast<unsigned>(cp.groups_.size());
    p.set_groups = s.full_idmap;
    p.no_new_privs = s.no_new_privs;
    if (s.seccomp && !s.privileged) {
      cp.bpf_ = s.seccomp_profile.empty() ? (s.seccomp_cache.empty() ? TRY(compile_default_seccomp())
                                                                     : TRY(default_seccomp_cached(s.seccomp_cache)))
                                          : TRY(compile_profile(s.seccomp_profile, p.caps));
      p.seccomp = cp.bpf_.data();
      p.seccomp_len = static_cast<unsigned short>(cp.bpf_.size());
    }
    return {};
  }

  // argv, envp and the PATH its command is looked up in; the fds the launch fills in later.
  static void plan_process(const Spec& s, CompiledPlan& cp) {
    ChildPlan& p = cp.plan;
    p.cwd = cp.keep(s.cwd.empty() ? "/" : s.cwd);
    for (const auto& a : s.argv) cp.argv_.push_back(cp.keep(a));
    cp.argv_.push_back(nullptr);
    p.argv = cp.argv_.data();
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    for (const auto& e : s.env) {
      cp.envp_.push_back(cp.keep(e));
      if (e.starts_with("PATH=")) path = e.substr(5);
    }
    cp.envp_.push_back(nullptr);
    p.envp = cp.envp_.data();
    p.path_env = cp.keep(path);
    p.stdin_fd = p.stdout_fd = p.stderr_fd = p.tty_fd = p.console_sock = -1;
    p.tty_rows = p.tty_cols = 0;
    p.die_with_parent = true;
    p.sync_fd = -1;
    p.create_workdir = s.create_cwd;
    p.report_fd = -1;
    p.listen_fds = s.listen_fds;
    p.exec_stub_fd = -1;
    p.stub_argv = nullptr;
  }
};

Result<std::unique_ptr<CompiledPlan>> compile(const Spec& s) {
  if (s.argv.empty()) return fail(Errc::usage, "no command specified");
  auto cp = std::make_unique<CompiledPlan>();
  ChildPlan& p = cp->plan;
  PlanBuilder::plan_rootfs(s, *cp);
  PlanBuilder::plan_kernel_mounts(s, *cp);
  TRY(PlanBuilder::plan_binds(s, *cp));
  if (!s.privileged) {
    for (const auto& m : s.masked) cp->op(MountKind::mask, nullptr, rel(m), nullptr, 0, nullptr);
    for (const auto& r : s.readonly_paths) cp->op(MountKind::readonly, nullptr, rel(r), nullptr, 0, nullptr);
  }
  if (s.read_only) cp->op(MountKind::remount_ro, nullptr, s.merged, nullptr, 0, nullptr);
  p.mounts = cp->mounts_.data();
  p.n_mounts = static_cast<unsigned>(cp->mounts_.size());
  p.hostname = s.hostname.empty() ? nullptr : cp->keep(s.hostname);
  p.new_netns = !s.net_host && s.net_join.empty();
  p.netns_fd = -1;
  p.utsns_fd = -1;
  p.ipcns_fd = -1;
  if (!s.uts_join.empty()) p.hostname = nullptr;
  p.new_userns = !s.uid_map.empty();
  p.overlay_fd = -1;
  p.umask = s.umask;
  TRY(PlanBuilder::plan_confinement(s, *cp));
  PlanBuilder::plan_process(s, *cp);
  return cp;
}

Result<void> CompiledPlan::detach_mounts() {
  int fd = child_detail::detached_overlay(plan);
  if (fd < 0) return fail_errno("mount the container's overlay");
  plan.overlay_fd = fds_.emplace_back(fd).get();
  for (auto& op : mounts_) {
    bool bind = op.kind == MountKind::mount || op.kind == MountKind::mount_file || op.kind == MountKind::bind_dev;
    if (!bind || !(op.flags & MS_BIND) || !op.source || op.source[0] != '/') continue;
    auto tree = TRY(sys::clone_mount(op.source, (op.flags & MS_REC) != 0));
    op.tree_fd = fds_.emplace_back(std::move(tree)).get();
  }
  return {};
}

namespace {

// EINVAL from setuid/setgid: the id has no mapping in the user namespace (rootless with too
// few subordinate ids), as podman's "insufficient UIDs or GIDs" says.
Error user_failure(const Spec& s, int err, const std::string& e) {
  if (err == EINVAL)
    return {Errc::system, err,
            fmt::format("set user {}:{}: {}: the id is not mapped in the user namespace (too few subordinate ids? "
                        "`berth system check` says how to add them)",
                        s.uid, s.gid, e)};
  return {Errc::system, err, fmt::format("set user {}:{}: {}", s.uid, s.gid, e)};
}

}  // namespace

Error describe_failure(const Spec& s, const CompiledPlan& cp, const ChildReport& r) {
  std::string e = errno_text(r.err);
  const std::string& cmd = s.argv.front();
  switch (r.stage) {
    case Stage::exec:
      if (r.index == 0 && (r.err == ENOENT || r.err == ENOTDIR)) {
        if (cmd.find('/') != std::string::npos)
          return {Errc::command_not_found, r.err,
                  fmt::format("{}: {}: OCI runtime attempted to invoke a command that was not found", cmd, e)};
        return {Errc::command_not_found, r.err,
                fmt::format("executable file `{}` not found in $PATH: {}: OCI runtime attempted to invoke a command "
                            "that was not found",
                            cmd, e)};
      }
      if (r.index == 0 && (r.err == EACCES || r.err == EPERM || r.err == ENOEXEC || r.err == EISDIR))
        return {Errc::cannot_invoke, r.err, fmt::format("exec {}: {}: OCI permission denied", cmd, e)};
      return {Errc::system, r.err, fmt::format("exec {}: {}", cmd, e)};
    case Stage::mounts: {
      const MountOp& op = cp.mounts()[std::min<size_t>(r.index, cp.mounts().size() - 1)];
      if (op.guard == Guard::kernel && r.err == ELOOP)
        return {Errc::system, r.err,
                fmt::format("mount {} on /{}: the image has a symlink on that path; berth mounts the kernel's "
                            "filesystems only on real directories (CVE-2019-16884)",
                            op.source ? op.source : op.fstype, op.target)};
      return {
          Errc::system, r.err,
          fmt::format("mount {} on /{}: {}", op.source ? op.source : (op.fstype ? op.fstype : "path"), op.target, e)};
    }
    case Stage::overlay: return {Errc::system, r.err, fmt::format("mount the container's overlay root: {}", e)};
    case Stage::pivot: return {Errc::system, r.err, fmt::format("pivot_root: {}", e)};
    case Stage::hostname:
      return {Errc::system, r.err,
              r.index == 0 ? fmt::format("sethostname: {}", e) : fmt::format("bring up the loopback interface: {}", e)};
    case Stage::nnp: return {Errc::system, r.err, fmt::format("set no_new_privs: {}", e)};
    case Stage::seccomp: return {Errc::system, r.err, fmt::format("load the seccomp filter: {}", e)};
    case Stage::caps: return {Errc::system, r.err, fmt::format("set capabilities: {}", e)};
    case Stage::user: return user_failure(s, r.err, e);
    case Stage::workdir:
      // As runc and crun: a working directory that cannot be entered means the command
      // cannot be run there (127 when it does not exist, else 126).
      if (r.index == 1)
        return {
            Errc::cannot_invoke, r.err,
            fmt::format("workdir {} lies outside the container's root: refusing to start (possible breakout)", s.cwd)};
      if (r.err == ELOOP || r.err == EXDEV)
        return {Errc::cannot_invoke, r.err,
                fmt::format("workdir {}: {}: it must resolve to a directory inside the container, not through a "
                            "magic link or out of its root",
                            s.cwd, e)};
      if (r.err == ENOENT && !s.create_cwd)  // -w names it: podman's words and 126
        return {Errc::cannot_invoke, r.err, fmt::format("workdir \"{}\" does not exist on container", s.cwd)};
      return {r.err == ENOENT ? Errc::command_not_found : Errc::cannot_invoke, r.err,
              fmt::format("workdir {}: {}", s.cwd, e)};
    case Stage::join: return {Errc::system, r.err, fmt::format("join the container's namespaces: {}", e)};
    case Stage::guard: {
      if (r.index >= cp.mounts().size())
        return {Errc::cannot_invoke, r.err,
                fmt::format("workdir {} does not exist in the volume it lies in, and berth never creates anything in "
                            "a volume's host directory: create it there first",
                            s.cwd)};
      const MountOp& op = cp.mounts()[r.index];
      if (r.err == EXDEV)
        return {Errc::usage, r.err,
                fmt::format("mount {} on /{}: the destination resolves into /proc or /sys (through a symlink in the "
                            "image): refused",
                            op.source ? op.source : "tmpfs", op.target)};
      return {Errc::usage, r.err,
              fmt::format("mount {} on /{}: the mount point does not exist in the volume it lies in, and berth never "
                          "creates anything in a volume's host directory: create it there first",
                          op.source ? op.source : "tmpfs", op.target)};
    }
    case Stage::stdio:
      if (r.index == 6) return {Errc::system, r.err, fmt::format("close berth's file descriptors: {}", e)};
      return {Errc::system, r.err, fmt::format("set up the container's stdio: {}", e)};
    case Stage::none: break;
  }
  return {Errc::internal, r.err, fmt::format("container setup failed: {}", e)};
}

}  // namespace berth::runtime

#include "berth/sys/userns.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"

namespace berth::sys {

namespace {

constexpr const char* kMarker = "_BERTH_USERNS";

std::string read_text(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  UniqueFd g(fd);
  auto r = read_all(fd, 1 << 20);
  return r ? *r : "";
}

// Runs newuidmap/newgidmap for `pid`; true on success.
bool run_idmap(const char* tool, pid_t pid, unsigned id, const std::vector<IdRange>& ranges) {
  std::vector<std::string> args = {tool, std::to_string(pid)};
  for (auto& a : idmap_args(id, ranges)) args.push_back(std::move(a));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t c = ::fork();
  if (c < 0) return false;
  if (c == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, 2);
    ::execvp(tool, argv.data());
    ::_exit(127);
  }
  int st = 0;
  while (::waitpid(c, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool write_proc(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  UniqueFd g(fd);
  return write_all(fd, text).has_value();
}

}  // namespace

std::vector<std::string> idmap_args(unsigned id, const std::vector<IdRange>& ranges) {
  std::vector<std::string> out = {"0", std::to_string(id), "1"};
  std::uint64_t next = 1;
  for (const auto& r : ranges) {
    out.insert(out.end(), {std::to_string(next), std::to_string(r.start), std::to_string(r.count)});
    next += r.count;
  }
  return out;
}

std::vector<IdRange> find_subids(std::string_view text, std::string_view user, uid_t uid) {
  std::vector<IdRange> out;
  std::uint64_t total = 0;
  std::string suid = std::to_string(uid);
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    auto c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    auto name = line.substr(0, c1);
    if (name != user && name != suid) continue;
    try {
      IdRange r;
      r.start = static_cast<std::uint32_t>(std::stoul(std::string(line.substr(c1 + 1, c2 - c1 - 1))));
      r.count = static_cast<std::uint32_t>(std::stoul(std::string(line.substr(c2 + 1))));
      // Inside ids above 2^32 - 2 do not exist; a range that would reach them is left out.
      if (r.count > 0 && total + r.count < 0xfffffffeULL) {
        out.push_back(r);
        total += r.count;
      }
    } catch (...) {}
  }
  return out;
}

bool rootless() {
  const char* m = std::getenv(kMarker);
  return m && std::string_view(m) == "1";
}

int thread_count() {
  std::string stat = read_text("/proc/self/stat");
  auto rp = stat.rfind(')');
  if (rp == std::string::npos) return 0;
  // Fields after the comm: state(3) ... num_threads is field 20.
  int field = 2;
  size_t i = rp + 1;
  while (i < stat.size() && field < 20) {
    if (stat[i] == ' ') field++;
    i++;
  }
  return std::atoi(stat.c_str() + i);
}

void defer_rootless() {
  if (::geteuid() == 0) return;
  ::setenv("_BERTH_UID", std::to_string(::getuid()).c_str(), 1);
  ::setenv(kMarker, "1", 1);
  ::setenv("_BERTH_USERNS_PENDING", "1", 1);
}

bool rootless_pending() {
  const char* p = std::getenv("_BERTH_USERNS_PENDING");
  return p && std::string_view(p) == "1" && ::geteuid() != 0;
}

Result<void> enter_deferred_rootless() {
  if (!rootless_pending()) return {};
  ::unsetenv(kMarker);
  ::unsetenv("_BERTH_USERNS_PENDING");
  return enter_rootless();
}

bool other_userns(pid_t pid) {
  struct stat mine {
  }, theirs{};
  return ::stat("/proc/self/ns/user", &mine) == 0 &&
         ::stat(fmt::format("/proc/{}/ns/user", pid).c_str(), &theirs) == 0 && mine.st_ino != theirs.st_ino;
}

Result<void> write_id_maps(pid_t pid, const std::string& uid_map, const std::string& gid_map) {
  for (auto [file, text] : {std::pair{"uid_map", &uid_map}, {"gid_map", &gid_map}})
    if (!write_proc(fmt::format("/proc/{}/{}", pid, file).c_str(), *text))
      return fail_errno("write {} ({})", file, text->substr(0, text->find('\n')));
  return {};
}

Result<void> join_userns_of(pid_t pid) {
  int fd = ::open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno("open the user namespace of process {}", pid);
  UniqueFd g(fd);
  // A container with a user namespace of its own (--uidmap, keep-id, auto) is one level
  // further down: the namespace to join is the one just below this process's, berth's.
  struct stat mine {};
  if (::stat("/proc/self/ns/user", &mine) != 0) return fail_errno("stat /proc/self/ns/user");
  for (int depth = 0; depth < 32; depth++) {
    UniqueFd parent(::ioctl(g.get(), NS_GET_PARENT));
    struct stat st {};
    if (!parent || ::fstat(parent.get(), &st) != 0) return fail_errno("the parent of process {}'s user namespace", pid);
    if (st.st_ino == mine.st_ino && st.st_dev == mine.st_dev) break;
    g = std::move(parent);
  }
  if (::setns(g.get(), CLONE_NEWUSER) < 0) return fail_errno("join the user namespace of process {}", pid);
  if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) return fail_errno("become root in the user namespace");
  std::string map = read_text("/proc/self/uid_map");
  ::setenv("_BERTH_USERNS_FULL", std::count(map.begin(), map.end(), '\n') > 1 ? "1" : "0", 1);
  ::unsetenv("_BERTH_USERNS_PENDING");
  return {};
}

namespace {

// Where the user's pause process is recorded: one per user, not per store (the namespace's map
// comes from /etc/subuid, not from a store). The runtime dir when it is the user's and
// private, else /run/user/UID, else /tmp/berth-run-UID (made 0700); "" when none is safe.
std::string pause_dir(uid_t uid) {
  auto private_dir = [uid](const std::string& path, bool create) {
    if (create) ::mkdir(path.c_str(), 0700);
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid && (st.st_mode & 022) == 0;
  };
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x && private_dir(x, false)) {
    std::string d = std::string(x) + "/berth";
    if (private_dir(d, true)) return d;
  }
  std::string run = fmt::format("/run/user/{}", uid);
  if (private_dir(run, false) && private_dir(run + "/berth", true)) return run + "/berth";
  std::string tmp = fmt::format("/tmp/berth-run-{}", uid);
  return private_dir(tmp, true) ? tmp : "";
}

std::string map_text(const std::vector<std::string>& args) {
  std::string out;
  for (size_t i = 0; i + 2 < args.size(); i += 3) out += fmt::format("{} {} {}\n", args[i], args[i + 1], args[i + 2]);
  return out;
}

// The pause process recorded in `dir`, when it is alive (same start time), its user namespace
// is owned by `uid` and maps exactly `uidmap`/`gidmap`: an fd of that namespace. A live pause
// process whose map is another (the ranges changed) is killed: the next one replaces it.
UniqueFd find_pause(const std::string& dir, uid_t uid, const std::string& uidmap, const std::string& gidmap) {
  std::string rec = read_text((dir + "/pause.pid").c_str());
  pid_t pid = 0;
  unsigned long long start = 0;
  if (std::sscanf(rec.c_str(), "%d %llu", &pid, &start) != 2 || pid <= 1 || start == 0) return {};
  UniqueFd ns(::open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
  // Checked after the open: the fd is the recorded process's namespace, not a reused pid's.
  if (!ns || process_start_time(pid) != start) return {};
  uid_t owner = static_cast<uid_t>(-1);
  if (::ioctl(ns.get(), NS_GET_OWNER_UID, &owner) < 0 || owner != uid) return {};
  if (!same_id_map(read_text(fmt::format("/proc/{}/uid_map", pid).c_str()), uidmap) ||
      !same_id_map(read_text(fmt::format("/proc/{}/gid_map", pid).c_str()), gidmap)) {
    log::debug("the pause process {} maps other ids than /etc/subuid and /etc/subgid now give: replacing it", pid);
    ::kill(pid, SIGKILL);
    return {};
  }
  return ns;
}

// Starts the pause process (catatonit -P, as podman's) in the user namespace this process just
// made, detached (its own session, no fds of ours), and records it in `dir`. Without catatonit
// nothing is recorded: every command makes its own namespace, as before.
void start_pause(const std::string& dir) {
  std::string catatonit;
  for (const char* p : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit"})
    if (::access(p, X_OK) == 0) {
      catatonit = p;
      break;
    }
  if (catatonit.empty()) {
    log::debug("no catatonit: no pause process keeps the user namespace (each command makes its own)");
    return;
  }
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return;
  pid_t c = ::fork();
  if (c == 0) {
    ::setsid();
    pid_t g = ::fork();
    if (g == 0) {
      int null = ::open("/dev/null", O_RDWR);
      for (int fd = 0; fd < 3; fd++) ::dup2(null, fd);
      ::close_range(3, ~0U, 0);
      if (::chdir("/") < 0) ::_exit(1);
      sigset_t all;
      ::sigfillset(&all);
      ::sigprocmask(SIG_UNBLOCK, &all, nullptr);
      ::execl(catatonit.c_str(), "catatonit", "-P", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    (void)!::write(p[1], &g, sizeof g);
    ::_exit(g > 0 ? 0 : 1);
  }
  ::close(p[1]);
  pid_t g = -1;
  bool got = c > 0 && ::read(p[0], &g, sizeof g) == static_cast<ssize_t>(sizeof g) && g > 0;
  ::close(p[0]);
  if (c > 0)
    while (::waitpid(c, nullptr, 0) < 0 && errno == EINTR) {}
  if (!got) return;
  unsigned long long start = process_start_time(g);
  if (start == 0) return;
  std::string tmp = fmt::format("{}/pause.pid.{}", dir, ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return;
  UniqueFd f(fd);
  if (!write_all(fd, fmt::format("{} {}\n", g, start)) || ::rename(tmp.c_str(), (dir + "/pause.pid").c_str()) < 0)
    ::unlink(tmp.c_str());
}

void mark_rootless(bool full, uid_t uid) {
  ::setenv(kMarker, "1", 1);
  ::setenv("_BERTH_USERNS_FULL", full ? "1" : "0", 1);
  ::setenv("_BERTH_UID", std::to_string(uid).c_str(), 1);
}

// unshare(CLONE_NEWUSER) and map it: the ranges via newuidmap/newgidmap (a helper process
// runs them for us, from outside), else the user alone. Returns whether the ranges are mapped.
Result<bool> make_userns(uid_t uid, gid_t gid, const std::string& user, const std::vector<IdRange>& subuid,
                         const std::vector<IdRange>& subgid) {
  int sync[2];
  if (::pipe2(sync, O_CLOEXEC) < 0) return fail_errno("pipe");
  pid_t parent = ::getpid();
  pid_t helper = -1;
  if (!subuid.empty() && !subgid.empty()) {
    helper = ::fork();
    if (helper < 0) return fail_errno("fork");
    if (helper == 0) {
      ::close(sync[1]);
      char b;
      if (::read(sync[0], &b, 1) != 1) ::_exit(1);
      bool ok = run_idmap("newuidmap", parent, uid, subuid) && run_idmap("newgidmap", parent, gid, subgid);
      ::_exit(ok ? 0 : 1);
    }
  }
  ::close(sync[0]);
  if (::unshare(CLONE_NEWUSER) < 0) {
    ::close(sync[1]);
    int e = errno;
    if (helper > 0) ::waitpid(helper, nullptr, 0);
    errno = e;
    return fail_errno(
        "cannot create a user namespace (are unprivileged user namespaces enabled? `berth system check` "
        "says what is missing and how to fix it)");
  }
  bool mapped = false;
  if (helper > 0) {
    (void)!::write(sync[1], "x", 1);
    int st = 0;
    while (::waitpid(helper, &st, 0) < 0 && errno == EINTR) {}
    mapped = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  ::close(sync[1]);
  if (!mapped) {
    if (helper > 0)
      log::warn(
          "newuidmap/newgidmap failed for user {}; mapping only uid {} (images with other owners may fail; "
          "`berth system check` says why)",
          user, uid);
    if (!write_proc("/proc/self/setgroups", "deny") ||
        !write_proc("/proc/self/uid_map", fmt::format("0 {} 1\n", uid)) ||
        !write_proc("/proc/self/gid_map", fmt::format("0 {} 1\n", gid)))
      return fail_errno("write the user namespace id map");
  }
  return mapped;
}

}  // namespace

bool same_id_map(std::string_view proc_map, std::string_view want) {
  auto numbers = [](std::string_view t) {
    std::vector<std::uint64_t> out;
    std::uint64_t v = 0;
    bool in = false;
    for (char ch : t) {
      if (ch >= '0' && ch <= '9') {
        v = v * 10 + static_cast<std::uint64_t>(ch - '0');
        in = true;
      } else if (in) {
        out.push_back(v);
        v = 0;
        in = false;
      }
    }
    if (in) out.push_back(v);
    return out;
  };
  auto a = numbers(proc_map);
  return !a.empty() && a.size() % 3 == 0 && a == numbers(want);
}

Result<void> enter_rootless() {
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  if (uid == 0) return {};
  if (rootless()) return fail(Errc::internal, "{} is set but this process is not root in it", kMarker);

  std::string user;
  if (passwd* pw = ::getpwuid(uid)) user = pw->pw_name;
  auto subuid = find_subids(read_text("/etc/subuid"), user, uid);
  auto subgid = find_subids(read_text("/etc/subgid"), user, uid);
  bool ranges = !subuid.empty() && !subgid.empty();
  if (!ranges)
    log::warn(
        "no subuid/subgid range for user {} in /etc/subuid and /etc/subgid; mapping only uid {} "
        "(`berth system check` says how to add one)",
        user.empty() ? std::to_string(uid) : user, uid);
  std::string uidmap = map_text(ranges ? idmap_args(uid, subuid) : idmap_args(uid, {}));
  std::string gidmap = map_text(ranges ? idmap_args(gid, subgid) : idmap_args(gid, {}));

  // The user's pause process keeps one namespace for every command: joining it costs a setns
  // instead of the two setuid helpers' execs (~10 ms). Under a lock, so that commands started
  // together make one.
  std::string dir = pause_dir(uid);
  UniqueFd lock;
  if (!dir.empty()) {
    lock = UniqueFd(::open((dir + "/pause.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (lock) {
      while (::flock(lock.get(), LOCK_EX) < 0 && errno == EINTR) {}
      if (UniqueFd ns = find_pause(dir, uid, uidmap, gidmap); ns && ::setns(ns.get(), CLONE_NEWUSER) == 0) {
        if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0)
          return fail_errno("become root in the user namespace");
        mark_rootless(ranges, uid);
        return {};
      }
    }
  }
  bool mapped = TRY(make_userns(uid, gid, user, subuid, subgid));
  if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) return fail_errno("become root in the user namespace");
  // A namespace whose ranges the helpers failed to map is not kept: the next command tries again.
  if (lock && mapped == ranges) start_pause(dir);
  mark_rootless(mapped, uid);
  return {};
}

}  // namespace berth::sys

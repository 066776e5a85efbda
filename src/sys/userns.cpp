#include "berth/sys/userns.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"

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

Result<void> join_userns_of(pid_t pid) {
  int fd = ::open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno("open the user namespace of process {}", pid);
  UniqueFd g(fd);
  if (::setns(fd, CLONE_NEWUSER) < 0) return fail_errno("join the user namespace of process {}", pid);
  if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) return fail_errno("become root in the user namespace");
  std::string map = read_text("/proc/self/uid_map");
  ::setenv("_BERTH_USERNS_FULL", std::count(map.begin(), map.end(), '\n') > 1 ? "1" : "0", 1);
  ::unsetenv("_BERTH_USERNS_PENDING");
  return {};
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
    else
      log::warn(
          "no subuid/subgid range for user {} in /etc/subuid and /etc/subgid; mapping only uid {} "
          "(`berth system check` says how to add one)",
          user.empty() ? std::to_string(uid) : user, uid);
    if (!write_proc("/proc/self/setgroups", "deny") ||
        !write_proc("/proc/self/uid_map", fmt::format("0 {} 1\n", uid)) ||
        !write_proc("/proc/self/gid_map", fmt::format("0 {} 1\n", gid)))
      return fail_errno("write the user namespace id map");
  }
  if (::setresgid(0, 0, 0) < 0 || ::setresuid(0, 0, 0) < 0) return fail_errno("become root in the user namespace");
  ::setenv(kMarker, "1", 1);
  ::setenv("_BERTH_USERNS_FULL", mapped ? "1" : "0", 1);
  ::setenv("_BERTH_UID", std::to_string(uid).c_str(), 1);
  return {};
}

}  // namespace berth::sys

#include "berth/sys/process.hpp"

#include "berth/core/strings.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "berth/sys/file.hpp"

extern char** environ;

namespace berth::sys {

namespace {

// The fields after the command name of /proc/PID/stat (field 3 onwards); empty when gone.
std::string stat_tail(pid_t pid) {
  UniqueFd fd(::open(fmt::format("/proc/{}/stat", pid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return "";
  auto text = read_all(fd.get(), 4096);  // procfs files have no size to read by
  if (!text) return "";
  auto rp = text->rfind(')');  // the name may hold spaces and parentheses
  return rp == std::string::npos || rp + 2 > text->size() ? "" : text->substr(rp + 2);
}

}  // namespace

std::string find_executable(const std::string& name) {
  const char* path = std::getenv("PATH");
  for (const auto& dir : split(path ? path : "", ':'))
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
  return "";
}

Result<std::string> capture_output(const std::vector<std::string>& argv, size_t max) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return fail_errno("pipe");
  UniqueFd r(p[0]), w(p[1]);
  pid_t pid = TRY(spawn(argv.at(0), argv,
                        SpawnOptions{.fds = {{1, w.get()}}, .new_session = false, .reset_signals = false, .cwd = {}}));
  w.reset();
  auto out = read_all(r.get(), max);
  (void)wait_child(pid);
  return out;
}

std::string self_executable() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

unsigned long long process_start_time(pid_t pid) {
  std::string t = stat_tail(pid);
  // A zombie has exited: its parent is gone or has not reaped it yet, it runs no more.
  if (t.empty() || t[0] == 'Z' || t[0] == 'X') return 0;
  int field = 3;
  size_t i = 0;
  while (i < t.size() && field < 22) {
    if (t[i] == ' ') field++;
    i++;
  }
  return std::strtoull(t.c_str() + i, nullptr, 10);
}

pid_t parent_pid(pid_t pid) {
  std::string t = stat_tail(pid);
  int ppid = 0;
  if (t.empty() || std::sscanf(t.c_str(), "%*c %d", &ppid) != 1) return 0;
  return ppid;
}

std::vector<pid_t> pid_namespace_members(pid_t pid) {
  std::vector<pid_t> out;
  struct stat ns;
  if (::stat(("/proc/" + std::to_string(pid) + "/ns/pid").c_str(), &ns) != 0) return out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    auto p = static_cast<pid_t>(std::atoi(e->d_name));
    struct stat st;
    if (p > 0 && ::stat(("/proc/" + std::to_string(p) + "/ns/pid").c_str(), &st) == 0 && st.st_ino == ns.st_ino &&
        st.st_dev == ns.st_dev)
      out.push_back(p);
  }
  ::closedir(d);
  return out;
}

UniqueFd pidfd_open(pid_t pid) { return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))); }

bool pidfd_signal(int pidfd, int sig) { return ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0; }

bool wait_readable(std::initializer_list<int> fds, int ms) {
  std::vector<pollfd> p;
  for (int fd : fds) p.push_back({fd, POLLIN, 0});  // negative fds are skipped by poll
  return ::poll(p.data(), p.size(), ms) > 0;
}

Result<void> send_signal(pid_t pid, int sig) {
  if (::kill(pid, sig) < 0) return fail_errno("kill {}", pid);
  return {};
}

bool wait_gone(pid_t pid, unsigned long long start_time, int ms) {
  UniqueFd pfd = pidfd_open(pid);
  if (!pfd) return true;
  if (process_start_time(pid) != start_time) return true;  // reused pid: ours is gone
  return wait_readable({pfd.get()}, ms);
}

Result<pid_t> spawn(const std::string& path, const std::vector<std::string>& argv, const SpawnOptions& o) {
  // dup2 onto the same number would keep CLOEXEC: the sources are moved above every target.
  int top = 2;
  for (const auto& [child, parent] : o.fds) top = std::max(top, child);
  std::vector<UniqueFd> moved;
  for (const auto& [child, parent] : o.fds) {
    moved.emplace_back(::fcntl(parent, F_DUPFD_CLOEXEC, top + 1));
    if (!moved.back()) return fail_errno("dup fd {}", parent);
  }
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  short flags = 0;
  if (o.new_session) flags |= POSIX_SPAWN_SETSID;
  if (o.reset_signals) {
    sigset_t none, dfl;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    flags |= POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  }
  posix_spawnattr_setflags(&attr, flags);
  for (int fd = 0; fd < 3; fd++)
    if (std::none_of(o.fds.begin(), o.fds.end(), [&](const auto& d) { return d.first == fd; }))
      posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", O_RDWR, 0);
  for (size_t i = 0; i < o.fds.size(); i++) posix_spawn_file_actions_adddup2(&fa, moved[i].get(), o.fds[i].first);
  posix_spawn_file_actions_addclosefrom_np(&fa, top + 1);
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int r = ::posix_spawn(&pid, path.c_str(), &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (r != 0) return std::unexpected(Error{Errc::system, r, fmt::format("spawn {}: {}", path, errno_text(r))});
  return pid;
}

Result<pid_t> spawn_detached(const std::function<void()>& fn) {
  pid_t child = ::fork();
  if (child < 0) return fail_errno("fork");
  if (child > 0) return child;
  ::setsid();
  ::syscall(SYS_close_range, 0U, ~0U, 0U);
  int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; fd++)
    if (fd != null) ::dup2(null, fd);
  fn();
  ::_exit(0);
}

Error exec_command(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  int e = errno;
  return Error{e == ENOENT ? Errc::command_not_found : Errc::cannot_invoke, e,
               fmt::format("{}: {}", argv[0], errno_text(e))};
}

Result<pid_t> clone_process(unsigned long flags) {
  long pid = ::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) return fail_errno("clone");
  return static_cast<pid_t>(pid);
}

Result<void> run_forked(const std::function<Result<void>()>& fn) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd rd(fds[0]), wr(fds[1]);
  std::fflush(stdout);
  pid_t pid = TRY(clone_process(0));
  if (pid == 0) {
    rd.reset();
    auto r = fn();
    if (!r)
      (void)write_all(
          wr.get(), fmt::format("{} {} {}", static_cast<int>(r.error().code), r.error().sys_errno, r.error().message));
    std::fflush(stdout);
    ::_exit(r ? 0 : 1);
  }
  wr.reset();
  std::string msg = read_all(rd.get(), 1 << 16).value_or("");
  int status = TRY(wait_child(pid));
  if (!msg.empty()) {
    Error e{Errc::system, 0, msg};
    int code = 0, err = 0, used = 0;
    if (std::sscanf(msg.c_str(), "%d %d %n", &code, &err, &used) >= 2)
      e = Error{static_cast<Errc>(code), err, msg.substr(static_cast<size_t>(used))};
    return std::unexpected(e);
  }
  if (status != 0) return fail(Errc::system, "a forked worker ended with status {}", exit_code_of(status));
  return {};
}

Result<void> join_namespace(int fd, int type) {
  if (::setns(fd, type) != 0) return fail_errno("setns");
  return {};
}

Result<void> set_process_rlimit(pid_t pid, int resource, unsigned long long soft, unsigned long long hard) {
  rlimit lim{soft, hard};
  if (::prlimit(pid, static_cast<__rlimit_resource>(resource), &lim, nullptr) != 0) return fail_errno("prlimit");
  return {};
}

std::uint64_t permitted_capabilities() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (::syscall(SYS_capget, &hdr, data) != 0) return ~0ULL;
  return static_cast<std::uint64_t>(data[0].permitted) | (static_cast<std::uint64_t>(data[1].permitted) << 32);
}

Result<std::optional<int>> poll_child(pid_t pid) {
  int st = 0;
  pid_t w = ::waitpid(pid, &st, WNOHANG);
  if (w == pid) return std::optional<int>(st);
  if (w < 0 && errno != EINTR) return fail_errno("wait for process {}", pid);
  return std::optional<int>();
}

Result<int> wait_child(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return fail_errno("wait for process {}", pid);
  }
  return st;
}

int exit_code_of(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 125;
}

}  // namespace berth::sys

// Launch and supervise a container in the foreground.
//
// The parent compiles the plan, blocks the signals it forwards (a signalfd reads them), clones
// the child into new namespaces with a fork-like raw clone (the child gets a copy of the plan),
// then reads the report pipe: EOF means execve happened, 12 bytes are a ChildReport. It then
// polls the signalfd and a pidfd until the container exits.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "berth/runtime/plan.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/userns.hpp"

namespace berth::runtime {

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

Result<int> reap(pid_t pid) {
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return fail_errno("wait for the container");
  }
  return exit_code(st);
}

}  // namespace

Result<int> run_foreground(const Spec& spec, const std::function<void(const Started&)>& on_started) {
  if (int n = sys::thread_count(); n != 1)
    return fail(Errc::internal, "refusing to clone from a process with {} threads", n);
  auto cp = TRY(compile(spec));
  int rep[2];
  if (::pipe2(rep, O_CLOEXEC) < 0) return fail_errno("pipe");
  sys::UniqueFd rd(rep[0]), wr(rep[1]);
  sys::UniqueFd devnull;
  if (!spec.stdin_open) {
    devnull.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    cp->plan.stdin_fd = devnull.get();
  }
  cp->plan.report_fd = wr.get();

  sigset_t block, old;
  sigemptyset(&block);
  for (int s : kForwarded) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &old);
  cp->plan.sigmask = &old;
  sys::UniqueFd sfd(::signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK));

  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (!spec.net_host) flags |= CLONE_NEWNET;
  long pid = ::syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    auto e = fail_errno("clone the container process");
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return e;
  }
  if (pid == 0) child_main(cp->plan);
  wr.reset();
  ChildReport r{};
  ssize_t n;
  do {
    n = ::read(rd.get(), &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof r)) {
    (void)reap(static_cast<pid_t>(pid));
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return std::unexpected(describe_failure(spec, *cp, r));
  }
  on_started(Started{static_cast<pid_t>(pid)});

  sys::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  int result = 125;
  while (true) {
    pollfd fds[2] = {{sfd.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
    int pr = ::poll(fds, pidfd ? 2 : 1, pidfd ? -1 : 100);
    if (pr < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(sfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
        ::kill(static_cast<pid_t>(pid), static_cast<int>(si.ssi_signo));
    }
    int st = 0;
    pid_t w = ::waitpid(static_cast<pid_t>(pid), &st, WNOHANG);
    if (w == pid) {
      result = exit_code(st);
      break;
    }
    if (w < 0 && errno != EINTR) return fail_errno("wait for the container");
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  return result;
}

}  // namespace berth::runtime

// Launch and supervise a container.
//
// The parent compiles the plan, blocks the signals it forwards (a signalfd reads them), clones
// the child into new namespaces with a fork-like raw clone (the child gets a copy of the plan),
// then reads the report pipe: EOF means execve happened, a ChildReport means it failed. It
// then polls the signalfd, a pidfd and the relays (log pipes, pty, stdin) until the
// container exits, and drains what the relays still hold.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "berth/core/log.hpp"
#include "berth/runtime/cgroup.hpp"
#include "berth/runtime/exec_stub.hpp"
#include "berth/runtime/plan.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::runtime {

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 125;
}

void drain(std::vector<Relay>& relays, std::vector<bool>& open) {
  for (size_t i = 0; i < relays.size(); i++) {
    if (!open[i] || !relays[i].drain_after_exit) continue;
    int fl = ::fcntl(relays[i].fd, F_GETFL);
    ::fcntl(relays[i].fd, F_SETFL, fl | O_NONBLOCK);
    for (int n = 0; n < 100000 && relays[i].on_readable(relays[i].fd); n++) {
      pollfd p{relays[i].fd, POLLIN, 0};
      if (::poll(&p, 1, 0) <= 0 || !(p.revents & (POLLIN | POLLHUP))) break;
    }
    ::fcntl(relays[i].fd, F_SETFL, fl);
  }
}

sys::UniqueFd receive_fd(int sock) {
  char byte;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char ctrl[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctrl;
  msg.msg_controllen = sizeof ctrl;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return sys::UniqueFd();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return sys::UniqueFd();
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return sys::UniqueFd(fd);
}

}  // namespace

unsigned long long process_start_time(pid_t pid) {
  int fd = ::open(fmt::format("/proc/{}/stat", pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  sys::UniqueFd g(fd);
  auto text = sys::read_all(fd, 4096);
  if (!text) return 0;
  auto rp = text->rfind(')');
  if (rp == std::string::npos) return 0;
  // A zombie has exited: its parent is gone or has not reaped it yet, it runs no more.
  if (rp + 2 < text->size() && ((*text)[rp + 2] == 'Z' || (*text)[rp + 2] == 'X')) return 0;
  int field = 2;
  size_t i = rp + 1;
  while (i < text->size() && field < 22) {
    if ((*text)[i] == ' ') field++;
    i++;
  }
  return std::strtoull(text->c_str() + i, nullptr, 10);
}

namespace {

// The namespaces `exec` joins, in order (mount last), opened before anything else so a pid
// that is reused meanwhile is noticed.
struct JoinFds {
  std::vector<sys::UniqueFd> fds;
  std::vector<int> raw, types;
  sys::UniqueFd pid_ns;
};

Result<JoinFds> open_join(const JoinTarget& t) {
  JoinFds j;
  for (auto [name, type] : {std::pair{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"mnt", CLONE_NEWNS}}) {
    int fd = ::open(fmt::format("/proc/{}/ns/{}", t.pid, name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno("open the container's {} namespace", name);
    j.fds.emplace_back(fd);
    j.raw.push_back(fd);
    j.types.push_back(type);
  }
  int pfd = ::open(fmt::format("/proc/{}/ns/pid", t.pid).c_str(), O_RDONLY | O_CLOEXEC);
  if (pfd < 0) return fail_errno("open the container's pid namespace");
  j.pid_ns.reset(pfd);
  if (process_start_time(t.pid) != t.start_time) return fail(Errc::conflict, "the container exited");
  return j;
}

// Clone (or, for exec, join) and supervise: one path for run, start, the monitor and exec.
Result<int> launch(const Spec& spec, const Supervision& sup, const JoinTarget* join) {
  if (int n = sys::thread_count(); n != 1)
    return fail(Errc::internal, "refusing to clone from a process with {} threads", n);
  auto cp = TRY(compile(spec));
  log::debug("plan compiled");
  int rep[2];
  if (::pipe2(rep, O_CLOEXEC) < 0) return fail_errno("pipe");
  sys::UniqueFd rd(rep[0]), wr(rep[1]);
  sys::UniqueFd devnull;
  ChildPlan& plan = cp->plan;
  plan.stdin_fd = sup.stdio.in;
  plan.stdout_fd = sup.stdio.out;
  plan.stderr_fd = sup.stdio.err;
  plan.tty_fd = sup.stdio.tty;
  if (sup.stdio.in < 0 && sup.stdio.tty < 0) {
    devnull.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    plan.stdin_fd = devnull.get();
  }
  plan.report_fd = wr.get();
  std::string report_digits = std::to_string(wr.get());
  std::vector<const char*> stub_argv;
  if (int stub = exec_stub_fd(); stub >= 0) {
    stub_argv = {"berth-exec", report_digits.c_str(), plan.path_env};
    for (const char* const* a = plan.argv; *a; a++) stub_argv.push_back(*a);
    stub_argv.push_back(nullptr);
    plan.exec_stub_fd = stub;
    plan.stub_argv = stub_argv.data();
  }
  sys::UniqueFd console_parent, console_child;
  if (sup.console) {
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) return fail_errno("socketpair");
    console_parent.reset(sp[0]);
    console_child.reset(sp[1]);
    plan.console_sock = sp[1];
    plan.tty_rows = sup.console_rows;
    plan.tty_cols = sup.console_cols;
  }

  sigset_t block, old;
  sigemptyset(&block);
  for (int s : kForwarded) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &old);
  plan.sigmask = &old;
  sys::UniqueFd sfd(::signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK));

  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD;
  if (!spec.net_host) flags |= CLONE_NEWNET;
  JoinFds jf;
  if (join) {
    // This process's next child goes into the container's pid namespace (berth itself stays
    // where it is); the child joins the others itself.
    jf = TRY(open_join(*join));
    if (::setns(jf.pid_ns.get(), CLONE_NEWPID) != 0) {
      auto e = fail_errno("join the container's pid namespace");
      sigprocmask(SIG_SETMASK, &old, nullptr);
      return e;
    }
    flags = SIGCHLD;
    plan.die_with_parent = !join->detach;
    plan.create_workdir = false;
  }
  // cgroups: the child waits on a pipe until it has been moved into them.
  Cgroup cg;
  sys::UniqueFd sync_rd, sync_wr;
  if (join || spec.limits.any() || !spec.rlimits.empty()) {
    cg = join ? Cgroup::of_process(join->pid) : Cgroup::create(spec.cgroup_name, spec.limits);
    int sp[2];
    if (::pipe2(sp, O_CLOEXEC) < 0) return fail_errno("pipe");
    sync_rd.reset(sp[0]);
    sync_wr.reset(sp[1]);
    plan.sync_fd = sp[0];
  }
  long pid = ::syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    auto e = fail_errno("clone the container process");
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return e;
  }
  if (pid == 0) {
    if (join) join_main(plan, jf.raw.data(), jf.types.data(), static_cast<unsigned>(jf.raw.size()));
    child_main(plan);
  }
  wr.reset();
  console_child.reset();
  if (sync_wr) {
    cg.add(static_cast<pid_t>(pid));
    for (const auto& rl : spec.rlimits) {
      rlimit lim{rl.soft, rl.hard};
      if (::prlimit(static_cast<pid_t>(pid), static_cast<__rlimit_resource>(rl.resource), &lim, nullptr) != 0) {
        auto e = fail_errno("set ulimit {} (raising a limit above berth's own needs privileges)", rl.text);
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        int st;
        ::waitpid(static_cast<pid_t>(pid), &st, 0);
        if (!join) cg.remove();
        sigprocmask(SIG_SETMASK, &old, nullptr);
        return e;
      }
    }
    (void)!::write(sync_wr.get(), "g", 1);
    sync_wr.reset();
    sync_rd.reset();
  }
  sys::UniqueFd master;
  if (console_parent) master = receive_fd(console_parent.get());  // invalid if the child failed first
  ChildReport r{};
  ssize_t n;
  do {
    n = ::read(rd.get(), &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof r)) {
    int st;
    while (::waitpid(static_cast<pid_t>(pid), &st, 0) < 0 && errno == EINTR) {
    }
    if (!join) cg.remove();
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return std::unexpected(describe_failure(spec, *cp, r));
  }
  std::vector<Relay> relays = sup.relays;
  if (master)  // before on_started, which may want the terminal too
    for (auto& r2 : sup.console(master.get())) relays.push_back(std::move(r2));
  if (sup.on_started) sup.on_started(Started{static_cast<pid_t>(pid), process_start_time(static_cast<pid_t>(pid))});
  if (join && join->detach) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return 0;
  }

  sys::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  std::vector<bool> open(relays.size(), true);
  int result = 125;
  while (true) {
    std::vector<pollfd> fds = {{sfd.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
    std::vector<size_t> which;
    for (size_t i = 0; i < relays.size(); i++)
      if (open[i]) {
        fds.push_back({relays[i].fd, POLLIN, 0});
        which.push_back(i);
      }
    int pr = ::poll(fds.data(), fds.size(), pidfd ? -1 : 100);
    if (pr < 0 && errno != EINTR) break;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(sfd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sup.on_signal && sup.on_signal(sig)) continue;
        ::kill(static_cast<pid_t>(pid), sig);
      }
    }
    for (size_t k = 0; k < which.size(); k++)
      if (fds[k + 2].revents & (POLLIN | POLLHUP | POLLERR))
        open[which[k]] = relays[which[k]].on_readable(relays[which[k]].fd);
    int st = 0;
    pid_t w = ::waitpid(static_cast<pid_t>(pid), &st, WNOHANG);
    if (w == pid) {
      result = exit_code(st);
      break;
    }
    if (w < 0 && errno != EINTR) {
      sigprocmask(SIG_SETMASK, &old, nullptr);
      return fail_errno("wait for the container");
    }
  }
  drain(relays, open);
  if (!join) cg.remove();
  sigprocmask(SIG_SETMASK, &old, nullptr);
  return result;
}

}  // namespace

Result<int> exec_container_process(const Spec& spec, const JoinTarget& target, const Supervision& sup) {
  return launch(spec, sup, &target);
}

Result<int> run_container_process(const Spec& spec, const Supervision& sup) { return launch(spec, sup, nullptr); }

}  // namespace berth::runtime

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

#include <algorithm>
#include <chrono>
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
#include "berth/sys/event.hpp"
#include "berth/sys/mount.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/socket.hpp"
#include "berth/sys/userns.hpp"

namespace berth::runtime {

namespace {

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

unsigned long long process_start_time(pid_t pid) { return sys::process_start_time(pid); }

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
  // A container with a user namespace of its own (--userns, --uidmap): that one first, as it
  // owns the others. (Rootless berth may be in it already: joining one's own fails.)
  bool own_userns = sys::other_userns(t.pid);
  for (auto [name, type] : {std::pair{"user", CLONE_NEWUSER},
                            {"ipc", CLONE_NEWIPC},
                            {"uts", CLONE_NEWUTS},
                            {"net", CLONE_NEWNET},
                            {"mnt", CLONE_NEWNS}}) {
    if (type == CLONE_NEWUSER && !own_userns) continue;
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

// What the parent prepares for the child before the clone: pipes, the console socket, the
// exec stub's argv, the cgroup and its sync pipe. Lives until the container has started.
struct ChildSetup {
  std::unique_ptr<CompiledPlan> cp;
  sys::UniqueFd report_rd, report_wr, devnull, console_parent, console_child, sync_rd, sync_wr;
  // On the heap: stub_argv points into it, and the setup is moved on return (an SSO string's
  // characters would move away with it).
  std::unique_ptr<std::string> report_digits;
  std::vector<const char*> stub_argv;
  Cgroup cg;
  sys::UniqueFd netns;         // --network container:, ns:
  sys::UniqueFd utsns, ipcns;  // a pod's
};

Result<ChildSetup> prepare_child(const Spec& spec, const Supervision& sup, const JoinTarget* join) {
  ChildSetup c;
  c.cp = TRY(compile(spec));
  ChildPlan& plan = c.cp->plan;
  int rep[2];
  if (::pipe2(rep, O_CLOEXEC) < 0) return fail_errno("pipe");
  c.report_rd.reset(rep[0]);
  c.report_wr.reset(rep[1]);
  plan.stdin_fd = sup.stdio.in;
  plan.stdout_fd = sup.stdio.out;
  plan.stderr_fd = sup.stdio.err;
  plan.tty_fd = sup.stdio.tty;
  if (sup.stdio.in < 0 && sup.stdio.tty < 0) {
    c.devnull.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    plan.stdin_fd = c.devnull.get();
  }
  plan.report_fd = c.report_wr.get();
  c.report_digits = std::make_unique<std::string>(std::to_string(c.report_wr.get()));
  if (int stub = exec_stub_fd(); stub >= 0) {
    c.stub_argv = {"berth-exec", c.report_digits->c_str(), plan.path_env};
    for (const char* const* a = plan.argv; *a; a++) c.stub_argv.push_back(*a);
    c.stub_argv.push_back(nullptr);
    plan.exec_stub_fd = stub;
    plan.stub_argv = c.stub_argv.data();
  }
  if (!join && !spec.net_join.empty()) {
    c.netns =
        TRY(context(sys::open_at(AT_FDCWD, spec.net_join, O_RDONLY | O_CLOEXEC), "the network namespace to join"));
    plan.netns_fd = c.netns.get();
  }
  if (!join && !spec.uts_join.empty()) {
    c.utsns = TRY(context(sys::open_at(AT_FDCWD, spec.uts_join, O_RDONLY | O_CLOEXEC), "the UTS namespace to join"));
    plan.utsns_fd = c.utsns.get();
  }
  if (!join && !spec.ipc_join.empty()) {
    c.ipcns = TRY(context(sys::open_at(AT_FDCWD, spec.ipc_join, O_RDONLY | O_CLOEXEC), "the IPC namespace to join"));
    plan.ipcns_fd = c.ipcns.get();
  }
  if (sup.console) {
    auto [parent, child] = TRY(sys::socket_pair(sys::SocketKind::seqpacket));
    c.console_parent = std::move(parent);
    c.console_child = std::move(child);
    plan.console_sock = c.console_child.get();
    plan.tty_rows = sup.console_rows;
    plan.tty_cols = sup.console_cols;
  }
  if (!join && !spec.uid_map.empty()) {
    static bool private_ns = false;  // once per process (the monitor may start its container again)
    if (!private_ns) TRY(context(sys::private_mount_namespace(), "the container's mounts"));
    private_ns = true;
    TRY(c.cp->detach_mounts());
  }
  if (join) {
    plan.die_with_parent = !join->detach;
    plan.create_workdir = false;
  }
  // cgroups: the child waits on a pipe until it has been moved into them.
  // on_created: the parent plumbs the container's network namespace first.
  // Every rootful container has one (pause, stats), with or without limits.
  bool own = !spec.cgroup_name.empty() && !sys::rootless();
  bool cgroup = join || own || spec.limits.any() || !spec.rlimits.empty() || !spec.uid_map.empty();
  if (cgroup || (!join && sup.on_created)) {
    if (cgroup)
      c.cg = join ? Cgroup::of_process(join->pid) : Cgroup::create_for_container(spec.cgroup_name, spec.limits);
    int sp[2];
    if (::pipe2(sp, O_CLOEXEC) < 0) return fail_errno("pipe");
    c.sync_rd.reset(sp[0]);
    c.sync_wr.reset(sp[1]);
    plan.sync_fd = sp[0];
  }
  return c;
}

// The child is in its cgroup, has its rlimits and, with a user namespace of its own, its id
// maps: it may go on.
Result<void> release_child(ChildSetup& c, const Spec& spec, const Supervision& sup, pid_t pid, bool join) {
  if (!c.sync_wr) return {};
  if (!join && sup.on_created)
    if (auto r = sup.on_created(pid); !r) {
      (void)sys::send_signal(pid, SIGKILL);
      (void)sys::wait_child(pid);
      c.cg.remove();
      return std::unexpected(r.error());
    }
  if (!join && !spec.uid_map.empty())
    if (auto r = sys::write_id_maps(pid, spec.uid_map, spec.gid_map); !r) {
      (void)sys::send_signal(pid, SIGKILL);
      (void)sys::wait_child(pid);
      return std::unexpected(with_context(r.error(), "map the container's user namespace"));
    }
  c.cg.add(pid);
  for (const auto& rl : spec.rlimits)
    if (auto r = sys::set_process_rlimit(pid, rl.resource, rl.soft, rl.hard); !r) {
      auto e = fail(Errc::system, "set ulimit {} (raising a limit above berth's own needs privileges): {}", rl.text,
                    errno_text(r.error().sys_errno));
      (void)sys::send_signal(pid, SIGKILL);
      (void)sys::wait_child(pid);
      if (!join) c.cg.remove();
      return e;
    }
  (void)!::write(c.sync_wr.get(), "g", 1);
  c.sync_wr.reset();
  c.sync_rd.reset();
  return {};
}

// Polls the signals, the container's pidfd and the relays until it exits; returns its code.
Result<int> supervise(pid_t pid, int sfd, std::vector<Relay>& relays, const Supervision& sup) {
  sys::UniqueFd pidfd = sys::pidfd_open(pid);
  std::vector<bool> open(relays.size(), true);
  int result = 125;
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::seconds(sup.timeout_s);
  bool timed_out = false;
  while (true) {
    std::vector<pollfd> fds = {{sfd, POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
    std::vector<size_t> which;
    for (size_t i = 0; i < relays.size(); i++)
      if (open[i]) {
        fds.push_back({relays[i].fd, POLLIN, 0});
        which.push_back(i);
      }
    int wait_ms = pidfd ? -1 : 100;
    if (sup.timeout_s > 0 && !timed_out) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      wait_ms = static_cast<int>(std::clamp<long long>(left, 0, wait_ms < 0 ? 1000000 : wait_ms));
    }
    int pr = ::poll(fds.data(), fds.size(), wait_ms);
    if (pr < 0 && errno != EINTR) break;
    if (sup.timeout_s > 0 && !timed_out && Clock::now() >= deadline) {
      (void)sys::send_signal(pid, SIGKILL);
      timed_out = true;
    }
    if (fds[0].revents & POLLIN)
      while (int sig = sys::read_signal(sfd))
        if (!(sup.on_signal && sup.on_signal(sig))) (void)sys::send_signal(pid, sig);
    for (size_t k = 0; k < which.size(); k++)
      if (fds[k + 2].revents & (POLLIN | POLLHUP | POLLERR))
        open[which[k]] = relays[which[k]].on_readable(relays[which[k]].fd);
    auto st = TRY(context(sys::poll_child(pid), "the container"));
    if (st) {
      result = timed_out ? -1 : sys::exit_code_of(*st);
      break;
    }
  }
  drain(relays, open);
  return result;
}

// A pod sharing its pid namespace: the container is cloned into the infra's by a short-lived
// helper that joined it, with CLONE_PARENT, so that it is this process's child all the same.
// (This process cannot join itself: a process whose children go to another pid namespace may
// not start threads, and rootless berth could not come back to its own.) Returns the
// container's pid, as clone does in the parent; never returns in the container.
Result<pid_t> clone_into_pidns(const std::string& path, unsigned long flags, const ChildPlan& plan) {
  auto target = TRY(context(sys::open_at(AT_FDCWD, path, O_RDONLY | O_CLOEXEC), "the pid namespace to join"));
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return fail_errno("pipe");
  sys::UniqueFd rd(p[0]), wr(p[1]);
  pid_t helper = TRY(context(sys::clone_process(0), "fork"));
  if (helper == 0) {
    pid_t pid = -1;
    if (auto j = sys::join_namespace(target.get(), CLONE_NEWPID); j) {
      auto c = sys::clone_process((flags & ~static_cast<unsigned long>(CLONE_NEWPID)) | CLONE_PARENT);
      if (c && *c == 0) child_main(plan);
      pid = c ? *c : -c.error().sys_errno;
    } else {
      pid = -j.error().sys_errno;
    }
    (void)sys::write_all(wr.get(), std::string_view(reinterpret_cast<const char*>(&pid), sizeof pid));
    ::_exit(0);
  }
  wr.reset();
  (void)sys::wait_child(helper);
  // exactly the pid's bytes: the container holds the pipe's other end until it execs
  pid_t pid = -EIO;
  ssize_t n;
  do {
    n = ::read(rd.get(), &pid, sizeof pid);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof pid)) pid = -EIO;
  if (pid < 0) return fail(Errc::system, "join the pod's pid namespace: {}", errno_text(-pid));
  return pid;
}

// Clone (or, for exec, join) and supervise: one path for run, start, the monitor and exec.
Result<int> launch(const Spec& spec, const Supervision& sup, const JoinTarget* join) {
  if (int n = sys::thread_count(); n != 1)
    return fail(Errc::internal, "refusing to clone from a process with {} threads", n);
  auto setup = TRY(prepare_child(spec, sup, join));
  ChildPlan& plan = setup.cp->plan;
  log::debug("plan compiled");
  sys::SignalBlock blocked({SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH});
  plan.sigmask = &blocked.old();
  sys::UniqueFd sfd = sys::signal_fd(blocked.blocked());
  unsigned long flags = CLONE_NEWNS | CLONE_NEWPID;
  if (spec.uts_join.empty()) flags |= CLONE_NEWUTS;
  if (spec.ipc_join.empty()) flags |= CLONE_NEWIPC;
  if (!spec.net_host && spec.net_join.empty()) flags |= CLONE_NEWNET;
  if (!spec.uid_map.empty()) flags |= CLONE_NEWUSER;  // first: it owns the others
  JoinFds jf;
  if (join) {
    // This process's next child goes into the container's pid namespace (berth itself stays
    // where it is); the child joins the others itself.
    jf = TRY(open_join(*join));
    TRY(context(sys::join_namespace(jf.pid_ns.get(), CLONE_NEWPID), "join the container's pid namespace"));
    flags = 0;
  }
  auto cloned =
      !join && !spec.pid_join.empty() ? clone_into_pidns(spec.pid_join, flags, plan) : sys::clone_process(flags);
  if (cloned && *cloned == 0) {
    if (join) join_main(plan, jf.raw.data(), jf.types.data(), static_cast<unsigned>(jf.raw.size()));
    child_main(plan);
  }
  pid_t pid = TRY(context(std::move(cloned), "clone the container process"));
  setup.report_wr.reset();
  setup.console_child.reset();
  TRY(release_child(setup, spec, sup, pid, join != nullptr));
  sys::UniqueFd master;
  if (setup.console_parent) master = receive_fd(setup.console_parent.get());  // invalid if the child failed first
  ChildReport r{};
  ssize_t n;
  do {
    n = ::read(setup.report_rd.get(), &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof r)) {
    (void)sys::wait_child(pid);
    if (!join) setup.cg.remove();
    return std::unexpected(describe_failure(spec, *setup.cp, r));
  }
  std::vector<Relay> relays = sup.relays;
  if (master)  // before on_started, which may want the terminal too
    for (auto& r2 : sup.console(master.get())) relays.push_back(std::move(r2));
  if (sup.on_started) sup.on_started(Started{pid, sys::process_start_time(pid)});
  if (join && join->detach) return 0;
  auto result = supervise(pid, sfd.get(), relays, sup);
  if (!join && !spec.pid_join.empty()) setup.cg.kill_all();
  if (!join) setup.cg.remove();
  return result;
}

}  // namespace

Result<int> exec_container_process(const Spec& spec, const JoinTarget& target, const Supervision& sup) {
  return launch(spec, sup, &target);
}

Result<int> run_container_process(const Spec& spec, const Supervision& sup) { return launch(spec, sup, nullptr); }

}  // namespace berth::runtime

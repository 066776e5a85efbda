// The child: from clone to execve. Every line here runs in a process that shares nothing
// with the parent but a copy of its memory, so the rules are strict (STYLE.md 2.7):
// no allocation, no exceptions (built with -fno-exceptions), no locks, no logging, no NSS.
// Failure is reported as an 8-byte ChildReport on report_fd, then _exit(125).
// Success is the report pipe closing on execve (it is O_CLOEXEC).
//
// Why each step is safe:
// - Every mount target is opened with openat2(RESOLVE_IN_ROOT) relative to the new root and
//   mounted through /proc/self/fd/N, so a symlink in the image (proc -> /etc) resolves inside
//   the container and never onto a host path (CVE-2021-30465 class).
// - pivot_root then detaches the old root: nothing of the host filesystem stays reachable.
// - The bounding set is dropped while we still have CAP_SETPCAP; inheritable stays empty
//   (CVE-2022-29162); seccomp goes on before credentials change so that a filter without
//   no_new_privs can still be installed with CAP_SYS_ADMIN.
// - Every fd berth opened is closed as soon as the child's stdio is in place, but the report
//   pipe, the console socket and the exec stub, which are close-on-exec (CVE-2024-21626: no
//   host fd is reachable through /proc/self/fd, and none leaks in); the working directory is
//   resolved inside the root and checked with getcwd(2) before exec.
#include "berth/runtime/child.hpp"

#include "child_mount.hpp"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/stat.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::runtime {

namespace {

using namespace child_detail;

[[noreturn]] void die(const ChildPlan& p, Stage s, unsigned index) {
  ChildReport r{s, index, errno};
  ssize_t n = ::write(p.report_fd, &r, sizeof r);
  (void)n;
  ::_exit(125);
}

void drop_bounding(const ChildPlan& p) {
  for (unsigned c = 0; c <= p.last_cap; c++)
    if (!(p.caps & (1ULL << c)) && ::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0 && errno != EINVAL) die(p, Stage::caps, c);
}

void set_caps(const ChildPlan& p) {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  std::uint64_t keep = p.uid == 0 ? p.caps : 0;
  data[0].effective = data[0].permitted = static_cast<std::uint32_t>(keep);
  data[1].effective = data[1].permitted = static_cast<std::uint32_t>(keep >> 32);
  if (::syscall(SYS_capset, &hdr, data) != 0) die(p, Stage::caps, 0);
  ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

// The working directory, resolved inside the container's root (CVE-2024-21626): a path through
// a magic link (/proc/self/fd/N, /proc/PID/cwd) or a symlink that climbs out fails instead of
// landing on the host. The kernel then confirms it: getcwd(2) of a directory that the root
// cannot reach starts with "(unreachable)", never with '/'.
void enter_workdir(const ChildPlan& p, const Binds* binds) {
  int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) die(p, Stage::workdir, 0);
  int fd = open_node(root, p.cwd, true, p.create_workdir, binds);
  int e = errno;
  ::close(root);
  errno = e;
  if (fd == kRefused) die(p, Stage::guard, p.n_mounts);
  if (fd < 0) die(p, Stage::workdir, 0);
  int r = ::fchdir(fd);
  e = errno;
  ::close(fd);
  errno = e;
  if (r != 0) die(p, Stage::workdir, 0);
  char buf[4096];
  if (::syscall(SYS_getcwd, buf, sizeof buf) < 0) die(p, Stage::workdir, 1);
  if (buf[0] != '/') {
    errno = EXDEV;
    die(p, Stage::workdir, 1);
  }
}

// Closes every fd above 2 but the first `listen` (socket activation) and those in `keep` (a
// few, any order; -1 ignored): no fd berth opened stays reachable through /proc/self/fd while
// the child resolves paths the image chose (CVE-2024-21626), and none reaches the container.
void close_fds_except(const ChildPlan& p, int* keep, unsigned n) {
  for (unsigned i = 1; i < n; i++)
    for (unsigned j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
      int t = keep[j];
      keep[j] = keep[j - 1];
      keep[j - 1] = t;
    }
  unsigned lo = 3U + (p.listen_fds > 0 ? static_cast<unsigned>(p.listen_fds) : 0U);
  for (unsigned i = 0; i < n; i++) {
    if (keep[i] < 0 || static_cast<unsigned>(keep[i]) < lo) continue;
    if (static_cast<unsigned>(keep[i]) > lo &&
        ::syscall(SYS_close_range, lo, static_cast<unsigned>(keep[i]) - 1, 0U) != 0)
      die(p, Stage::stdio, 6);
    lo = static_cast<unsigned>(keep[i]) + 1;
  }
  if (::syscall(SYS_close_range, lo, ~0U, 0U) != 0) die(p, Stage::stdio, 6);
}

void close_unneeded_fds(const ChildPlan& p) {
  int keep[3] = {p.report_fd, p.console_sock, p.exec_stub_fd};
  close_fds_except(p, keep, 3);
}

[[noreturn]] void exec_command(const ChildPlan& p) {
  const char* file = p.argv[0];
  if (std::strchr(file, '/')) {
    ::execve(file, const_cast<char* const*>(p.argv), const_cast<char* const*>(p.envp));
    die(p, Stage::exec, 0);
  }
  int best = ENOENT;
  char buf[4096];
  const char* dir = p.path_env;
  size_t flen = std::strlen(file);
  while (dir && *dir) {
    const char* end = std::strchr(dir, ':');
    size_t dlen = end ? static_cast<size_t>(end - dir) : std::strlen(dir);
    if (dlen + flen + 2 < sizeof buf) {
      std::memcpy(buf, dir, dlen);
      buf[dlen] = '/';
      std::memcpy(buf + dlen + 1, file, flen + 1);
      ::execve(buf, const_cast<char* const*>(p.argv), const_cast<char* const*>(p.envp));
      if (errno != ENOENT && errno != ENOTDIR) best = errno;
    }
    if (!end) break;
    dir = end + 1;
  }
  errno = best;
  die(p, Stage::exec, 0);
}

// The container's terminal lives in its own devpts (so `tty` inside names a real /dev/pts/N):
// open its ptmx after pivot_root, take the peer, make it the controlling terminal on 0-2, and
// hand the master to the parent.
void make_console(const ChildPlan& p) {
  int master = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) die(p, Stage::stdio, 4);
  int unlock = 0;
  if (::ioctl(master, TIOCSPTLCK, &unlock) != 0) die(p, Stage::stdio, 4);
  int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) die(p, Stage::stdio, 4);
  if (p.tty_rows && p.tty_cols) {
    winsize ws{};
    ws.ws_row = p.tty_rows;
    ws.ws_col = p.tty_cols;
    ::ioctl(master, TIOCSWINSZ, &ws);  // before exec: the command must see the size at once
  }
  if (::setsid() < 0 || ::ioctl(slave, TIOCSCTTY, 0) < 0) die(p, Stage::stdio, 3);
  for (int fd = 0; fd < 3; fd++)
    if (::dup2(slave, fd) < 0) die(p, Stage::stdio, 3);
  char byte = 'c';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char ctrl[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctrl;
  msg.msg_controllen = sizeof ctrl;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &master, sizeof(int));
  if (::sendmsg(p.console_sock, &msg, MSG_NOSIGNAL) != 1) die(p, Stage::stdio, 5);
  ::close(master);
  ::close(slave);
}

// The new network namespace has only a loopback interface, and it starts down: bring it up
// (podman's --network none and berth's private network both give a working 127.0.0.1).
void loopback_up(const ChildPlan& p) {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) die(p, Stage::hostname, 1);
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", 3);
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) != 0) die(p, Stage::hostname, 2);
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  if (::ioctl(s, SIOCSIFFLAGS, &ifr) != 0) die(p, Stage::hostname, 3);
  ::close(s);
}

// From a process already in the container's root and namespaces to execve: terminal,
// no_new_privs, seccomp, capabilities and ids, workdir, fds, exec.
[[noreturn]] void confine_and_exec(const ChildPlan& p, const Binds* binds) {
  if (p.console_sock >= 0) make_console(p);
  if (p.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(p, Stage::nnp, 0);
  if (p.seccomp) {
    sock_fprog prog{p.seccomp_len, const_cast<sock_filter*>(p.seccomp)};
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) die(p, Stage::seccomp, 0);
  }
  drop_bounding(p);
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) die(p, Stage::user, 0);
  if (p.set_groups && ::setgroups(p.n_groups, p.groups) != 0) die(p, Stage::user, 1);
  if (::setresgid(p.gid, p.gid, p.gid) != 0) die(p, Stage::user, 2);
  if (::setresuid(p.uid, p.uid, p.uid) != 0) die(p, Stage::user, 3);
  set_caps(p);
  ::umask(static_cast<mode_t>(p.umask));  // berth's own is 0 (unpacking keeps archive modes)
  enter_workdir(p, binds);
  // Everything above 2 closes on exec, but the sockets systemd passed for activation.
  unsigned keep = p.listen_fds > 0 ? static_cast<unsigned>(p.listen_fds) : 0U;
  for (unsigned fd = 3; fd < 3 + keep; fd++)
    if (::fcntl(static_cast<int>(fd), F_SETFD, 0) != 0) die(p, Stage::exec, 1);
  if (::syscall(SYS_close_range, 3U + keep, ~0U, CLOSE_RANGE_CLOEXEC) != 0) die(p, Stage::exec, 1);
  if (p.exec_stub_fd >= 0) {
    // CVE-2019-5736: the command is started by the sealed stub, so that no execve made while
    // this process is still berth can reach berth's binary (see stub/exec_stub.c).
    if (::fcntl(p.report_fd, F_SETFD, 0) != 0) die(p, Stage::exec, 1);
    ::syscall(SYS_execveat, p.exec_stub_fd, "", p.stub_argv, p.envp, AT_EMPTY_PATH);
    if (errno == EPERM || errno == ENOSYS) {  // a seccomp profile without execveat: by its path
      char path[32];
      fd_path(path, p.exec_stub_fd);
      ::execve(path, const_cast<char* const*>(p.stub_argv), const_cast<char* const*>(p.envp));
    }
    die(p, Stage::exec, 2);
  }
  exec_command(p);
}

void setup_stdio(const ChildPlan& p) {
  if (p.sigmask) ::sigprocmask(SIG_SETMASK, static_cast<const sigset_t*>(p.sigmask), nullptr);
  if (p.tty_fd >= 0) {
    if (::setsid() < 0 || ::ioctl(p.tty_fd, TIOCSCTTY, 0) < 0) die(p, Stage::stdio, 3);
    for (int fd = 0; fd < 3; fd++)
      if (::dup2(p.tty_fd, fd) < 0) die(p, Stage::stdio, 3);
  }
  if (p.stdin_fd >= 0 && ::dup2(p.stdin_fd, 0) < 0) die(p, Stage::stdio, 0);
  if (p.stdout_fd >= 0 && ::dup2(p.stdout_fd, 1) < 0) die(p, Stage::stdio, 1);
  if (p.stderr_fd >= 0 && ::dup2(p.stderr_fd, 2) < 0) die(p, Stage::stdio, 2);
}

}  // namespace

void child_main(const ChildPlan& p) noexcept {
  // A foreground container ends with its berth: a kill -9 of berth must not leak it. (getppid()
  // is 0 in the new pid namespace, so a parent that died before this line goes unnoticed; the
  // window is a few instructions long.)
  if (p.die_with_parent && ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) ::_exit(125);
  if (p.sync_fd >= 0) {
    char go;
    if (::read(p.sync_fd, &go, 1) != 1) ::_exit(125);  // the parent is gone
  }
  // Its own user namespace, mapped by the parent meanwhile: root in it from here on (the files
  // the setup makes belong to the container's root).
  if (p.new_userns && (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0)) die(p, Stage::user, 0);
  if (p.netns_fd >= 0 && ::setns(p.netns_fd, CLONE_NEWNET) != 0) die(p, Stage::join, 0);
  if (p.utsns_fd >= 0 && ::setns(p.utsns_fd, CLONE_NEWUTS) != 0) die(p, Stage::join, 1);
  if (p.ipcns_fd >= 0 && ::setns(p.ipcns_fd, CLONE_NEWIPC) != 0) die(p, Stage::join, 2);
  setup_stdio(p);
  bool detached = p.overlay_fd >= 0;  // the overlay and the binds' sources come as mount fds
  if (!detached) close_unneeded_fds(p);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die(p, Stage::overlay, 0);
  int root = p.overlay_fd;
  if (detached) {
    // Placed over "/" of this mount namespace: any mount point will do, this one always exists
    // and needs no path the container's root may not walk. pivot_root moves it to the top.
    if (::move_mount(root, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) != 0) die(p, Stage::overlay, 1);
  } else {
    if (!mount_overlay(p)) die(p, Stage::overlay, 1);
    root = ::open(p.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) die(p, Stage::overlay, 2);
  }
  // On the stack: the child allocates nothing (4 KiB).
  Binds binds;
  for (unsigned i = 0; i < p.n_mounts; i++)
    if (int r = do_mount_op(root, p.mounts[i], binds); r != 0) die(p, r == kRefused ? Stage::guard : Stage::mounts, i);
  if (detached) {  // the mount fds are attached: none stays open (root goes with exec)
    int keep[4] = {p.report_fd, p.console_sock, p.exec_stub_fd, root};
    close_fds_except(p, keep, 4);
  }
  if (::fchdir(root) != 0 || ::syscall(SYS_pivot_root, ".", ".") != 0) die(p, Stage::pivot, 0);
  if (::umount2(".", MNT_DETACH) != 0 || ::chdir("/") != 0) die(p, Stage::pivot, 1);
  if (p.hostname && ::sethostname(p.hostname, std::strlen(p.hostname)) != 0) die(p, Stage::hostname, 0);
  if (p.new_netns) loopback_up(p);
  confine_and_exec(p, &binds);
}

void join_main(const ChildPlan& p, const int* ns_fds, const int* ns_types, unsigned n_ns) noexcept {
  // Not dumpable until execve: the container cannot ptrace this process or open its
  // /proc/PID/exe, fds or memory while it still holds berth's (CVE-2016-9962, CVE-2019-5736).
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(125);
  if (p.die_with_parent && ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) ::_exit(125);
  if (p.sync_fd >= 0) {
    char go;
    if (::read(p.sync_fd, &go, 1) != 1) ::_exit(125);  // joined the container's cgroups first
  }
  setup_stdio(p);
  // The mount namespace last: joining it also moves root and cwd to the container's root.
  for (unsigned i = 0; i < n_ns; i++)
    if (::setns(ns_fds[i], ns_types[i]) != 0) die(p, Stage::join, i);
  close_unneeded_fds(p);
  if (::chdir("/") != 0) die(p, Stage::join, n_ns);
  confine_and_exec(p, nullptr);
}

}  // namespace berth::runtime

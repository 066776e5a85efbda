// Processes: start times that tell a reused pid apart, pidfds, signals, spawned and forked
// children.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

// The path of the first executable `name` in a directory of PATH, or "".
std::string find_executable(const std::string& name);
// The start time of a process (field 22 of /proc/PID/stat), 0 when it is gone or a zombie.
unsigned long long process_start_time(pid_t pid);
// Its parent's pid (field 4 of /proc/PID/stat), 0 when unknown.
pid_t parent_pid(pid_t pid);
// Every process in the pid namespace of `pid` (a container's), found through /proc.
std::vector<pid_t> pid_namespace_members(pid_t pid);
// pidfd_open(2): readable once the process has ended (it need not be our child); invalid when
// the process is gone or the kernel has no pidfds.
UniqueFd pidfd_open(pid_t pid);
// pidfd_send_signal(2); false with errno set on failure.
bool pidfd_signal(int pidfd, int sig);
// Waits up to `ms` (-1: forever) for an fd to become readable (a pidfd: the process ended).
// Negative fds are ignored; true when one of them became readable.
bool wait_readable(std::initializer_list<int> fds, int ms);
// kill(2) as a Result ("kill PID: ...").
Result<void> send_signal(pid_t pid, int sig);
// Waits up to `ms` for `pid` (started at `start_time`) to end: true once it is gone (or the pid
// is another process's now).
bool wait_gone(pid_t pid, unsigned long long start_time, int ms);

struct SpawnOptions {
  // (fd in the child, fd here). 0, 1 and 2 that are not given are /dev/null; every fd above
  // the highest one given is closed.
  std::vector<std::pair<int, int>> fds;
  bool new_session = false;    // setsid: no terminal, its own process group
  bool reset_signals = false;  // an empty signal mask and SIGPIPE at its default
  std::string cwd;             // the child's working directory (default: this one's)
};
// posix_spawn (vfork-style: safe from a threaded process, no copy of this one). Returns the
// child's pid; nobody waits for it unless the caller does (wait_child).
Result<pid_t> spawn(const std::string& path, const std::vector<std::string>& argv, const SpawnOptions& o);
// Runs `fn` in a child nobody waits for: its own session, 0-2 on /dev/null, every other fd
// closed, ending with _exit(0). For a single-threaded caller about to exit (init reaps it).
Result<pid_t> spawn_detached(const std::function<void()>& fn);
// Replaces this process with `argv` (searched in PATH, as execvp does); returns only when
// that failed: the error (127-class when not found, 126-class otherwise).
Error exec_command(const std::vector<std::string>& argv);
// Runs `argv` (0 and 2 on /dev/null) and returns what it wrote to stdout, at most `max` bytes.
Result<std::string> capture_output(const std::vector<std::string>& argv, size_t max);
// The path of this process's executable (/proc/self/exe), "" when unknown.
std::string self_executable();
// A raw clone(2) with fork's semantics (a copy of this process, SIGCHLD to the parent) into the
// new namespaces of `flags`: the child's pid here, 0 in the child. Only from a single-threaded
// process; the child must end in exec or _exit.
Result<pid_t> clone_process(unsigned long flags);
// Runs `fn` in a forked copy of this process (clone_process's rules) and waits for it: its
// result, an error carried back whole. For work that changes the process (a mount namespace).
Result<void> run_forked(const std::function<Result<void>()>& fn);
// setns(2): this process (or, for a pid namespace, its next children) joins `fd`'s namespace.
Result<void> join_namespace(int fd, int type);
// prlimit(2) on another process.
Result<void> set_process_rlimit(pid_t pid, int resource, unsigned long long soft, unsigned long long hard);
// The permitted capabilities of this process (capget), all ones when it cannot tell.
std::uint64_t permitted_capabilities();
// waitpid(2) with WNOHANG: the wait status once the child has ended, nothing while it runs.
Result<std::optional<int>> poll_child(pid_t pid);
// waitpid(2) retried on EINTR: the wait status.
Result<int> wait_child(pid_t pid);
// The calling process's exit code for a wait status: the code, or 128+N for signal N.
int exit_code_of(int wait_status);

}  // namespace berth::sys

// Processes: start times that tell a reused pid apart, pidfds, signals, spawned and forked
// children.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

// The start time of a process (field 22 of /proc/PID/stat), 0 when it is gone or a zombie.
unsigned long long process_start_time(pid_t pid);
// Its parent's pid (field 4 of /proc/PID/stat), 0 when unknown.
pid_t parent_pid(pid_t pid);
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
  bool new_session = false;   // setsid: no terminal, its own process group
  bool reset_signals = false;  // an empty signal mask and SIGPIPE at its default
};
// posix_spawn (vfork-style: safe from a threaded process, no copy of this one). Returns the
// child's pid; nobody waits for it unless the caller does (wait_child).
Result<pid_t> spawn(const std::string& path, const std::vector<std::string>& argv, const SpawnOptions& o);
// Runs `fn` in a child nobody waits for: its own session, 0-2 on /dev/null, every other fd
// closed, ending with _exit(0). For a single-threaded caller about to exit (init reaps it).
Result<pid_t> spawn_detached(const std::function<void()>& fn);
// waitpid(2) retried on EINTR: the wait status.
Result<int> wait_child(pid_t pid);
// The calling process's exit code for a wait status: the code, or 128+N for signal N.
int exit_code_of(int wait_status);

}  // namespace berth::sys

// What a supervising process polls: signals as fds, timers as fds.
#pragma once

#include <signal.h>

#include <cstdint>
#include <initializer_list>

#include "berth/sys/fd.hpp"

namespace berth::sys {

// Blocks `signals` for this thread while it lives (they are then read from a signal_fd) and
// restores the previous mask when it goes. old() is that previous mask (for a child to take).
class SignalBlock {
 public:
  explicit SignalBlock(std::initializer_list<int> signals);
  explicit SignalBlock(const sigset_t& set);
  ~SignalBlock();
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;
  const sigset_t& blocked() const { return set_; }
  const sigset_t& old() const { return old_; }
  // Puts the old mask back now (the destructor then does nothing).
  void restore();

 private:
  sigset_t set_{}, old_{};
  bool active_ = true;
};

// signalfd(2) for `set` (non-blocking, close-on-exec): the signals in it arrive as reads of
// signalfd_siginfo; invalid on failure.
UniqueFd signal_fd(const sigset_t& set);
// Reads the next pending signal of a signal_fd: its number, or 0 when none is pending.
int read_signal(int fd);
// This process's disposition of `sig` back to the default (a child about to exec, SIGPIPE).
void default_signal(int sig);
// Ignores `sig` (SIGPIPE while writing to peers that may go away).
void ignore_signal(int sig);
// Ignores `sig` from ignore() on, and puts its previous disposition back when it goes.
class ScopedIgnore {
 public:
  explicit ScopedIgnore(int sig) : sig_(sig) {}
  ~ScopedIgnore();
  ScopedIgnore(const ScopedIgnore&) = delete;
  ScopedIgnore& operator=(const ScopedIgnore&) = delete;
  void ignore();

 private:
  int sig_;
  bool active_ = false;
  struct sigaction old_ {};
};

// A monotonic timerfd (non-blocking, close-on-exec); invalid on failure.
UniqueFd timer_fd();
// Arms it: first expiry after `first_ns` (0: disarm), then every `interval_ns` (0: once).
bool arm_timer(int fd, std::int64_t first_ns, std::int64_t interval_ns = 0);
// Reads and clears its expiry count (0 when it had not expired).
std::uint64_t read_timer(int fd);

}  // namespace berth::sys

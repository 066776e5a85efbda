#include "berth/sys/event.hpp"

#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

namespace berth::sys {

SignalBlock::SignalBlock(std::initializer_list<int> signals) {
  sigemptyset(&set_);
  for (int s : signals) sigaddset(&set_, s);
  ::sigprocmask(SIG_BLOCK, &set_, &old_);
}

SignalBlock::SignalBlock(const sigset_t& set) : set_(set) { ::sigprocmask(SIG_BLOCK, &set_, &old_); }

SignalBlock::~SignalBlock() { restore(); }

void SignalBlock::restore() {
  if (active_) ::sigprocmask(SIG_SETMASK, &old_, nullptr);
  active_ = false;
}

UniqueFd signal_fd(const sigset_t& set) { return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)); }

int read_signal(int fd) {
  signalfd_siginfo si;
  if (::read(fd, &si, sizeof si) != static_cast<ssize_t>(sizeof si)) return 0;
  return static_cast<int>(si.ssi_signo);
}

void default_signal(int sig) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(sig, &dfl, nullptr);
}

void ignore_signal(int sig) {
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(sig, &ign, nullptr);
}

void ScopedIgnore::ignore() {
  if (active_) return;
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  active_ = ::sigaction(sig_, &ign, &old_) == 0;
}

ScopedIgnore::~ScopedIgnore() {
  if (active_) ::sigaction(sig_, &old_, nullptr);
}

UniqueFd timer_fd() { return UniqueFd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)); }

bool arm_timer(int fd, std::int64_t first_ns, std::int64_t interval_ns) {
  constexpr std::int64_t kS = 1'000'000'000;
  itimerspec its{};
  its.it_value.tv_sec = first_ns / kS;
  its.it_value.tv_nsec = first_ns % kS;
  its.it_interval.tv_sec = interval_ns / kS;
  its.it_interval.tv_nsec = interval_ns % kS;
  return ::timerfd_settime(fd, 0, &its, nullptr) == 0;
}

std::uint64_t read_timer(int fd) {
  std::uint64_t ticks = 0;
  if (::read(fd, &ticks, sizeof ticks) != static_cast<ssize_t>(sizeof ticks)) return 0;
  return ticks;
}

}  // namespace berth::sys

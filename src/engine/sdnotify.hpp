// systemd's notify protocol (sd_notify(3)) for berth as a unit's main process:
// --sdnotify=conmon: berth says READY=1 (and MAINPID) itself once the container runs;
// --sdnotify=container: the container gets a socket of its own at /run/notify/notify.sock and
//   what it sends is relayed, READY=1 with berth's (or the monitor's) pid as MAINPID, because
//   systemd accepts notifications only from the unit's main process by default;
// --sdnotify=ignore: nothing is sent, and NOTIFY_SOCKET never reaches the container.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::engine::detail {

inline constexpr const char* kNotifyDir = "/run/notify";
inline constexpr const char* kNotifySocket = "/run/notify/notify.sock";

// Checks a --sdnotify value.
Result<void> check_sdnotify_mode(std::string_view mode);

// Sends one datagram to $NOTIFY_SOCKET; no socket set is a success. A socket that cannot be
// reached only warns: the container runs all the same.
void sd_notify(std::string_view message);
// The container could not start: STATUS= with the error (systemctl status shows it) and
// ERRNO= when there is one.
void sd_notify_error(const Error& e);

// The relay of --sdnotify=container: a datagram socket at DIR/notify.sock (DIR is bind-mounted
// at /run/notify in the container).
class NotifyRelay {
 public:
  static Result<NotifyRelay> open(const std::string& dir);
  int fd() const { return fd_.get(); }
  // Reads one datagram and forwards it, MAINPID rewritten to `main_pid`. Always true: the
  // socket stays open as long as the container runs.
  bool forward(pid_t main_pid);

 private:
  sys::UniqueFd fd_;
};

}  // namespace berth::engine::detail

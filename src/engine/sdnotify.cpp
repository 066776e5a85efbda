#include "sdnotify.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include "berth/core/log.hpp"
#include "berth/sys/socket.hpp"

namespace berth::engine::detail {

Result<void> check_sdnotify_mode(std::string_view mode) {
  if (mode == "conmon" || mode == "container" || mode == "ignore" || mode == "healthy") return {};
  return fail(Errc::usage, "invalid --sdnotify value \"{}\": use conmon, container, healthy or ignore", mode);
}

void sd_notify(std::string_view message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return;
  if (auto r = sys::send_datagram(path, message); !r) {
    if (r.error().code == Errc::usage)
      log::warn("NOTIFY_SOCKET \"{}\" is not a socket path; systemd is not told", path);
    else
      log::warn("cannot notify systemd at {}: {}", path, errno_text(r.error().sys_errno));
  }
}

Result<NotifyRelay> NotifyRelay::open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("create {}", dir);
  // Bound through /proc/self/fd/N: a deep --root does not fit in sun_path.
  sys::UniqueFd dfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) return fail_errno("open {}", dir);
  NotifyRelay r;
  r.fd_ = TRY(sys::bind_unix(dfd.get(), "notify.sock", sys::SocketKind::datagram, true));
  // Any user of the container may notify, as with a host unit's socket.
  ::fchmodat(dfd.get(), "notify.sock", 0777, 0);
  return r;
}

bool NotifyRelay::forward(pid_t main_pid) {
  char buf[4096];
  ssize_t n = sys::receive_message(fd_.get(), buf, sizeof buf - 1);
  if (n <= 0) return true;
  std::string_view in(buf, static_cast<size_t>(n));
  std::string out;
  bool ready = false;
  while (!in.empty()) {
    auto nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (line.empty() || line.starts_with("MAINPID=")) continue;
    if (line == "READY=1") ready = true;
    out += std::string(line) + "\n";
  }
  if (ready) out = fmt::format("MAINPID={}\n", main_pid) + out;
  if (!out.empty()) sd_notify(out);
  return true;
}

void sd_notify_error(const Error& e) {
  std::string text = e.message;
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::string msg = "STATUS=Error: " + text + "\n";
  if (e.sys_errno > 0) msg += fmt::format("ERRNO={}\n", e.sys_errno);
  sd_notify(msg);
}

}  // namespace berth::engine::detail

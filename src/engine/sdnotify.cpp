#include "sdnotify.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include "berth/core/log.hpp"

namespace berth::engine::detail {

namespace {

// Fills `sa` for a socket path; '@' names an abstract socket, as systemd writes them.
bool socket_address(const std::string& path, sockaddr_un& sa, socklen_t& len) {
  sa = {};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sa.sun_path) return false;
  std::memcpy(sa.sun_path, path.data(), path.size());
  if (sa.sun_path[0] == '@') sa.sun_path[0] = 0;
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (path[0] == '@' ? 0 : 1));
  return true;
}

}  // namespace

Result<void> check_sdnotify_mode(std::string_view mode) {
  if (mode == "conmon" || mode == "container" || mode == "ignore" || mode == "healthy") return {};
  return fail(Errc::usage, "invalid --sdnotify value \"{}\": use conmon, container, healthy or ignore", mode);
}

void sd_notify(std::string_view message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return;
  sockaddr_un sa;
  socklen_t len;
  if (!socket_address(path, sa, len)) {
    log::warn("NOTIFY_SOCKET \"{}\" is not a socket path; systemd is not told", path);
    return;
  }
  sys::UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd || ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sa), len) < 0)
    log::warn("cannot notify systemd at {}: {}", path, errno_text(errno));
}

Result<NotifyRelay> NotifyRelay::open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno("create {}", dir);
  ::unlink((dir + "/notify.sock").c_str());
  // Bound through /proc/self/fd/N: a deep --root does not fit in sun_path.
  sys::UniqueFd dfd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) return fail_errno("open {}", dir);
  std::string path = fmt::format("/proc/self/fd/{}/notify.sock", dfd.get());
  sockaddr_un sa;
  socklen_t len;
  if (!socket_address(path, sa, len)) return fail(Errc::system, "notify socket path too long: {}", path);
  NotifyRelay r;
  r.fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!r.fd_) return fail_errno("socket");
  if (::bind(r.fd_.get(), reinterpret_cast<sockaddr*>(&sa), len) < 0) return fail_errno("bind {}", path);
  // Any user of the container may notify, as with a host unit's socket.
  ::fchmodat(dfd.get(), "notify.sock", 0777, 0);
  return r;
}

bool NotifyRelay::forward(pid_t main_pid) {
  char buf[4096];
  ssize_t n = ::recv(fd_.get(), buf, sizeof buf - 1, 0);
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

#include "berth/sys/socket.hpp"

#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace berth::sys {

namespace {

int type_of(SocketKind k) {
  switch (k) {
    case SocketKind::stream: return SOCK_STREAM;
    case SocketKind::datagram: return SOCK_DGRAM;
    case SocketKind::seqpacket: return SOCK_SEQPACKET;
  }
  return SOCK_STREAM;
}

// sun_path holds 107 bytes; /proc/self/fd/N/NAME always fits.
bool address(std::string_view path, sockaddr_un& a, socklen_t& len) {
  a = sockaddr_un{};
  a.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof a.sun_path) return false;
  std::memcpy(a.sun_path, path.data(), path.size());
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  if (a.sun_path[0] == '@') {  // abstract namespace
    a.sun_path[0] = '\0';
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  }
  return true;
}

std::string in_dir(int dirfd, std::string_view name) { return fmt::format("/proc/self/fd/{}/{}", dirfd, name); }

}  // namespace

Result<UniqueFd> bind_unix(int dirfd, std::string_view name, SocketKind kind, bool nonblock) {
  ::unlinkat(dirfd, std::string(name).c_str(), 0);
  UniqueFd s(::socket(AF_UNIX, type_of(kind) | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0));
  if (!s) return fail_errno("socket");
  sockaddr_un a;
  socklen_t len;
  std::string path = in_dir(dirfd, name);
  if (!address(path, a, len)) return fail(Errc::system, "socket path too long: {}", path);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), len) != 0) return fail_errno("bind the socket {}", name);
  if (kind != SocketKind::datagram && ::listen(s.get(), 16) != 0) return fail_errno("listen on the socket {}", name);
  return s;
}

Result<UniqueFd> connect_unix(int dirfd, std::string_view name, SocketKind kind) {
  UniqueFd s(::socket(AF_UNIX, type_of(kind) | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno("socket");
  sockaddr_un a;
  socklen_t len;
  std::string path = in_dir(dirfd, name);
  if (!address(path, a, len)) return fail(Errc::system, "socket path too long: {}", path);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&a), len) != 0) return fail_errno("connect to {}", name);
  return s;
}

UniqueFd accept_connection(int listen_fd, int send_timeout_s) {
  UniqueFd c(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
  if (c && send_timeout_s > 0) {
    timeval tv{send_timeout_s, 0};
    ::setsockopt(c.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  return c;
}

Result<std::pair<UniqueFd, UniqueFd>> socket_pair(SocketKind kind) {
  int sp[2];
  if (::socketpair(AF_UNIX, type_of(kind) | SOCK_CLOEXEC, 0, sp) != 0) return fail_errno("socketpair");
  return std::pair{UniqueFd(sp[0]), UniqueFd(sp[1])};
}

Result<void> send_datagram(std::string_view path, std::string_view message) {
  sockaddr_un a;
  socklen_t len;
  if (!address(path, a, len)) return fail(Errc::usage, "\"{}\" is not a socket path", path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket");
  if (::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&a), len) < 0)
    return fail_errno("send to {}", path);
  return {};
}

ssize_t send_message(int fd, std::string_view data) { return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL); }

ssize_t receive_message(int fd, char* buf, size_t n) { return ::recv(fd, buf, n, 0); }

Result<std::uint16_t> probe_port(bool udp, std::uint32_t addr, std::uint16_t port) {
  UniqueFd fd(::socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno("socket");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(addr);
  sa.sin_port = htons(port);
  // As the listener that will take it (pasta, slirp4netns, any server): connections of an
  // earlier one in TIME_WAIT do not make the port busy; a live listener still does.
  int one = 1;
  if (!udp) (void)::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return fail_errno("bind port {}", port);
  socklen_t len = sizeof sa;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) < 0) return fail_errno("getsockname");
  return ntohs(sa.sin_port);
}

}  // namespace berth::sys

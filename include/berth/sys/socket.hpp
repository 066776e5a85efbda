// Unix sockets: the attach socket of a detached container, the notify sockets of systemd
// units. Paths are reached through a directory fd (/proc/self/fd/N/NAME), so that a deep
// --root never overflows sun_path's 107 bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

enum class SocketKind { stream, datagram, seqpacket };

// A socket bound to `name` in directory `dirfd` (a stale one is removed first); stream and
// seqpacket sockets listen. `nonblock` for datagram sockets polled in a loop.
Result<UniqueFd> bind_unix(int dirfd, std::string_view name, SocketKind kind, bool nonblock = false);
// Connects to `name` in directory `dirfd`.
Result<UniqueFd> connect_unix(int dirfd, std::string_view name, SocketKind kind);
// The next connection on a listening socket (O_CLOEXEC), with a send timeout of `send_timeout_s`
// seconds when > 0 (a client that stops reading cannot stall the sender for long). Invalid on
// error (errno set).
UniqueFd accept_connection(int listen_fd, int send_timeout_s = 0);
// A connected pair (O_CLOEXEC).
Result<std::pair<UniqueFd, UniqueFd>> socket_pair(SocketKind kind);
// Sends one datagram to the socket at `path` (abstract when it starts with '@', as systemd's
// NOTIFY_SOCKET may). Fails for a path that is no socket path.
Result<void> send_datagram(std::string_view path, std::string_view message);
// Binds a TCP (or UDP) socket to IPv4 `addr` (host byte order) and `port` (0: any free one) in
// this network namespace and closes it again; returns the port. A taken port fails with
// EADDRINUSE in sys_errno.
Result<std::uint16_t> probe_port(bool udp, std::uint32_t addr, std::uint16_t port);
// send(2) with MSG_NOSIGNAL (a peer gone is EPIPE, never SIGPIPE); the bytes sent or -1.
ssize_t send_message(int fd, std::string_view data);
// recv(2): the bytes received, 0 at the end, -1 with errno.
ssize_t receive_message(int fd, char* buf, size_t n);

}  // namespace berth::sys

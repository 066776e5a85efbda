// `berth attach` and the monitor's end of it (attach.hpp has the protocol).
#include "attach.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>

#include "berth/core/log.hpp"
#include "berth/engine/run.hpp"
#include "berth/sys/terminal.hpp"
#include "berth/sys/file.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/event.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/socket.hpp"

namespace berth::engine {

namespace {

bool send_packet(int fd, char type, std::string_view data) {
  std::string msg(1, type);
  msg.append(data);
  return sys::send_message(fd, msg) == static_cast<ssize_t>(msg.size());
}

}  // namespace

namespace detail {

AttachHub::~AttachHub() { finish(-1); }

Result<void> AttachHub::listen(const std::string& dir) {
  sys::UniqueFd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!d) return fail_errno("open {}", dir);
  sys::UniqueFd s = TRY(sys::bind_unix(d.get(), kAttachSocket, sys::SocketKind::seqpacket));
  int p[2];
  if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return fail_errno("pipe");
  listen_ = std::move(s);
  wake_rd_.reset(p[0]);
  wake_wr_.reset(p[1]);
  return {};
}

void AttachHub::serve(int stdin_fd, int master) {
  if (!listen_) return;
  stdin_fd_ = stdin_fd;
  master_ = master;
  thread_ = std::thread([this] { loop(); });
}

void AttachHub::drop(int fd) {
  std::lock_guard g(mu_);
  auto it = std::find(clients_.begin(), clients_.end(), fd);
  if (it == clients_.end()) return;
  clients_.erase(it);
  ::close(fd);
}

void AttachHub::loop() {
  std::vector<char> buf(65536 + 1);
  while (true) {
    std::vector<pollfd> fds = {{wake_rd_.get(), POLLIN, 0}, {listen_.get(), POLLIN, 0}};
    {
      std::lock_guard g(mu_);
      for (int c : clients_) fds.push_back({c, POLLIN, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) return;
    if (fds[0].revents) return;
    if (fds[1].revents & POLLIN) {
      // A client that stops reading must not stall the container's output for long.
      if (sys::UniqueFd conn = sys::accept_connection(listen_.get(), 1)) {
        std::lock_guard g(mu_);
        clients_.push_back(conn.release());
      }
    }
    for (size_t i = 2; i < fds.size(); i++) {
      if (!fds[i].revents) continue;
      ssize_t n = sys::receive_message(fds[i].fd, buf.data(), buf.size());
      if (n <= 0) {
        drop(fds[i].fd);
        continue;
      }
      if (buf[0] == '0' && stdin_fd_ >= 0) {
        (void)sys::write_all(stdin_fd_, std::string_view(buf.data() + 1, static_cast<size_t>(n - 1)));
      } else if (buf[0] == 'w' && master_ >= 0 && n == 5) {
        unsigned short rows, cols;
        std::memcpy(&rows, buf.data() + 1, 2);
        std::memcpy(&cols, buf.data() + 3, 2);
        sys::set_winsize(master_, rows, cols);
      }
    }
  }
}

void AttachHub::broadcast(char type, std::string_view data) {
  std::vector<int> gone;
  {
    std::lock_guard g(mu_);
    for (int c : clients_)
      if (!send_packet(c, type, data)) gone.push_back(c);
  }
  for (int c : gone) drop(c);
}

void AttachHub::pause() {
  if (!thread_.joinable()) return;
  (void)!::write(wake_wr_.get(), "q", 1);
  thread_.join();
  char b;
  while (::read(wake_rd_.get(), &b, 1) == 1) {}
}

void AttachHub::finish(int exit_code) {
  if (thread_.joinable()) {
    (void)!::write(wake_wr_.get(), "q", 1);
    thread_.join();
  }
  std::lock_guard g(mu_);
  for (int c : clients_) {
    if (exit_code >= 0) send_packet(c, 'x', std::to_string(exit_code));
    ::close(c);
  }
  clients_.clear();
  listen_.reset();
}

}  // namespace detail

namespace {

// "ctrl-p,ctrl-q" -> {0x10, 0x11}; also single characters ("a") as Docker allows.
Result<std::string> parse_detach_keys(const std::string& spec) {
  std::string keys;
  if (spec.empty()) return keys;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    std::string k = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (k.size() == 1) {
      keys += k;
    } else if (k.size() == 6 && k.starts_with("ctrl-")) {
      char ch = k[5];
      if (ch >= 'a' && ch <= 'z')
        keys += static_cast<char>(ch - 'a' + 1);
      else if (ch == '@')
        keys += '\0';
      else if (ch >= '[' && ch <= '_')
        keys += static_cast<char>(ch - '[' + 27);
      else
        return fail(Errc::usage, "invalid detach keys \"{}\": unknown key {}", spec, k);
    } else {
      return fail(Errc::usage, "invalid detach keys \"{}\": unknown key {}", spec, k);
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return keys;
}

// What of `in` goes on to the container: all of it but the detach keys. A partial match is
// held back (`matched` keys so far, across reads) and given back when the sequence breaks;
// `detached` once the whole sequence came.
std::string pass_detach_keys(std::string_view in, const std::string& keys, size_t& matched, bool& detached) {
  std::string out;
  for (size_t i = 0; i < in.size() && !detached; i++) {
    char ch = in[i];
    if (!keys.empty() && ch == keys[matched]) {
      if (++matched == keys.size()) detached = true;
      continue;
    }
    out.append(keys, 0, matched);
    matched = 0;
    if (!keys.empty() && ch == keys[0]) {
      matched = 1;
      if (keys.size() == 1) detached = true;
      continue;
    }
    out += ch;
  }
  return out;
}

void send_winsize(int sock) {
  unsigned short rows = 0, cols = 0;
  if (!sys::terminal_size(rows, cols)) return;
  char msg[5] = {'w'};
  std::memcpy(msg + 1, &rows, 2);
  std::memcpy(msg + 3, &cols, 2);
  sys::send_message(sock, std::string_view(msg, sizeof msg));
}

}  // namespace

Result<int> attach_container(Context& c, const AttachOptions& o) {
  std::string keys = TRY(parse_detach_keys(o.detach_keys));
  std::string id = TRY(container_id(c, o.container));
  auto rec = TRY(store::read_container(c.store, id));
  if (!rec.state.alive()) return fail(Errc::usage, "you can only attach to running containers");
  std::string dir = store::container_run_dir(c.store, id);
  sys::UniqueFd d(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!d) return fail_errno("open {}", dir);
  sys::UniqueFd sock = TRY(context(sys::connect_unix(d.get(), detail::kAttachSocket, sys::SocketKind::seqpacket),
                                   fmt::format("attach to container {}", o.container)));
  bool tty = rec.config.tty;
  bool read_stdin = !o.no_stdin && rec.config.interactive;
  std::optional<sys::RawMode> raw;
  if (tty && read_stdin) raw.emplace(0);
  if (tty) send_winsize(sock.get());

  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGWINCH);
  if (o.sig_proxy)  // otherwise they end attach as they would any program, and the container runs on
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&block, s);
  sys::SignalBlock blocked(block);
  sys::UniqueFd sfd = sys::signal_fd(block);
  pid_t pid = rec.state.pid;

  std::vector<char> buf(65536 + 1);
  size_t matched = 0;  // detach keys seen so far
  std::optional<int> code;
  bool detached = false;
  while (!code && !detached) {
    std::vector<pollfd> fds = {{sock.get(), POLLIN, 0}, {sfd.get(), POLLIN, 0}};
    if (read_stdin) fds.push_back({0, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & POLLIN) {
      while (int sig = sys::read_signal(sfd.get())) {
        if (sig == SIGWINCH) {
          if (tty) send_winsize(sock.get());
        } else if (o.sig_proxy) {
          (void)sys::send_signal(pid, sig);
        }
      }
    }
    if (fds[0].revents) {
      ssize_t n = sys::receive_message(sock.get(), buf.data(), buf.size());
      if (n <= 0) break;
      std::string_view data(buf.data() + 1, static_cast<size_t>(n - 1));
      if (buf[0] == '1')
        (void)sys::write_all(1, data);
      else if (buf[0] == '2')
        (void)sys::write_all(2, data);
      else if (buf[0] == 'x')
        code = std::atoi(std::string(data).c_str());
    }
    if (read_stdin && fds.size() > 2 && fds[2].revents) {
      ssize_t n = ::read(0, buf.data(), buf.size() - 1);
      if (n <= 0) {
        read_stdin = false;  // the container's stdin stays open, as podman's does
        continue;
      }
      std::string out = pass_detach_keys(std::string_view(buf.data(), static_cast<size_t>(n)), keys, matched, detached);
      if (!out.empty()) send_packet(sock.get(), '0', out);
    }
  }
  blocked.restore();
  raw.reset();
  if (detached) return 0;
  if (code) return *code;
  // The monitor went away without a word: what the record says.
  auto now = store::read_container(c.store, id);
  if (now && !now->state.alive()) return now->state.exit_code;
  return fail(Errc::system, "lost the connection to container {}", o.container);
}

}  // namespace berth::engine

// Attaching to a detached container. The monitor serves a SOCK_SEQPACKET socket, `attach` in
// the container's directory; every packet is one type byte and its data:
//   monitor -> client: '1' stdout, '2' stderr, 'x' the exit code (decimal) just before it closes
//   client -> monitor: '0' stdin, 'w' the terminal size (two uint16: rows, cols)
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::engine::detail {

inline constexpr const char* kAttachSocket = "attach";

// The monitor's side. listen() before the container is cloned (no thread yet: berth clones
// only from a single-threaded process); serve() starts the thread once it runs.
class AttachHub {
 public:
  AttachHub() = default;
  AttachHub(const AttachHub&) = delete;
  AttachHub& operator=(const AttachHub&) = delete;
  ~AttachHub();

  Result<void> listen(const std::string& dir);
  // stdin_fd: where clients' input goes (-1: the container has no open stdin); master: the
  // container's terminal, resized on request (-1: none).
  void serve(int stdin_fd, int master);
  void broadcast(char type, std::string_view data);
  // Stops serving (the thread ends; clients stay connected): a monitor must be single-threaded
  // again before it starts the container anew (--restart). serve() resumes.
  void pause();
  // Tells every client the exit code and closes them.
  void finish(int exit_code);

 private:
  void loop();
  void drop(int fd);
  sys::UniqueFd listen_, wake_rd_, wake_wr_;
  int stdin_fd_ = -1, master_ = -1;
  std::mutex mu_;
  std::vector<int> clients_;
  std::thread thread_;
};

}  // namespace berth::engine::detail

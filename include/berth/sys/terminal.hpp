// Terminals for -t: raw mode on the user's terminal, window sizes. (The pty itself is made in
// the container's own devpts by the child.)
#pragma once

#include <termios.h>

namespace berth::sys {

// Puts `fd` (a terminal) in raw mode and restores it when destroyed. Not a terminal: no-op.
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

// Copies the window size of terminal `from` to `to`; false when `from` is no terminal.
bool copy_winsize(int from, int to);
// The size of the first of fds 0, 1, 2 that is a terminal; false when none is.
bool terminal_size(unsigned short& rows, unsigned short& cols);
// Sets terminal `fd`'s window size (the kernel then signals its foreground group).
bool set_winsize(int fd, unsigned short rows, unsigned short cols);

}  // namespace berth::sys

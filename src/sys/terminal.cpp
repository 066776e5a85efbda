#include "berth/sys/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

namespace berth::sys {

RawMode::RawMode(int fd) : fd_(fd) {
  if (!::isatty(fd) || ::tcgetattr(fd, &saved_) != 0) return;
  termios raw = saved_;
  ::cfmakeraw(&raw);
  active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
}

RawMode::~RawMode() {
  if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
}

bool copy_winsize(int from, int to) {
  winsize ws{};
  if (::ioctl(from, TIOCGWINSZ, &ws) != 0) return false;
  return ::ioctl(to, TIOCSWINSZ, &ws) == 0;
}

bool terminal_size(unsigned short& rows, unsigned short& cols) {
  for (int fd = 0; fd < 3; fd++) {
    winsize ws{};
    if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
      rows = ws.ws_row;
      cols = ws.ws_col;
      return true;
    }
  }
  return false;
}

bool set_winsize(int fd, unsigned short rows, unsigned short cols) {
  winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  return ::ioctl(fd, TIOCSWINSZ, &ws) == 0;
}

}  // namespace berth::sys

#include "berth/sys/fd.hpp"

#include <unistd.h>

namespace berth::sys {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace berth::sys

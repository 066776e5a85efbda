#include "berth/sys/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <string>

namespace berth::sys {

Result<FileLock> FileLock::acquire(int dir, std::string_view name, Mode mode) {
  std::string n(name);
  int fd = ::openat(dir, n.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail_errno("open lock {}", n);
  UniqueFd guard(fd);
  int op = mode == Mode::shared ? LOCK_SH : LOCK_EX;
  while (::flock(fd, op) < 0) {
    if (errno != EINTR) return fail_errno("lock {}", n);
  }
  return FileLock(std::move(guard));
}

Result<bool> FileLock::try_lock_fd(int fd, Mode mode) {
  int op = (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  if (::flock(fd, op) == 0) return true;
  if (errno == EWOULDBLOCK) return false;
  return fail_errno("lock");
}

Result<void> FileLock::lock_fd(int fd, Mode mode) {
  while (::flock(fd, mode == Mode::shared ? LOCK_SH : LOCK_EX) != 0)
    if (errno != EINTR) return fail_errno("lock");
  return {};
}

}  // namespace berth::sys

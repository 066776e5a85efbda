// flock-based locks. The lock lives with the open file description, so a killed holder never
// leaves a stale lock behind; we never call LOCK_UN (a forked child sharing the description
// would release the parent's lock).
#pragma once

#include <string_view>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

class FileLock {
 public:
  enum class Mode { shared, exclusive };
  // Opens (creating) `name` in `dir` and blocks until the lock is held.
  static Result<FileLock> acquire(int dir, std::string_view name, Mode mode);
  // Locks an already open fd without blocking; false when another process holds it.
  static Result<bool> try_lock_fd(int fd, Mode mode);
  // Locks an already open fd (a directory berth holds), blocking until it is held; the lock
  // goes with the fd.
  static Result<void> lock_fd(int fd, Mode mode);
  FileLock() = default;

 private:
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace berth::sys

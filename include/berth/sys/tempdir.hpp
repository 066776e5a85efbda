// A work directory under the store's tmp/, holding a flock on itself for as long as it lives.
// The sweeper removes only entries it can lock, so it never deletes another process's live
// work, and a killed process's leftovers go with the next writer's sweep.
#pragma once

#include <string>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

class TempDir {
 public:
  static Result<TempDir> create(int tmp_dir, std::string_view prefix);
  TempDir() = default;
  ~TempDir();
  TempDir(TempDir&&) noexcept;
  TempDir& operator=(TempDir&&) noexcept;

  int fd() const { return fd_.get(); }
  const std::string& name() const { return name_; }  // relative to tmp/
  // Keep the directory (its content was renamed away or it is wanted).
  // Also drops the lock and the fd at once: a renamed-away directory is somebody else's now
  // (rm of a just-created container must not wait on its creator's lock).
  void release() {
    tmp_dir_ = -1;
    fd_.reset();
  }

 private:
  int tmp_dir_ = -1;
  std::string name_;
  UniqueFd fd_;
};

// Removes every entry of `tmp_dir` whose lock nobody holds. Returns how many went.
int sweep_tmp(int tmp_dir);

}  // namespace berth::sys

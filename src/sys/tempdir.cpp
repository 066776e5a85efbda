#include "berth/sys/tempdir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/lock.hpp"

namespace berth::sys {

Result<TempDir> TempDir::create(int tmp_dir, std::string_view prefix) {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<unsigned long>(getpid()));
  for (int attempt = 0; attempt < 20; attempt++) {
    std::string name = fmt::format("{}-{:016x}", prefix, rng());
    if (::mkdirat(tmp_dir, name.c_str(), 0700) < 0) {
      if (errno == EEXIST) continue;
      return fail_errno("mkdir tmp/{}", name);
    }
    int fd = ::openat(tmp_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;  // swept between mkdir and open: try another name
    UniqueFd guard(fd);
    if (::flock(fd, LOCK_EX | LOCK_NB) < 0) continue;
    struct stat st;
    if (::fstat(fd, &st) < 0 || st.st_nlink == 0) continue;  // swept before we locked it
    TempDir t;
    t.tmp_dir_ = tmp_dir;
    t.name_ = name;
    t.fd_ = std::move(guard);
    return t;
  }
  return fail(Errc::system, "cannot create a work directory in tmp/");
}

TempDir::~TempDir() {
  if (tmp_dir_ >= 0 && !name_.empty()) {
    auto r = remove_tree(tmp_dir_, name_);
    if (!r) log::debug("remove tmp/{}: {}", name_, r.error().message);
  }
}

TempDir::TempDir(TempDir&& o) noexcept
    : tmp_dir_(std::exchange(o.tmp_dir_, -1)), name_(std::move(o.name_)), fd_(std::move(o.fd_)) {}

TempDir& TempDir::operator=(TempDir&& o) noexcept {
  if (this != &o) {
    this->~TempDir();
    new (this) TempDir(std::move(o));
  }
  return *this;
}

int sweep_tmp(int tmp_dir) {
  auto names = list_dir(tmp_dir, ".");
  if (!names) return 0;
  int removed = 0;
  for (const auto& n : *names) {
    int fd = ::openat(tmp_dir, n.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      // Not openable (a dangling temp symlink, say): nobody can be using it through a lock.
      if (remove_tree(tmp_dir, n)) removed++;
      continue;
    }
    UniqueFd guard(fd);
    auto free = FileLock::try_lock_fd(fd, FileLock::Mode::exclusive);
    if (free && *free) {
      if (remove_tree(tmp_dir, n)) removed++;
      log::debug("swept tmp/{}", n);
    }
  }
  return removed;
}

}  // namespace berth::sys

#include "berth/sys/file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <csignal>
#include <optional>
#include <thread>
#include <random>
#include <set>
#include <utility>

namespace berth::sys {

namespace {

long do_openat2(int dir, const std::string& path, int flags, mode_t mode, unsigned long long resolve) {
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = resolve;
  long r;
  do {
    r = syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  } while (r < 0 && errno == EAGAIN);
  return r;
}

std::string random_suffix() {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<unsigned long>(getpid()));
  return fmt::format("{:016x}", rng());
}

}  // namespace

Result<UniqueFd> open_beneath(int dir, std::string_view path, int flags, mode_t mode, bool no_symlinks) {
  std::string p(path.empty() ? "." : path);
  unsigned long long res = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  if (no_symlinks) res |= RESOLVE_NO_SYMLINKS;
  long fd = do_openat2(dir, p, flags, mode, res);
  if (fd < 0) return fail_errno("open {}", p);
  return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> open_in_root(int root, std::string_view path, int flags) {
  std::string p(path.empty() ? "." : path);
  long fd = do_openat2(root, p, flags, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) return fail_errno("open {}", p);
  return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> open_at(int dir, std::string_view path, int flags, mode_t mode) {
  std::string p(path);
  int fd = ::openat(dir, p.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return fail_errno("open {}", p);
  return UniqueFd(fd);
}

Result<void> through_pipe(const std::function<Result<void>(int write_fd)>& produce,
                          const std::function<Result<void>(int read_fd)>& consume) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
  UniqueFd rd(p[0]), wr(p[1]);
  std::optional<Error> error;
  std::thread producer([&] {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    try {
      auto r = produce(wr.get());
      if (!r) error = r.error();
    } catch (const std::exception& ex) {  // a thread entry point: nothing may escape (STYLE 2.5)
      error = Error{Errc::internal, 0, ex.what()};
    }
    wr.reset();
  });
  auto r = consume(rd.get());
  rd.reset();  // a consumer that failed must not leave the producer blocked on a full pipe
  producer.join();
  if (error && !(error->sys_errno == EPIPE && !r))
    return std::unexpected(*error);  // EPIPE: the consumer's failure came first
  return r;
}

Result<void> write_output_file(const std::string& path, const std::function<Result<void>(int fd)>& fill) {
  std::string target = abs_path(path);
  std::string dir = target.substr(0, target.rfind('/') + 1);
  std::string base = target.substr(target.rfind('/') + 1);
  if (base.empty()) return fail(Errc::usage, "{}: not a file name", path);
  auto dfd = TRY(open_at(AT_FDCWD, dir.empty() ? "/" : dir, O_RDONLY | O_DIRECTORY));
  std::string tmp = fmt::format(".{}.berth-tmp-{}", base, ::getpid());
  auto out = TRY(open_at(dfd.get(), tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
  Result<void> ok = fill(out.get());
  if (ok && ::fsync(out.get()) < 0) ok = fail_errno("fsync {}", path);
  if (ok && ::renameat(dfd.get(), tmp.c_str(), dfd.get(), base.c_str()) < 0) ok = fail_errno("rename to {}", path);
  if (!ok) ::unlinkat(dfd.get(), tmp.c_str(), 0);
  return ok;
}

Result<std::string> read_all(int fd, size_t max_bytes) {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read");
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes)
      return fail(Errc::invalid_input, "file larger than {} bytes", max_bytes);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<std::string> read_file_at(int dir, std::string_view path, size_t max_bytes) {
  UniqueFd fd = TRY(open_beneath(dir, path, O_RDONLY));
  return context(read_all(fd.get(), max_bytes), path);
}

Result<std::string> read_host_file(const std::string& path, size_t max_bytes) {
  UniqueFd fd = TRY(open_at(AT_FDCWD, path, O_RDONLY));
  return context(read_all(fd.get(), max_bytes), path);
}

Result<std::vector<std::string>> list_host_dir(const std::string& path) {
  UniqueFd fd = TRY(open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY));
  return list_dir(fd.get(), ".");
}

Result<void> write_host_file(const std::string& path, std::string_view data) {
  UniqueFd fd = TRY(open_at(AT_FDCWD, path, O_WRONLY));
  return context(write_all(fd.get(), data), path);
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

namespace {

Result<void> replace_file(int dir, std::string_view name, std::string_view data, mode_t mode, bool sync) {
  std::string tmp = fmt::format(".{}.tmp-{}", name, random_suffix());
  int fd = ::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return fail_errno("create {}", tmp);
  UniqueFd guard(fd);
  auto ok = [&]() -> Result<void> {
    TRY(context(write_all(fd, data), tmp));
    if (sync && ::fsync(fd) < 0) return fail_errno("fsync {}", tmp);
    if (::renameat(dir, tmp.c_str(), dir, std::string(name).c_str()) < 0)
      return fail_errno("rename {} to {}", tmp, name);
    return {};
  }();
  if (!ok) {
    ::unlinkat(dir, tmp.c_str(), 0);
    return ok;
  }
  if (sync) ::fsync(dir);
  return {};
}

}  // namespace

Result<void> write_replace(int dir, std::string_view name, std::string_view data, mode_t mode) {
  return replace_file(dir, name, data, mode, false);
}

Result<void> write_atomic(int dir, std::string_view name, std::string_view data, mode_t mode) {
  return replace_file(dir, name, data, mode, true);
}

Result<void> ensure_dir(int dir, std::string_view name, mode_t mode) {
  std::string n(name);
  if (::mkdirat(dir, n.c_str(), mode) == 0) return {};
  if (errno != EEXIST) return fail_errno("mkdir {}", n);
  struct stat st;
  if (::fstatat(dir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno("stat {}", n);
  if (!S_ISDIR(st.st_mode)) return fail(Errc::conflict, "{} exists and is not a directory", n);
  return {};
}

Result<void> check_private_dir(int fd, std::string_view path, std::string_view what) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return fail_errno("stat {}", path);
  if (!S_ISDIR(st.st_mode)) return fail(Errc::system, "{} {} is not a directory", what, path);
  if (st.st_uid != ::geteuid())
    return fail(Errc::system,
                "refusing to use {} as {}: it belongs to another user (uid {}), who could change what berth "
                "trusts there; choose another directory",
                path, what, st.st_uid);
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return fail(Errc::system,
                "refusing to use {} as {}: it is writable by other users (mode {:04o}); "
                "chmod go-w it or choose another directory",
                path, what, st.st_mode & 07777);
  return {};
}

Result<UniqueFd> make_dirs(int dir, std::string_view path, mode_t mode) {
  UniqueFd cur = TRY(open_beneath(dir, ".", O_PATH | O_DIRECTORY));
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto comp = path.substr(i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") return fail(Errc::invalid_input, "path {} leaves its directory", path);
    TRY(ensure_dir(cur.get(), comp, mode));
    cur = TRY(open_beneath(cur.get(), comp, O_PATH | O_DIRECTORY, 0, true));
  }
  return cur;
}

namespace {

Result<void> remove_children(int fd) {
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return fail_errno("dup");
  DIR* d = ::fdopendir(dup);
  if (!d) {
    ::close(dup);
    return fail_errno("opendir");
  }
  std::vector<std::pair<std::string, bool>> entries;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    entries.emplace_back(n, e->d_type == DT_DIR);
  }
  ::closedir(d);
  for (auto& [n, is_dir] : entries) {
    if (::unlinkat(fd, n.c_str(), 0) == 0) continue;
    if (errno != EISDIR && errno != EPERM && !is_dir) return fail_errno("unlink {}", n);
    TRY(remove_tree(fd, n));
  }
  return {};
}

}  // namespace

Result<void> remove_tree(int dir, std::string_view name) {
  std::string n(name);
  if (::unlinkat(dir, n.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) return fail_errno("unlink {}", n);
  int fd = ::openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    if (errno == EACCES) {
      // A directory without write/execute bits (as images may carry): open it up first.
      ::fchmodat(dir, n.c_str(), 0700, 0);
      fd = ::openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) return fail_errno("open {}", n);
  }
  UniqueFd guard(fd);
  struct stat st;
  if (::fstat(fd, &st) == 0 && (st.st_mode & 0700) != 0700) ::fchmod(fd, 0700);
  TRY(remove_children(fd));
  if (::unlinkat(dir, n.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT) return fail_errno("rmdir {}", n);
  return {};
}

bool exists_at(int dir, std::string_view path) {
  struct stat st;
  return ::fstatat(dir, std::string(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

Result<std::vector<std::string>> list_dir(int dir, std::string_view path) {
  UniqueFd fd = TRY(open_beneath(dir, path, O_RDONLY | O_DIRECTORY));
  DIR* d = ::fdopendir(fd.release());
  if (!d) return fail_errno("opendir {}", path);
  std::vector<std::string> out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

namespace {
void tree_size_fd(int fd, unsigned long long& total, std::set<std::pair<dev_t, ino_t>>& seen) {
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  DIR* d = dup >= 0 ? ::fdopendir(dup) : nullptr;
  if (!d) {
    if (dup >= 0) ::close(dup);
    return;
  }
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    struct stat st;
    if (::fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISDIR(st.st_mode)) {
      int sub = ::openat(fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) {
        tree_size_fd(sub, total, seen);
        ::close(sub);
      }
    } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
      if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
      total += static_cast<unsigned long long>(st.st_size);
    }
  }
  ::closedir(d);
}
}  // namespace

unsigned long long tree_size(int dir, std::string_view path) {
  int fd = ::openat(dir, std::string(path).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  unsigned long long total = 0;
  std::set<std::pair<dev_t, ino_t>> seen;
  tree_size_fd(fd, total, seen);
  ::close(fd);
  return total;
}

UniqueFd make_memfd(const char* name, bool sealing, bool exec) {
  constexpr unsigned kExec = 0x0010U;  // MFD_EXEC (6.3+)
  unsigned flags = MFD_CLOEXEC | (sealing ? MFD_ALLOW_SEALING : 0);
  int fd = ::memfd_create(name, flags | (exec ? kExec : 0));
  if (fd < 0 && exec && errno == EINVAL) fd = ::memfd_create(name, flags);
  return UniqueFd(fd);
}

std::string abs_path(std::string_view p) {
  if (!p.empty() && p[0] == '/') return std::string(p);
  char buf[PATH_MAX];
  if (!::getcwd(buf, sizeof buf)) return std::string(p);
  return fmt::format("{}/{}", buf, p);
}

}  // namespace berth::sys

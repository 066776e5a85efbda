// Layer extraction. Every tar member is hostile until proven otherwise.
//
// Attacks this file stops (SECURITY.md section 2 and the layer-unpack classes):
// - "../x", "/etc/x": refused by clean_member_path before anything is created.
// - a symlink entry followed by an entry that writes through it (same layer): every parent is
//   opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a symlink in the middle of a
//   path is ELOOP and the layer is refused. A symlink as the *last* component is replaced, never
//   followed (entries unlink what is there first; files are opened O_EXCL|O_NOFOLLOW).
// - hardlinks out of the layer or to a symlink: the target is opened the same way, and linkat
//   is called without AT_SYMLINK_FOLLOW, so a link to a symlink links the symlink itself.
// - chmod/chown/utimes through symlinks (CVE-2021-32760): metadata is set on the fd we created,
//   or with AT_SYMLINK_NOFOLLOW.
// - forged overlay xattrs (trusted.overlay.* / user.overlay.*) are dropped: they would fake
//   opaque dirs or redirects on lower layers.
// - device nodes are skipped rootless (none can be made in a user namespace; the blob keeps
//   them, so a save is unchanged); whiteouts naming "." or ".." are refused.
// - an entry naming the layer root ("." or "./") that is not a directory (a symlink to /tmp,
//   say) is refused: it would redirect every later entry (umoci CVE-2021-29136).
// libarchive's archive_write_disk is not used: it works relative to the process cwd, which is
// unsafe for parallel unpack, and its checks are not these.
#include "berth/image/unpack.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <set>

#include "berth/core/log.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "archive_error.hpp"

namespace berth::image {

namespace {

using sys::UniqueFd;

Result<std::string> parent_of(const std::string& p, std::string& base) {
  auto slash = p.rfind('/');
  if (slash == std::string::npos) {
    base = p;
    return std::string(".");
  }
  base = p.substr(slash + 1);
  return p.substr(0, slash);
}

// Opens (creating when missing) the directory `rel` under the layer root, never through a
// symlink.
Result<UniqueFd> open_parent(int root, const std::string& rel) {
  auto fd = sys::open_beneath(root, rel, O_RDONLY | O_DIRECTORY, 0, true);
  if (fd) return fd;
  if (fd.error().sys_errno == ELOOP || fd.error().sys_errno == EXDEV)
    return fail(Errc::invalid_input, "{} goes through a symlink", rel);
  if (fd.error().sys_errno == ENOTDIR) return fail(Errc::invalid_input, "{} is not a directory", rel);
  if (fd.error().sys_errno != ENOENT) return std::unexpected(fd.error());
  auto made = sys::make_dirs(root, rel, 0755);
  if (!made) {
    if (made.error().sys_errno == ELOOP || made.error().sys_errno == EXDEV)
      return fail(Errc::invalid_input, "{} goes through a symlink", rel);
    return std::unexpected(made.error());
  }
  return sys::open_beneath(root, rel, O_RDONLY | O_DIRECTORY, 0, true);
}

// Removes whatever `base` is in `dir`, unless both it and the new entry are directories.
Result<void> clear_slot(int dir, const std::string& base, bool new_is_dir) {
  struct stat st;
  if (::fstatat(dir, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return {};
    return fail_errno("stat {}", base);
  }
  if (S_ISDIR(st.st_mode)) {
    if (new_is_dir) return {};
    return sys::remove_tree(dir, base);
  }
  if (::unlinkat(dir, base.c_str(), 0) < 0) return fail_errno("unlink {}", base);
  return {};
}

// Writes the entry's data blocks at their offsets (holes stay holes); returns the end offset.
Result<la_int64_t> write_data(archive* a, int fd, std::uint64_t& bytes) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  la_int64_t end = 0;
  while (true) {
    int r = archive_read_data_block(a, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return std::unexpected(archive_failure(a, "read layer data"));
    const char* p = static_cast<const char*>(buf);
    size_t left = size;
    la_int64_t off = offset;
    while (left > 0) {
      ssize_t n = ::pwrite(fd, p, left, off);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail_errno("write");
      }
      p += n;
      left -= static_cast<size_t>(n);
      off += n;
    }
    bytes += size;
    end = offset + static_cast<la_int64_t>(size);
  }
  return end;
}

bool allowed_xattr(const char* name) {
  std::string_view n(name);
  if (n.starts_with("trusted.") || n.starts_with("user.overlay.")) return false;
  if (n.starts_with("security.")) return n == "security.capability";
  return n.starts_with("user.");
}

void apply_xattrs(archive_entry* e, int fd, const std::string& path) {
  archive_entry_xattr_reset(e);
  const char* name;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (!allowed_xattr(name)) continue;
    if (::fsetxattr(fd, name, value, size, 0) < 0)
      log::debug("{}: cannot set xattr {}: {}", path, name, errno_text(errno));
  }
}

class Unpacker {
 public:
  Unpacker(int root, const UnpackOptions& o) : root_(root), opt_(o) {}

  Result<void> entry(archive* a, archive_entry* e) {
    const char* raw = archive_entry_pathname(e);
    if (!raw) return fail(Errc::invalid_input, "corrupt layer data: a tar member has an unreadable name");
    std::string path = TRY(clean_member_path(raw));
    // The layer root itself: a directory entry changes nothing (the root stays as berth made
    // it); anything else would replace or redirect the root, so that the next entries land
    // wherever it points (umoci CVE-2021-29136).
    if (path == ".") {
      if (archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e)) return {};
      return fail(Errc::invalid_input, "tar member \"{}\" would replace the layer's root directory (CVE-2021-29136)",
                  raw);
    }
    if (cached_ && (cached_path_ == path || cached_path_.starts_with(path + "/"))) cached_.reset();
    std::string base;
    std::string parent = TRY(parent_of(path, base));
    if (opt_.whiteouts && base.starts_with(".wh.")) return whiteout(parent, base, path);
    if (opt_.merge) written_.insert(path);
    int dir = TRY(parent_fd(parent));
    if (const char* hl = archive_entry_hardlink(e)) return hardlink(dir, base, path, hl);
    mode_t type = archive_entry_filetype(e);
    switch (type) {
      case AE_IFDIR: return directory(e, dir, base, path);
      case AE_IFREG: return regular(a, e, dir, base, path);
      case AE_IFLNK: return symlink(e, dir, base, path);
      case AE_IFIFO: return special(e, dir, base, path, S_IFIFO, 0);
      case AE_IFCHR:
      case AE_IFBLK: {
        // In a user namespace no device node can be made; the container's /dev comes from
        // the runtime anyway. Skipped, as containers/storage does (the blob keeps it).
        if (opt_.rootless) {
          log::debug("rootless: skipping device node {} (none can be made in a user namespace)", path);
          return {};
        }
        dev_t dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
        return special(e, dir, base, path, type == AE_IFCHR ? S_IFCHR : S_IFBLK, dev);
      }
      default: return fail(Errc::invalid_input, "tar member {} has an unsupported type {:o}", path, type);
    }
  }

  std::uint64_t bytes() const { return bytes_; }

 private:
  Result<int> parent_fd(const std::string& parent) {
    if (cached_ && parent == cached_path_) return cached_.get();
    cached_ = TRY(open_parent(root_, parent));
    cached_path_ = parent;
    struct stat st;
    parent_setgid_ = ::fstat(cached_.get(), &st) != 0 || (st.st_mode & S_ISGID) != 0;
    return cached_.get();
  }

  Result<void> whiteout(const std::string& parent, const std::string& base, const std::string& path) {
    int dir = TRY(parent_fd(parent));
    if (base == ".wh..wh..opq") {
      if (opt_.merge) TRY(clear_earlier(dir, parent));
      std::string name = opt_.xattr_prefix + "overlay.opaque";
      if (::fsetxattr(dir, name.c_str(), "y", 1, 0) < 0) return fail_errno("mark {} opaque", parent);
      return {};
    }
    if (base.starts_with(".wh..wh.")) return {};  // AUFS metadata (.wh..wh.plnk, ...): skipped
    std::string target = base.substr(4);
    if (target.empty() || target == "." || target == ".." || target.find('/') != std::string::npos)
      return fail(Errc::invalid_input, "whiteout {} names an invalid path", path);
    // A file of this same layer cannot be hidden by its own whiteout (image-spec layer.md).
    std::string target_path = parent == "." ? target : parent + "/" + target;
    if (opt_.merge && !written_.contains(target_path)) TRY(clear_slot(dir, target, false));
    if (sys::exists_at(dir, target)) return {};
    if (::mknodat(dir, target.c_str(), S_IFCHR | 0000, makedev(0, 0)) < 0)
      return fail_errno("create whiteout {}", path);
    return {};
  }

  // Sets owner and mode on an fd we created. chown comes first (it clears setuid bits).
  // Skipped when already right: every syscall counts on a 10,000-file layer.
  // The entry's owner here: through the container's maps when it has its own namespace.
  Result<std::pair<uid_t, gid_t>> owner(archive_entry* e, const std::string& path) const {
    auto uid = static_cast<std::uint32_t>(archive_entry_uid(e));
    auto gid = static_cast<std::uint32_t>(archive_entry_gid(e));
    if (opt_.uid_map) {
      auto u = to_host(*opt_.uid_map, uid);
      if (!u) return fail(Errc::invalid_input, "{}: owner uid {} is not in the container's uid map", path, uid);
      uid = *u;
    }
    if (opt_.gid_map) {
      auto g = to_host(*opt_.gid_map, gid);
      if (!g) return fail(Errc::invalid_input, "{}: owner gid {} is not in the container's gid map", path, gid);
      gid = *g;
    }
    return std::pair{static_cast<uid_t>(uid), static_cast<gid_t>(gid)};
  }

  Result<void> owner_and_mode(archive_entry* e, int fd, const std::string& path, bool chmod) {
    auto [uid, gid] = TRY(owner(e, path));
    if ((uid != euid_ || gid != egid_ || parent_setgid_) && ::fchown(fd, uid, gid) < 0) {
      if (!opt_.ignore_chown_errors) {
        if (errno == EINVAL)
          return fail(Errc::invalid_input,
                      "{}: owner {}:{} is not mapped in the user namespace (potentially insufficient "
                      "UIDs or GIDs available in /etc/subuid and /etc/subgid)",
                      path, uid, gid);
        return fail_errno("chown {}", path);
      }
    }
    if (chmod && ::fchmod(fd, archive_entry_perm(e) & 07777) < 0) return fail_errno("chmod {}", path);
    return {};
  }

  void times(archive_entry* e, int dir, const std::string& base) {
    timespec ts[2];
    ts[0].tv_sec = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
    ts[0].tv_nsec = archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e) : archive_entry_mtime_nsec(e);
    ts[1].tv_sec = archive_entry_mtime(e);
    ts[1].tv_nsec = archive_entry_mtime_nsec(e);
    ::utimensat(dir, base.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  }

  Result<void> directory(archive_entry* e, int dir, const std::string& base, const std::string& path) {
    struct stat was {};
    bool replaces = opt_.merge && ::fstatat(dir, base.c_str(), &was, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(was.st_mode);
    TRY(clear_slot(dir, base, true));
    if (::mkdirat(dir, base.c_str(), 0700) < 0 && errno != EEXIST) return fail_errno("mkdir {}", path);
    int fd = ::openat(dir, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_errno("open {}", path);
    UniqueFd g(fd);
    std::string opaque = opt_.xattr_prefix + "overlay.opaque";
    if (replaces && ::fsetxattr(fd, opaque.c_str(), "y", 1, 0) < 0) return fail_errno("mark {} opaque", path);
    TRY(owner_and_mode(e, fd, path, true));
    apply_xattrs(e, fd, path);
    if (cached_ && cached_path_ == path) cached_.reset();  // metadata changed; reopen lazily
    return {};
  }

  Result<void> regular(archive* a, archive_entry* e, int dir, const std::string& base, const std::string& path) {
    TRY(clear_slot(dir, base, false));
    // Created with its final permission bits (umask is 0 while unpacking) unless it has
    // setuid/setgid/sticky bits, which must be set after the chown.
    mode_t perm = archive_entry_perm(e) & 07777;
    bool special_bits = (perm & 07000) != 0;
    int fd =
        ::openat(dir, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, special_bits ? 0600 : perm);
    if (fd < 0) return fail_errno("create {}", path);
    UniqueFd g(fd);
    la_int64_t end = TRY(context(write_data(a, fd, bytes_), path));
    if (archive_entry_size_is_set(e) && end != archive_entry_size(e) && ::ftruncate(fd, archive_entry_size(e)) < 0)
      return fail_errno("truncate {}", path);
    TRY(owner_and_mode(e, fd, path, special_bits));
    apply_xattrs(e, fd, path);
    timespec ts[2] = {{archive_entry_mtime(e), archive_entry_mtime_nsec(e)},
                      {archive_entry_mtime(e), archive_entry_mtime_nsec(e)}};
    ::futimens(fd, ts);
    return {};
  }

  Result<void> symlink(archive_entry* e, int dir, const std::string& base, const std::string& path) {
    const char* target = archive_entry_symlink(e);
    if (!target) return fail(Errc::invalid_input, "symlink {} has no target", path);
    TRY(clear_slot(dir, base, false));
    // The target is only ever resolved inside the container's root, at run time.
    if (::symlinkat(target, dir, base.c_str()) < 0) return fail_errno("symlink {}", path);
    auto [uid, gid] = TRY(owner(e, path));
    if (::fchownat(dir, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && !opt_.ignore_chown_errors)
      return fail_errno("chown {}", path);
    times(e, dir, base);
    return {};
  }

  Result<void> special(archive_entry* e, int dir, const std::string& base, const std::string& path, mode_t type,
                       dev_t dev) {
    TRY(clear_slot(dir, base, false));
    if (::mknodat(dir, base.c_str(), type | 0600, dev) < 0) return fail_errno("mknod {}", path);
    int fd = ::openat(dir, base.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return fail_errno("open {}", path);
    UniqueFd g(fd);
    // fchown/fchmod do not work on O_PATH fds; go through the fd's /proc entry, which names
    // exactly the inode we created (no path lookup in the layer).
    std::string proc = fmt::format("/proc/self/fd/{}", fd);
    auto [uid, gid] = TRY(owner(e, path));
    if (::fchownat(AT_FDCWD, proc.c_str(), uid, gid, 0) < 0 && !opt_.ignore_chown_errors)
      return fail_errno("chown {}", path);
    if (::fchmodat(AT_FDCWD, proc.c_str(), archive_entry_perm(e) & 07777, 0) < 0) return fail_errno("chmod {}", path);
    times(e, dir, base);
    return {};
  }

  Result<void> hardlink(int dir, const std::string& base, const std::string& path, const char* target_raw) {
    std::string target = TRY(clean_member_path(target_raw));
    std::string tbase;
    std::string tparent = TRY(parent_of(target, tbase));
    auto tdir = sys::open_beneath(root_, tparent, O_RDONLY | O_DIRECTORY, 0, true);
    if (!tdir) return fail(Errc::invalid_input, "hardlink {} to {}: target is not in the layer", path, target);
    struct stat st;
    if (::fstatat(tdir->get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return fail(Errc::invalid_input, "hardlink {} to {}: target is not in the layer", path, target);
    if (S_ISDIR(st.st_mode)) return fail(Errc::invalid_input, "hardlink {} to directory {}", path, target);
    if (target == path) return {};
    TRY(clear_slot(dir, base, false));
    if (::linkat(tdir->get(), tbase.c_str(), dir, base.c_str(), 0) < 0) return fail_errno("link {}", path);
    return {};
  }

  // merge: an opaque marker of this layer removes what earlier layers put in its directory,
  // at any depth (entries of this layer stay, whichever comes first in the tar).
  Result<void> clear_earlier(int dir, const std::string& parent) {
    auto names = TRY(sys::list_dir(dir, "."));
    for (const auto& n : names) {
      std::string p = parent == "." ? n : parent + "/" + n;
      if (!written_.contains(p)) {
        TRY(clear_slot(dir, n, false));
        continue;
      }
      UniqueFd sub(::openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (sub) TRY(clear_earlier(sub.get(), p));
    }
    return {};
  }

  int root_;
  const UnpackOptions& opt_;
  std::set<std::string> written_;  // merge: the paths this layer wrote
  UniqueFd cached_;
  std::string cached_path_;
  bool parent_setgid_ = true;
  uid_t euid_ = ::geteuid();
  gid_t egid_ = ::getegid();
  std::uint64_t bytes_ = 0;
};

}  // namespace

Result<UnpackStats> unpack_tar_fd(int fd, int dirfd, const UnpackOptions& opt) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_fd(a.get(), fd, 1 << 16) != ARCHIVE_OK)
    return std::unexpected(archive_failure(a.get(), "not a tar archive"));
  return unpack_entries(a.get(), dirfd, opt);
}

Result<std::string> clean_member_path(std::string_view name) {
  std::string_view n = name;
  if (n.starts_with("/")) return fail(Errc::invalid_input, "tar member \"{}\" has an absolute path", name);
  while (n.starts_with("./")) n.remove_prefix(2);
  while (n.ends_with("/")) n.remove_suffix(1);
  if (n.empty() || n == ".") return std::string(".");
  std::string out;
  size_t i = 0;
  while (i <= n.size()) {
    size_t j = n.find('/', i);
    if (j == std::string_view::npos) j = n.size();
    auto comp = n.substr(i, j - i);
    i = j + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") return fail(Errc::invalid_input, "tar member \"{}\" leaves the layer (\"..\")", name);
    if (!out.empty()) out += '/';
    out += comp;
  }
  if (out.empty()) return std::string(".");
  return out;
}

Result<UnpackStats> unpack_entries(archive* a, int dirfd, const UnpackOptions& opt) {
  // Modes come from the archive, not the umask (berth sets umask 0 in main; this makes the
  // unpacker correct on its own, e.g. in unit tests).
  ::umask(0);
  Unpacker u(dirfd, opt);
  UnpackStats st;
  archive_entry* e;
  while (true) {
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return std::unexpected(archive_failure(a, "corrupt or truncated layer data"));
    TRY(u.entry(a, e));
    st.entries++;
  }
  st.bytes = u.bytes();
  return st;
}

}  // namespace berth::image

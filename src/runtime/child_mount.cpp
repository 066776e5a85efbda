// The child zone's mounts: the other half of src/runtime/child.cpp, under the same rules and
// built into the same -fno-exceptions library (its symbols are checked the same way).
//
// Why each step is safe:
// - Every mount target is opened with openat2(RESOLVE_IN_ROOT) relative to the new root and
//   mounted through /proc/self/fd/N, so a symlink in the image (proc -> /etc) resolves inside
//   the container and never onto a host path (CVE-2021-30465 class).
// - A user's mount may not land on procfs or sysfs (a symlink in the image cannot lead there),
//   and nothing is created in a directory a bind mount brought in from the host.
// - The kernel's filesystems are never mounted through a symlink (CVE-2019-16884).
#include "child_mount.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::runtime::child_detail {

void fd_path(char* buf, int fd) {
  static const char prefix[] = "/proc/self/fd/";
  std::memcpy(buf, prefix, sizeof prefix - 1);
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  char* out = buf + sizeof prefix - 1;
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

int open_in_root(int root, const char* path, int flags, unsigned long long resolve) {
  open_how how{};
  how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve;
  return static_cast<int>(::syscall(SYS_openat2, root, path, &how, sizeof how));
}

static bool mount_id(int fd, std::uint64_t& id) {
  struct statx sx {};
  if (::syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &sx) != 0) return false;
  if (!(sx.stx_mask & STATX_MNT_ID)) return false;
  id = sx.stx_mnt_id;
  return true;
}

static bool on_bind(const Binds* binds, int dirfd) {
  if (!binds || binds->n == 0) return false;
  std::uint64_t id;
  if (!binds->known || !mount_id(dirfd, id)) return true;
  for (unsigned i = 0; i < binds->n; i++)
    if (binds->id[i] == id) return true;
  return false;
}

int open_node(int root, const char* path, bool dir, bool create, const Binds* binds, unsigned long long resolve) {
  while (*path == '/') path++;
  if (!*path) return ::fcntl(root, F_DUPFD_CLOEXEC, 0);
  int fd = open_in_root(root, path, O_PATH, resolve);
  if (fd >= 0 || errno != ENOENT || !create) return fd;
  char prefix[4096];
  size_t len = std::strlen(path);
  if (len >= sizeof prefix) {
    errno = ENAMETOOLONG;
    return -1;
  }
  std::memcpy(prefix, path, len + 1);
  // Walk the components: open each prefix; make the missing ones in their opened parent.
  int parent = ::fcntl(root, F_DUPFD_CLOEXEC, 0);
  char* start = prefix;
  while (parent >= 0) {
    char* slash = std::strchr(start, '/');
    bool last = slash == nullptr;
    if (slash) *slash = '\0';
    if (*start) {
      int next = open_in_root(root, prefix, O_PATH, resolve);
      if (next < 0 && errno == ENOENT) {
        if (on_bind(binds, parent)) {
          ::close(parent);
          errno = ENOENT;
          return kRefused;
        }
        int r = (last && !dir) ? ::mknodat(parent, start, S_IFREG | 0644, 0) : ::mkdirat(parent, start, 0755);
        if (r == 0 || errno == EEXIST) next = open_in_root(root, prefix, O_PATH, resolve);
      }
      int e = errno;
      ::close(parent);
      errno = e;
      parent = next;
    }
    if (last) return parent;
    *slash = '/';
    start = slash + 1;
  }
  return -1;
}

// Remounts the mount now at `path` read-only: reopened, since an fd taken before the bind
// still names the covered directory, not the new mount.
static bool remount_ro_at(int root, const char* path, unsigned long keep) {
  int fd = open_in_root(root, path, O_PATH);
  if (fd < 0) return false;
  char target[64];
  fd_path(target, fd);
  int r = ::mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, nullptr);
  int e = errno;
  ::close(fd);
  errno = e;
  return r == 0;
}

// A user's mount may not land on procfs or sysfs, whatever symlink led there (runc refuses
// /proc destinations; a bind there would hide or replace the kernel's files).
static bool guard_allows(int fd, Guard g) {
  if (g == Guard::none || g == Guard::kernel) return true;
  struct statfs sf;
  if (::fstatfs(fd, &sf) != 0) return false;
  if (sf.f_type == PROC_SUPER_MAGIC) return g == Guard::in_proc;
  if (sf.f_type == SYSFS_MAGIC) return g == Guard::in_sys;
  return true;
}

// Remembers the bind mount now at `path` (see Binds).
static void record_bind(int root, const char* path, Binds& binds) {
  int fd = open_in_root(root, path, O_PATH);
  std::uint64_t id;
  if (fd < 0 || !mount_id(fd, id) || binds.n == kMaxBinds)
    binds.known = false;
  else
    binds.id[binds.n++] = id;
  if (fd >= 0) ::close(fd);
}

static int mount_onto(int root, const MountOp& op, bool file, Binds& binds) {
  int fd = open_node(root, op.target, !file, true, &binds, op.guard == Guard::kernel ? RESOLVE_NO_SYMLINKS : 0);
  if (fd < 0) return fd;
  if (!guard_allows(fd, op.guard)) {
    ::close(fd);
    errno = EXDEV;
    return kRefused;
  }
  char target[64];
  fd_path(target, fd);
  int r = op.tree_fd >= 0 ? ::move_mount(op.tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)
                          : ::mount(op.source, target, op.fstype, op.flags, op.data);
  int e = errno;
  ::close(fd);
  errno = e;
  if (r != 0) return -1;
  if (op.flags & MS_BIND) record_bind(root, op.target, binds);
  if ((op.flags & MS_BIND) && (op.flags & MS_RDONLY) &&
      !remount_ro_at(root, op.target, op.flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)))
    return -1;
  return 0;
}

static bool mask_path(int root, const MountOp& op) {
  int fd = open_in_root(root, op.target, O_PATH);
  if (fd < 0) return errno == ENOENT;  // nothing to hide
  struct stat st;
  if (::fstat(fd, &st) < 0) return false;
  char target[64];
  fd_path(target, fd);
  int r = S_ISDIR(st.st_mode) ? ::mount("tmpfs", target, "tmpfs", MS_RDONLY, "size=0k")
                              : ::mount("/dev/null", target, nullptr, MS_BIND, nullptr);
  int e = errno;
  ::close(fd);
  errno = e;
  return r == 0;
}

static bool readonly_path(int root, const MountOp& op) {
  int fd = open_in_root(root, op.target, O_PATH);
  if (fd < 0) return errno == ENOENT;
  char target[64];
  fd_path(target, fd);
  int r = ::mount(target, target, nullptr, MS_BIND | MS_REC, nullptr);
  int e = errno;
  ::close(fd);
  errno = e;
  return r == 0 && remount_ro_at(root, op.target, MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

static bool make_symlink(int root, const MountOp& op) {
  int fd = open_in_root(root, "dev", O_PATH | O_DIRECTORY);
  if (fd < 0) return false;
  const char* base = std::strrchr(op.target, '/');
  int r = ::symlinkat(op.source, fd, base ? base + 1 : op.target);
  int e = errno;
  ::close(fd);
  errno = e;
  return r == 0 || errno == EEXIST;
}

int do_mount_op(int root, const MountOp& op, Binds& binds) {
  switch (op.kind) {
    case MountKind::mount: return mount_onto(root, op, false, binds);
    case MountKind::mount_file:
    case MountKind::bind_dev: return mount_onto(root, op, true, binds);
    case MountKind::symlink: return make_symlink(root, op) ? 0 : -1;
    case MountKind::mask: return mask_path(root, op) ? 0 : -1;
    case MountKind::readonly: return readonly_path(root, op) ? 0 : -1;
    case MountKind::remount_ro: {  // the root itself, wherever its mount was placed
      char target[64];
      fd_path(target, root);
      return ::mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) == 0 ? 0 : -1;
    }
  }
  return -1;
}

// Overlay through the new mount API with one "lowerdir+" per layer (no page-size limit on the
// layer count, kernel 6.8+): the detached mount's fd, or -1.
static int overlay_mount_fd(const ChildPlan& p) {
  int fs = ::fsopen("overlay", FSOPEN_CLOEXEC);
  bool ok = fs >= 0;
  for (unsigned i = 0; ok && i < p.n_lowers; i++)
    ok = ::fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", p.lowers[i], 0) == 0;
  if (ok)
    ok = ::fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", p.upper, 0) == 0 &&
         ::fsconfig(fs, FSCONFIG_SET_STRING, "workdir", p.work, 0) == 0;
  if (ok && p.userxattr) ok = ::fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) == 0;
  if (ok && p.volatile_upper) (void)::fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", nullptr, 0);  // 5.10+; else synced
  if (ok) ok = ::fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0;
  int mnt = ok ? ::fsmount(fs, FSMOUNT_CLOEXEC, 0) : -1;
  if (fs >= 0) ::close(fs);
  return mnt;
}

// Older kernels: mount(2) with the lowers relative to the layers directory (one page of data).
static bool mount_overlay_legacy(const ChildPlan& p) {
  if (::chdir(p.layers_dir) != 0) return false;
  return ::mount("overlay", p.merged, "overlay", 0, p.overlay_data) == 0;
}

bool mount_overlay(const ChildPlan& p) {
  if (int mnt = overlay_mount_fd(p); mnt >= 0) {
    bool ok = ::move_mount(mnt, "", AT_FDCWD, p.merged, MOVE_MOUNT_F_EMPTY_PATH) == 0;
    ::close(mnt);
    if (ok) return true;
  }
  return mount_overlay_legacy(p);
}

int detached_overlay(const ChildPlan& p) {
  if (int mnt = overlay_mount_fd(p); mnt >= 0) return mnt;
  int cwd = ::open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0) return -1;
  bool ok = mount_overlay_legacy(p);
  int e = errno;
  if (::fchdir(cwd) != 0) ok = false;
  ::close(cwd);
  if (!ok) {
    errno = e;
    return -1;
  }
  int tree = ::open_tree(AT_FDCWD, p.merged, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  e = errno;
  (void)::umount2(p.merged, MNT_DETACH);
  errno = e;
  return tree;
}

}  // namespace berth::runtime::child_detail

#include "berth/sys/mount.hpp"

#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::sys {

Result<void> private_mount_namespace() {
  if (int n = thread_count(); n != 1) return fail(Errc::internal, "private mount namespace with {} threads", n);
  if (::unshare(CLONE_NEWNS) != 0) return fail_errno("unshare the mount namespace");
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fail_errno("make mounts private");
  return {};
}

namespace {

Result<void> mount_overlay(const std::string& target, const std::vector<std::string>& lowers, const std::string& upper,
                           const std::string& work, bool userxattr) {
  bool ro = upper.empty();
  // fsconfig's lowerdir+ takes any number of layers (mount(2)'s data is one page).
  UniqueFd fs(static_cast<int>(::syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC)));
  if (fs) {
    bool ok = true;
    for (const auto& l : lowers)
      ok = ok && ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "lowerdir+", l.c_str(), 0) == 0;
    if (ok && !ro)
      ok = ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "upperdir", upper.c_str(), 0) == 0 &&
           ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_STRING, "workdir", work.c_str(), 0) == 0;
    if (ok && userxattr) ok = ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) == 0;
    if (ok && ::syscall(SYS_fsconfig, fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0) {
      UniqueFd mnt(static_cast<int>(::syscall(SYS_fsmount, fs.get(), FSMOUNT_CLOEXEC, ro ? MOUNT_ATTR_RDONLY : 0)));
      if (!mnt) return fail_errno("fsmount the overlay");
      if (::syscall(SYS_move_mount, mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return fail_errno("move_mount the overlay to {}", target);
      return {};
    }
  }
  std::string data = "lowerdir=";
  for (size_t i = 0; i < lowers.size(); i++) data += (i ? ":" : "") + lowers[i];
  if (!ro) data += ",upperdir=" + upper + ",workdir=" + work;
  if (userxattr) data += ",userxattr";
  if (::mount("overlay", target.c_str(), "overlay", ro ? MS_RDONLY : 0, data.c_str()) != 0)
    return fail_errno("mount the overlay");
  return {};
}

}  // namespace

Result<void> mount_overlay_readonly(const std::string& target, const std::vector<std::string>& lowers, bool userxattr) {
  if (lowers.empty()) return fail(Errc::usage, "an overlay needs at least one layer");
  if (lowers.size() == 1) {  // overlay wants two lowers without an upper: a plain read-only bind
    if (::mount(lowers[0].c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0 ||
        ::mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0)
      return fail_errno("bind {}", lowers[0]);
    return {};
  }
  return mount_overlay(target, lowers, "", "", userxattr);
}

Result<void> mount_overlay_writable(const std::string& target, const std::vector<std::string>& lowers,
                                    const std::string& upper, const std::string& work, bool userxattr) {
  if (lowers.empty()) return fail(Errc::usage, "an overlay needs at least one layer");
  return mount_overlay(target, lowers, upper, work, userxattr);
}

Result<void> bind_file(const std::string& source, const std::string& target) {
  if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
    return fail_errno("bind {} on {}", source, target);
  return {};
}

Result<void> unmount(const std::string& path, bool detach) {
  if (::umount2(path.c_str(), detach ? MNT_DETACH : 0) != 0) return fail_errno("unmount {}", path);
  return {};
}

Result<UniqueFd> clone_mount(const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0U);
  UniqueFd tree(static_cast<int>(::syscall(SYS_open_tree, AT_FDCWD, path.c_str(), flags)));
  if (!tree) return fail_errno("clone the mount at {}", path);
  return tree;
}

Result<void> attach_mount(int mount_fd, const std::string& target) {
  if (::syscall(SYS_move_mount, mount_fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return fail_errno("move_mount onto {}", target);
  return {};
}

}  // namespace berth::sys

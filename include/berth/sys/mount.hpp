// Mounts made by berth itself, outside a container: overlay views for the commands that read
// a container's filesystem (export, cp from a stopped container, mount), in a private mount
// namespace of berth's own so that they vanish with the process whatever happens to it.
// (A container's own mounts are made by the child, src/runtime/child.cpp.)
#pragma once

#include <string>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

// unshare(CLONE_NEWNS) and make every mount private. Only from a single-threaded process.
Result<void> private_mount_namespace();

// A read-only overlay of `lowers` (top first) on `target`: the upper directory of a running
// container can be one of them, since lowers are never written.
Result<void> mount_overlay_readonly(const std::string& target, const std::vector<std::string>& lowers, bool userxattr);
// A writable one, as the container's root is (for a stopped container only: a second
// writable mount of a running container's upper directory is undefined behaviour).
Result<void> mount_overlay_writable(const std::string& target, const std::vector<std::string>& lowers,
                                    const std::string& upper, const std::string& work, bool userxattr);

// A bind mount of `source` (a file: a namespace's /proc/PID/ns/net) on the existing file `target`.
Result<void> bind_file(const std::string& source, const std::string& target);
// umount2(path): `detach` for MNT_DETACH (lazy). Errors name the path.
Result<void> unmount(const std::string& path, bool detach);
// A copy of the mount at `path` (open_tree OPEN_TREE_CLONE; with `recursive` its submounts
// too), detached.
Result<UniqueFd> clone_mount(const std::string& path, bool recursive = false);
// Places a detached mount (from clone_mount or fsmount) on `target` (move_mount).
Result<void> attach_mount(int mount_fd, const std::string& target);

}  // namespace berth::sys

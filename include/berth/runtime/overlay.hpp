// Overlay mounts outside a container, for commands that read a container's filesystem
// (export, cp from a stopped container): in a private mount namespace of berth itself, so
// that they vanish with the process whatever happens to it.
#pragma once

#include <string>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::runtime {

// unshare(CLONE_NEWNS) and make every mount private. Only from a single-threaded process.
Result<void> private_mount_namespace();

// A read-only overlay of `lowers` (top first) on `target`: the upper directory of a running
// container can be one of them, since lowers are never written.
Result<void> mount_overlay_readonly(const std::string& target, const std::vector<std::string>& lowers, bool userxattr);
// A writable one, as the container's root is (for a stopped container only: a second
// writable mount of a running container's upper directory is undefined behaviour).
Result<void> mount_overlay_writable(const std::string& target, const std::vector<std::string>& lowers,
                                    const std::string& upper, const std::string& work, bool userxattr);

}  // namespace berth::runtime

// The child zone's mounts (src/runtime/child.cpp's other half, same rules: no allocation, no
// exceptions, no locks, no logging). Internal to the child; plain data and functions.
#pragma once

#include <cstdint>

#include "berth/runtime/child.hpp"

namespace berth::runtime::child_detail {

// "/proc/self/fd/N" into `buf` (at least 32 bytes).
void fd_path(char* buf, int fd);
// openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS (| `resolve`): the path as seen from
// the root `root`, never out of it. -1 with errno on failure.
int open_in_root(int root, const char* path, int flags, unsigned long long resolve = 0);

// The mount ids of the bind mounts made so far (statx STATX_MNT_ID, 5.8+): a directory on one
// of them belongs to the host, and the child never creates anything there.
struct Binds {
  std::uint64_t id[kMaxBinds];
  unsigned n = 0;
  bool known = true;  // false: the kernel gives no mount ids; nothing is created under a bind
};

// A refusal of the guard (not an errno failure): the caller reports Stage::guard.
constexpr int kRefused = -2;

// Opens `path` inside the root (O_PATH), creating its last component as a dir or an empty
// file first when it is missing, and its missing parents as dirs (`create`; else ENOENT).
// Every step resolves inside the root: a symlink in the image never leads out of it. Nothing
// is created in a directory on one of `binds` (kRefused, errno ENOENT).
// -1 on failure, errno set. Iterative: a 4 KiB path is at most 2,048 components.
int open_node(int root, const char* path, bool dir, bool create, const Binds* binds, unsigned long long resolve = 0);
// One op of the plan: 0 done, -1 failed (errno), kRefused by the guard.
int do_mount_op(int root, const MountOp& op, Binds& binds);
// The container's overlay root on p.merged; false with errno on failure.
bool mount_overlay(const ChildPlan& p);
// The overlay as a detached mount (fd), made by berth before the clone: the new mount API, or
// on older kernels a mount(2) on `merged` (berth's mount namespace must be private) cloned and
// unmounted. -1 and errno on failure. Not in the child: it may change and restore the cwd.
int detached_overlay(const ChildPlan& p);

}  // namespace berth::runtime::child_detail

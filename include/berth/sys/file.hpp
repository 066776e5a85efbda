// Files relative to directory fds. Nothing in the store or a rootfs is opened by a joined
// absolute path: openat2(RESOLVE_BENEATH) keeps every lookup inside its directory.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/sys/fd.hpp"

namespace berth::sys {

// openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS (plus RESOLVE_NO_SYMLINKS when
// `no_symlinks`): the path can never leave `dir`. O_CLOEXEC is always added.
Result<UniqueFd> open_beneath(int dir, std::string_view path, int flags, mode_t mode = 0, bool no_symlinks = false);
// openat2 with RESOLVE_IN_ROOT: symlinks resolve as if `root` were "/" (for container paths).
Result<UniqueFd> open_in_root(int root, std::string_view path, int flags);
// A plain openat (O_CLOEXEC added); for paths berth chose itself.
Result<UniqueFd> open_at(int dir, std::string_view path, int flags, mode_t mode = 0);

Result<std::string> read_all(int fd, size_t max_bytes);
// Writes a user's output file (save -o, export -o): `fill` writes into a temp file beside
// `path`, which is fsync'd and renamed over it; on any failure the temp file is removed, so
// a full disk never leaves a half file under the target's name.
// Runs `produce` on a thread, writing into a pipe that `consume` reads here (a tar generated
// and unpacked in one pass). The producer's error wins (a consumer seeing a cut stream is its
// effect) unless it is EPIPE from a consumer that failed first; SIGPIPE is blocked on the producer's thread, so a
// consumer that stops early ends it with EPIPE rather than killing the process.
Result<void> through_pipe(const std::function<Result<void>(int write_fd)>& produce,
                          const std::function<Result<void>(int read_fd)>& consume);

Result<void> write_output_file(const std::string& path, const std::function<Result<void>(int fd)>& fill);
Result<std::string> read_file_at(int dir, std::string_view path, size_t max_bytes);
// Host configuration files (registries.conf, auth.json, certificates): plain paths, symlinks
// followed, as every other tool reading them does.
Result<std::string> read_host_file(const std::string& path, size_t max_bytes);
Result<std::vector<std::string>> list_host_dir(const std::string& path);
// Writes an existing host file in place (a /proc/sys knob): no temp file, no create.
Result<void> write_host_file(const std::string& path, std::string_view data);
Result<void> write_all(int fd, std::string_view data);

// Writes `data` to `name` in `dir` atomically: temp file in the same dir, fsync, renameat,
// fsync(dir). A reader never sees half a file; a crash leaves the old content or the new.
Result<void> write_atomic(int dir, std::string_view name, std::string_view data, mode_t mode = 0600);

// Like write_atomic (readers still see the old or the new file, never half of one) but without
// the fsyncs: for files that are re-derived anyway, such as a container's state (checked
// against the live process) and its generated /etc files (rewritten at every start).
Result<void> write_replace(int dir, std::string_view name, std::string_view data, mode_t mode = 0600);

// mkdirat that accepts an existing directory.
Result<void> ensure_dir(int dir, std::string_view name, mode_t mode);
// Creates every component of `path` under `dir` (no symlinks followed) and opens the last.
Result<UniqueFd> make_dirs(int dir, std::string_view path, mode_t mode);
// Removes `name` in `dir` and everything below it, never following symlinks. Missing is fine.
Result<void> remove_tree(int dir, std::string_view name);
bool exists_at(int dir, std::string_view path);
Result<std::vector<std::string>> list_dir(int dir, std::string_view path);
// Total bytes of regular files below dir/path (hardlinks counted once).
unsigned long long tree_size(int dir, std::string_view path);

// A directory berth trusts (its store root, run root, tmp/) must be its own: owned by the
// user berth runs as (in a user namespace: the id it maps to), not writable by group or
// others. Another user who made it first, or can write to it, could plant or swap what berth
// reads and runs. `what` names it in the error ("the store root").
Result<void> check_private_dir(int fd, std::string_view path, std::string_view what);

// memfd_create(2) (close-on-exec, sealable when `sealing`, executable when `exec` and the
// kernel has MFD_EXEC); invalid with errno set on failure.
UniqueFd make_memfd(const char* name, bool sealing, bool exec);

// Writes an absolute host path: for files outside any store (e.g. `save -o`).
std::string abs_path(std::string_view p);

}  // namespace berth::sys

// What changed in a container: commit (a new image), diff, export.
#pragma once

#include <string>
#include <vector>

#include "berth/engine/context.hpp"
#include "berth/store/containers.hpp"

namespace berth::engine {

struct CommitRequest {
  std::string container;
  std::string image;                 // name for the new image, or empty
  std::vector<std::string> changes;  // -c/--change
  std::string message, author;
  bool pause = false;      // stop the container's processes while committing
  bool squash = false;     // one layer holding the whole filesystem
  std::string created_by;  // the history entry's; empty: the container's command
  std::string created;     // RFC 3339 (build --timestamp); empty: now
  long long mtime = -1;    // >= 0: every file's mtime in the layer
};
// Returns the new image's id.
Result<Digest> commit_container(Context& c, const CommitRequest& r);

struct DiffEntry {
  char kind;
  std::string path;
};
// A container's changes over its image, or an image's top layer over the ones below it.
Result<std::vector<DiffEntry>> diff_object(Context& c, const std::string& name);

struct CopyRequest {
  std::string src, dst;  // CONTAINER:PATH, a host path, or "-" (a tar on stdin/stdout)
  bool archive = false;  // keep owners (otherwise: the caller's on the host, root in the container)
  bool follow = false;   // -L: follow a symlink given as the source
};
// `cp` in either direction, for running containers (through the container's own root, with
// its volumes) and stopped ones (their overlay mounted in a private mount namespace). Paths
// in the container resolve inside its root: no symlink leads out of it.
Result<void> copy_files(Context& c, const CopyRequest& r);

// `mount`: the container's filesystem mounted on its merged directory, whose path is returned
// (rootful, or rootless inside `berth unshare`, whose mount namespace then holds it). A
// stopped container gets its overlay; a running one a bind of its root where the kernel
// allows it. `unmount` undoes it; both are idempotent.
Result<std::string> mount_container(Context& c, const std::string& container);
Result<void> unmount_container(Context& c, const std::string& container);
// The mounted containers: (id, path).
Result<std::vector<std::pair<std::string, std::string>>> mounted_containers(Context& c);

// Copies what container `id` (not running) has at `path` into the directory `dest`, owners and
// modes kept, `dest` itself taking the mode and owner of `path` (a volume's copy-up). A forked
// process mounts the view. Nothing happens when there is no directory at `path`.
Result<void> copy_container_dir(Context& c, const std::string& id, const store::ContainerConfig& conf,
                                const std::string& path, const std::string& dest);

// Unpacks the tar on `fd` under `dirfd` as cp does (checked as a layer is: nothing lands
// outside; owners kept where this user namespace can set them).
Result<void> untar_into(int fd, int dirfd);

// `unshare`: runs `argv` (default: $SHELL) in berth's rootless user namespace and a mount
// namespace of its own, where `berth mount` works. Returns its exit code.
Result<int> unshare_command(const std::vector<std::string>& argv);

// The container's whole filesystem (its image with its changes, no volumes) as a tar, to
// `output` (written beside it and renamed) or to stdout when empty.
Result<void> export_container(Context& c, const std::string& container, const std::string& output);

}  // namespace berth::engine

// Safe layer extraction: tar entries -> files under one directory, whiteouts in overlay form.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <sys/types.h>

#include "berth/core/digest.hpp"
#include "berth/core/idmap.hpp"

struct archive;

namespace berth::image {

struct UnpackOptions {
  std::string xattr_prefix = "trusted.";  // overlay xattrs: "trusted." rootful, "user." rootless
  bool rootless = false;                  // device nodes are skipped (none can be made in a user namespace)
  bool ignore_chown_errors = false;       // single-id user namespace: owners cannot be kept
  bool whiteouts = true;                  // false (cp): ".wh." names are plain files
  // Apply onto the tree of earlier layers (overlay form), as a layer applies to its parents
  // (build --squash merges the new layers into one upper directory): a whiteout or an opaque
  // marker removes what an earlier layer put there, a directory that replaces a non-directory
  // hides the layers below it (opaque).
  bool merge = false;
  // A container with a user namespace of its own (--userns=keep-id, --uidmap): owners go through
  // these maps (container id -> id here); an owner they do not map is an error.
  const IdMap* uid_map = nullptr;
  const IdMap* gid_map = nullptr;
};

struct UnpackStats {
  std::uint64_t bytes = 0;  // regular file bytes written
  std::uint64_t entries = 0;
};

// Normalises a tar member name: strips "./" prefixes and trailing "/", refuses absolute
// names, ".." components and empty names. "" (the root itself) is returned as ".".
Result<std::string> clean_member_path(std::string_view name);

// Extracts every entry of the open tar reader `a` under `dirfd`. Never writes outside it:
// parents are opened with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, hardlinks are made with linkat
// without AT_SYMLINK_FOLLOW, metadata is set on fds or with AT_SYMLINK_NOFOLLOW.
Result<UnpackStats> unpack_entries(archive* a, int dirfd, const UnpackOptions& opt);
// The same for the tar stream (plain or compressed) on `fd`, as `cp` and `cp -` receive it.
Result<UnpackStats> unpack_tar_fd(int fd, int dirfd, const UnpackOptions& opt);

// One streaming pass over a layer blob: reads `src` (returns bytes read, 0 at EOF, -1 with
// errno on error), tees the raw bytes into `blob_fd` (when >= 0) and a sha256 (the blob digest),
// decompresses whatever compression it finds, hashes the tar stream (the diff-id) and unpacks it
// into `dirfd`.
struct LayerResult {
  Digest blob;
  std::uint64_t blob_size = 0;
  DiffId diff;
  std::string media_type;  // application/vnd.oci.image.layer.v1.tar[+gzip|+zstd]
  std::uint64_t size = 0;
};
using ReadFn = std::function<ssize_t(void* buf, size_t n)>;
Result<LayerResult> ingest_layer(const ReadFn& src, int blob_fd, int dirfd, const UnpackOptions& opt);

}  // namespace berth::image

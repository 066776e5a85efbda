// The on-disk database (DESIGN.md "The store").
//
// Invariants:
// - Every path is relative to the root dirfd; nothing is opened by a joined absolute path.
// - A blob is renamed into blobs/ only after it was verified against its digest; a layer dir
//   is renamed into layers/ only after its unpack finished and syncfs ran. A committed layer
//   may be published as layer.json alone (its blob in blobs/); its diff/ is unpacked later in
//   tmp/ and renamed in under the same rules (image::ensure_unpacked).
// - Metadata files are written temp + fsync + rename; readers never see half a file.
// - Reference counts are derived (scan images), never stored.
// - Writers hold store.lock exclusively only for renames and metadata; long work happens in
//   self-locked tmp/ dirs, which the next writer sweeps if their owner died.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "berth/store/records.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/lock.hpp"
#include "berth/sys/tempdir.hpp"

namespace berth::store {

struct Paths {
  std::string root;
  std::string runroot;
};

// --root/--runroot win, then BERTH_ROOT/BERTH_RUNROOT, then the defaults for root or rootless.
Paths default_paths(const std::string& root_flag, const std::string& runroot_flag);

struct GcReport {
  int layers = 0;
  int blobs = 0;
  std::uint64_t bytes = 0;
};

class Store {
 public:
  // Creates the layout if missing (directories 0700) and opens the root.
  static Result<Store> open(const Paths& p);

  int root() const { return root_.get(); }
  int tmp() const { return tmp_.get(); }
  int runroot() const { return run_.get(); }
  const Paths& paths() const { return paths_; }
  // "trusted." for root, "user." rootless (overlay mounted with userxattr).
  const char* overlay_xattr_prefix() const;
  bool rootless() const { return rootless_; }

  Result<sys::FileLock> read_lock() const;
  // Exclusive; also sweeps tmp/ of dead writers' leftovers.
  Result<sys::FileLock> write_lock() const;
  Result<sys::TempDir> temp(std::string_view prefix) const;

  // Blobs, content-addressed.
  bool has_blob(const Digest& d) const;
  Result<sys::UniqueFd> open_blob(const Digest& d) const;
  Result<std::string> read_blob(const Digest& d, size_t max_bytes) const;
  // Renames a verified file from `dir`/`name` into blobs/ (holding the write lock).
  // An existing identical blob wins; the file is then left for its temp dir to remove.
  Result<void> publish_blob(int dir, std::string_view name, const Digest& d) const;
  // Writes a small blob (manifest, config) atomically; returns its digest.
  Result<Digest> put_blob(std::string_view data) const;

  // Layers, keyed by chain-id.
  bool has_layer(const ChainId& c) const;
  Result<LayerRecord> layer(const ChainId& c) const;
  // `dir` is a temp dir holding "diff/"; writes layer.json into it and renames it into
  // layers/. Returns false when the layer was already there (the temp copy is then discarded).
  Result<bool> publish_layer(sys::TempDir& dir, const LayerRecord& rec) const;
  // ROOT/mountpoints: the empty directories and files every container mounts over (proc, dev,
  // sys, etc/hostname, etc/hosts, etc/resolv.conf), made once and shared as the topmost
  // read-only layer of every container, so that no run creates them in its upper directory
  // (where they would cost inodes and show up in diff and commit). Absolute path.
  // With `owner`, a copy owned by that uid and gid (ROOT/mountpoints-UID-GID), for containers
  // with a user namespace of their own.
  Result<std::string> mountpoints(std::optional<std::pair<uid_t, gid_t>> owner = std::nullopt) const;
  std::string layer_dir(const ChainId& c) const;  // relative: "layers/<hex>"
  std::string layer_diff_abs(const ChainId& c) const;

  // Images and names.
  Result<std::vector<ImageRecord>> images() const;
  Result<ImageRecord> image(const Digest& id) const;
  Result<void> put_image(const ImageRecord& r) const;
  Result<void> remove_image(const Digest& id) const;
  Result<NameMap> names() const;
  Result<void> put_names(const NameMap& m) const;

  // Image ids that containers refer to (from containers/*/config.json).
  Result<std::vector<Digest>> container_image_ids() const;

  // Removes layers and blobs no image refers to (holding the write lock).
  Result<GcReport> gc() const;

 private:
  Store() = default;
  Paths paths_;
  sys::UniqueFd root_, tmp_, run_;
  bool rootless_ = false;
};

}  // namespace berth::store

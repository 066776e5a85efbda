// A container's changes as data: an overlay upper directory (or a stored layer's diff/) read
// back as an OCI layer tar, as A/C/D changes, or committed as a new image on its base.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string_view>
#include <string>
#include <vector>

#include "berth/image/load.hpp"

namespace berth::image {

// Writes `dir` (overlay form: whiteouts are 0/0 character devices, opaque directories carry
// PREFIX"overlay.opaque") to `out_fd` as an uncompressed OCI layer tar: whiteouts become
// ".wh.NAME", opaque directories get ".wh..wh..opq", overlay's own xattrs are left out,
// hardlinks stay links, sparse files stay sparse.
Result<void> write_layer_tar(const std::string& dir, int out_fd, const std::string& xattr_prefix);

// The general form, for cp: a tar of the tree at `path` (a directory, file, fifo, ...).
struct TreeTarOptions {
  std::string overlay_prefix;           // non-empty: convert overlay whiteouts/opaque/xattrs (layers)
  std::string top;                      // the name the tree gets in the tar; empty: its content only
  bool follow_top = false;              // `path` may be a symlink to follow (/proc/self/fd/N); inside,
                                        // symlinks are never followed
  int owner = -1, group = -1;           // >= 0: every entry gets this owner (cp without -a)
  std::uint64_t* file_bytes = nullptr;  // when set: receives the regular files' data bytes
  // A container with a user namespace of its own: owners on disk go back through its maps
  // (id here -> container id; an id they do not map becomes 65534, the overflow id).
  const IdMap* uid_map = nullptr;
  const IdMap* gid_map = nullptr;
  long long mtime = -1;  // >= 0: every entry's mtime (atime and ctime left out)
};
Result<void> write_tree_tar(const std::string& path, int out_fd, const TreeTarOptions& o);
// A tar on `out_fd` holding one entry: the symlink `name` -> `target` with these owner and
// mtime (cp of a symlink itself).
struct SymlinkEntry {
  std::string name, target;
  int uid = 0, gid = 0;
  long long mtime_sec = 0;
  long mtime_nsec = 0;
};
Result<void> write_symlink_tar(int out_fd, const SymlinkEntry& e);

struct Change {
  char kind;         // 'A' added, 'C' changed, 'D' deleted
  std::string path;  // absolute, as seen in the container
};
// The changes `dir` makes over `lowers` (top first), sorted by path, as podman diff lists them.
Result<std::vector<Change>> layer_changes(const std::string& dir, const std::vector<std::string>& lowers,
                                          const std::string& xattr_prefix);

struct CommitOptions {
  std::vector<std::string> changes;  // Dockerfile-style instructions
  std::string message, author;
  std::string name;                 // normalised reference, or empty
  std::string created_by;           // the history entry's created_by
  bool squash = false;              // `upper` is the whole filesystem (a merged view): it
                                    // becomes the image's only layer
  std::function<void()> read_done;  // called once `upper` has been read whole
  const IdMap* uid_map = nullptr;   // the container's own user namespace (TreeTarOptions)
  const IdMap* gid_map = nullptr;
  std::string overlay_prefix;  // the upper's overlay xattrs ("user." in its own namespace); empty: the store's
  std::string created;         // RFC 3339; empty: now
  long long mtime = -1;        // >= 0: every file's mtime in the new layer (TreeTarOptions)
  std::map<std::string, std::string> annotations;  // the new manifest's
};
// A new image: the base image's layers, plus `upper` as one more layer (shared with other
// images when identical), and the base's config with the changes applied and a history entry.
Result<LoadedImage> commit_upper(const store::Store& s, const Digest& base_image, const std::string& upper,
                                 const CommitOptions& o);

// The general form (build): `cfg` as it is to be (its history included), on `base_layers`;
// `upper` (a directory, overlay form or plain) becomes one more layer, or with `upper` empty
// none. A history entry for `created_by` is added (marked empty_layer without a layer); none
// when both are empty.
Result<LoadedImage> commit_layers(const store::Store& s, Json cfg, const std::vector<ChainId>& base_layers,
                                  const std::string& upper, const CommitOptions& o);

// The same with the new layer's tar written by `produce` on `out_fd` (it sets *file_bytes, the
// regular files' bytes); none without a producer.
using LayerProducer = std::function<Result<void>(int out_fd, std::uint64_t* file_bytes)>;
Result<LoadedImage> commit_layer_from(const store::Store& s, Json cfg, const std::vector<ChainId>& base_layers,
                                      const LayerProducer& produce, const CommitOptions& o);

// A layer tar written entry by entry, as berth's layers are (pax): build's COPY streams its
// sources into one without a copy on disk.
class LayerTarWriter {
 public:
  struct Meta {
    unsigned mode = 0644;
    unsigned uid = 0, gid = 0;
    long long mtime_sec = 0;
    long mtime_nsec = 0;
  };
  static Result<std::unique_ptr<LayerTarWriter>> open(int out_fd);
  ~LayerTarWriter();
  Result<void> dir(const std::string& name, const Meta& m);
  Result<void> symlink(const std::string& name, const Meta& m, const std::string& target);
  Result<void> file(const std::string& name, const Meta& m, int fd, long long size);  // `size` bytes of fd
  Result<void> data(const std::string& name, const Meta& m, std::string_view bytes);
  // Every entry of the tar archive (plain or compressed) on `fd`, under `prefix`, as it is
  // (owners, modes, times); names that leave the prefix are refused.
  Result<void> append_archive(int fd, const std::string& prefix);
  Result<void> finish();
  std::uint64_t file_bytes() const;

 private:
  LayerTarWriter() = default;
  Result<void> entry(const std::string& name, const Meta& m, unsigned type, long long size, const std::string& link);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::image

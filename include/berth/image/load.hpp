// Moving images into the store: docker-archive, oci-archive, OCI layout dirs, rootfs imports.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "berth/image/unpack.hpp"
#include "berth/store/store.hpp"

namespace berth::image {

struct LoadedImage {
  Digest id;
  std::vector<std::string> names;
};

struct LoadOptions {
  bool progress = false;  // "Copying blob ..." lines on stderr
};

// A layer unpacked into a self-locked temp dir ("blob" + "diff/"), not yet in the store.
struct IngestedLayer {
  LayerResult result;
  std::shared_ptr<sys::TempDir> dir;
  mutable bool published = false;  // its temp dir was renamed into layers/
};

// An image ready to be committed: verified config, its layers in order, its names.
struct PendingImage {
  std::string config;    // exact bytes
  std::string manifest;  // exact bytes; empty: synthesize an OCI manifest
  std::string manifest_type;
  std::vector<const IngestedLayer*> layers;
  std::vector<std::string> names;                  // normalised references
  std::vector<Digest> extra_digests;               // an index's digest it was pulled through
  std::map<std::string, std::string> annotations;  // a synthesized manifest's
};

UnpackOptions unpack_options(const store::Store& s);
// Ingests one layer stream into a new temp dir of the store.
Result<IngestedLayer> ingest_to_temp(const store::Store& s, const ReadFn& src, const UnpackOptions& o);

// A layer kept as its blob alone: the uncompressed tar read from `src` is hashed and written
// into a new temp dir, with no diff/ (commit: no inode per file). The caller sets result.size.
// Published like any layer; its diff/ is unpacked from the blob when first needed.
Result<IngestedLayer> blob_to_temp(const store::Store& s, const ReadFn& src);
// Unpacks the diff/ of each layer that was stored as its blob alone (see blob_to_temp), from
// the blob, verified against the layer's diff-id: in a self-locked temp dir, then renamed into
// place under the store lock. Parallel callers wait for one another (a lock on the layer's
// directory). Costs one stat per layer when all are unpacked. Must not be called with the
// store's write lock held.
Result<void> ensure_unpacked(const store::Store& s, const std::vector<ChainId>& layers);
// Whether every layer has its diff/ (one stat each).
bool all_unpacked(const store::Store& s, const std::vector<ChainId>& layers);
// For a container with a user namespace of its own: a copy of each layer whose owners went
// through the maps (LAYER/diff-KEY, made once per map from the blob). Returns their absolute
// paths, bottom first.
struct LayerMaps {
  IdMap uid, gid;
  std::string key;  // names the copy: one per distinct pair of maps
};
Result<std::vector<std::string>> ensure_mapped(const store::Store& s, const std::vector<ChainId>& layers,
                                               const LayerMaps& maps);

// Takes the write lock and publishes blobs, layers, configs, manifests, image records and
// names. Names move from whatever image had them before.
Result<std::vector<LoadedImage>> commit_images(const store::Store& s, std::vector<PendingImage>& images);
// The same for one image made here (import, commit): its config, layers and name (or empty).
Result<LoadedImage> commit_image(const store::Store& s, const Json& config, std::vector<const IngestedLayer*> layers,
                                 const std::string& name, const std::map<std::string, std::string>& annotations = {});

// Reads a docker-archive or oci-archive (any compression) from `fd` in one streaming pass.
Result<std::vector<LoadedImage>> load_archive(const store::Store& s, int fd, const LoadOptions& o);
// Reads an OCI image layout directory; its layers unpack in parallel.
Result<std::vector<LoadedImage>> load_oci_dir(const store::Store& s, const std::string& dir, const LoadOptions& o);

struct ImportOptions {
  std::vector<std::string> changes;
  std::string message;
  std::string name;  // normalised reference, or empty
};
// A root filesystem tarball (any compression) from `fd` becomes a one-layer image.
Result<LoadedImage> import_rootfs(const store::Store& s, int fd, const ImportOptions& o);

}  // namespace berth::image

// Garbage collection: reference counts are derived by scanning the image records, so a crash
// can never make them drift. Everything here runs under the exclusive store lock.
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "berth/core/log.hpp"
#include "berth/store/store.hpp"
#include "berth/sys/file.hpp"

namespace berth::store {

namespace {

// Renames the entry into tmp/ first, so it vanishes atomically, then deletes it.
Result<void> remove_via_tmp(const Store& s, const std::string& rel) {
  auto t = TRY(s.temp("del"));
  std::string to = fmt::format("tmp/{}/x", t.name());
  if (::renameat(s.root(), rel.c_str(), s.root(), to.c_str()) < 0) {
    if (errno == ENOENT) return {};
    return fail_errno("rename {} for removal", rel);
  }
  return {};  // t's destructor removes the tree
}

}  // namespace

Result<GcReport> Store::gc() const {
  GcReport rep;
  std::set<std::string> keep_layers, keep_blobs;
  for (const auto& img : TRY(images())) {
    keep_blobs.insert(std::string(img.id.hex()));
    keep_blobs.insert(std::string(img.manifest.hex()));
    // Layer blobs named by the manifest (a layer record keeps only the first blob it came as).
    if (auto m = read_blob(img.manifest, 16 << 20); m)
      if (auto j = parse_json(*m, "manifest"); j && json_obj(*j, "layers").is_array())
        for (const auto& l : json_obj(*j, "layers"))
          if (auto d = Digest::parse(json_str(l, "digest")); d) keep_blobs.insert(std::string(d->hex()));
    for (const auto& c : img.layers) {
      keep_layers.insert(std::string(c.d.hex()));
      if (auto l = layer(c); l) keep_blobs.insert(std::string(l->blob.hex()));
    }
  }
  for (const auto& n : TRY(sys::list_dir(root(), "layers"))) {
    if (keep_layers.count(n)) continue;
    rep.bytes += sys::tree_size(root(), "layers/" + n);
    TRY(remove_via_tmp(*this, "layers/" + n));
    rep.layers++;
  }
  for (const auto& n : TRY(sys::list_dir(root(), "blobs/sha256"))) {
    if (keep_blobs.count(n) || n.starts_with(".")) continue;
    std::string p = "blobs/sha256/" + n;
    if (::unlinkat(root(), p.c_str(), 0) == 0) rep.blobs++;
  }
  log::debug("gc removed {} layers and {} blobs", rep.layers, rep.blobs);
  return rep;
}

}  // namespace berth::store

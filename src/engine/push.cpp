// push: the stored manifest and its blobs, as they are (digests survive pull -> push), or
// converted between OCI and Docker v2 schema 2 with --format. Blobs the registry has are
// skipped (HEAD); blobs another repository of the same registry has (one this image is also
// named in) are mounted instead of sent.
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "berth/core/log.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/registry.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/image/config.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

namespace {

Result<Reference> destination(const std::string& d) {
  std::string s = d;
  if (s.starts_with("docker://"))
    s = s.substr(9);
  else if (auto colon = s.find(':');
           colon != std::string::npos && s.find('/') > colon &&
           (s.starts_with("oci:") || s.starts_with("oci-archive:") || s.starts_with("docker-archive:") ||
            s.starts_with("dir:") || s.starts_with("containers-storage:")))
    return fail(Errc::unsupported, "transport \"{}\" is not supported by push; use berth save for archives",
                s.substr(0, colon));
  return Reference::normalize(s);
}

}  // namespace

Result<Digest> push_image(Context& c, const PushRequest& r) {
  if (!r.format.empty() && r.format != "oci" && r.format != "v2s2")
    return fail(Errc::usage, "unsupported manifest format \"{}\": use oci or v2s2", r.format);
  auto names = TRY(c.store.names());
  auto img = TRY(resolve_image(c.store, names, r.image));
  std::string dest_text = r.destination.empty() ? (img.name.empty() ? r.image : img.name) : r.destination;
  auto dest = TRY(destination(dest_text));
  auto rec = TRY(c.store.image(img.id));
  std::string stored = TRY(c.store.read_blob(rec.manifest, 4 << 20));
  auto [manifest, mtype] =
      r.format.empty()
          ? std::pair{stored, rec.manifest_type.empty() ? std::string(image::kOciManifest) : rec.manifest_type}
          : TRY(image::convert_manifest(stored, rec.manifest_type, r.format == "v2s2"));
  auto man = TRY(image::parse_manifest(TRY(parse_json(manifest, "manifest"))));

  auto conf = TRY(registry::load_registries_conf());
  registry::ClientOptions co = r.client;
  co.push = true;
  auto cl = TRY(registry::Client::make(dest, co, conf));
  // Repositories of the same registry that this image is also named in: blobs are mounted
  // from there.
  std::set<std::string> mount_from;
  for (const auto& [n, id] : names) {
    if (id != img.id) continue;
    auto other = Reference::normalize(n);
    if (other && other->domain == dest.domain && other->path != dest.path) mount_from.insert(other->path);
  }
  auto say = [&](const image::Descriptor& b, std::string_view how) {
    if (!r.quiet)
      fmt::print(stderr, "Copying {} {} {}\n", b.digest == man.config.digest ? "config" : "blob",
                 b.digest.str().substr(0, 19), how);
  };
  if (!r.quiet) fmt::print(stderr, "Getting image source signatures\n");
  std::vector<image::Descriptor> blobs = man.layers;
  blobs.push_back(man.config);
  for (const auto& b : blobs) {
    if (TRY(cl.blob_exists(b.digest))) {
      say(b, "skipped: already exists");
      continue;
    }
    bool mounted = false;
    for (const auto& from : mount_from)
      if (TRY(cl.mount_blob(b.digest, from))) {
        say(b, "skipped: mounted from " + from);
        mounted = true;
        break;
      }
    if (mounted) continue;
    auto fd = c.store.open_blob(b.digest);
    if (!fd)
      return fail(Errc::not_found, "blob {} of {} is not in the store (was the image loaded from a partial archive?)",
                  b.digest.str(), r.image);
    struct stat st;
    if (::fstat(fd->get(), &st) < 0) return fail_errno("stat blob {}", b.digest.str());
    TRY(cl.upload_blob(b.digest, fd->get(), st.st_size));
    say(b, "done");
  }
  if (!r.quiet) fmt::print(stderr, "Writing manifest to image destination\n");
  auto digest = TRY(cl.put_manifest(dest.digest ? dest.digest->str() : dest.tag, manifest, mtype));
  emit_event(c.store, "image", "push", img.id.hex(), dest.str(), dest.str());
  if (!r.digestfile.empty())
    TRY(sys::write_output_file(r.digestfile, [&](int fd) { return sys::write_all(fd, digest.str()); }));
  return digest;
}

}  // namespace berth::engine

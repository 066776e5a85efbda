// docker-archive and oci-archive in one streaming pass; OCI layout dirs in parallel.
//
// The outer archive is read once. Every member that looks like a layer (gzip, zstd or tar
// magic) is unpacked as it streams by, with its blob and diff digests computed on the way;
// every other member is small JSON kept in memory. Only then are manifest.json or index.json
// read, and every reference checked against the digests actually computed: a layer whose
// bytes do not match what the manifest or config says is refused before anything is published.
#include "berth/image/load.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <thread>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/reference.hpp"
#include "berth/image/config.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "berth/sys/lock.hpp"
#include "archive_error.hpp"

namespace berth::image {

namespace {

// Members that are not layers are read into memory (manifest.json, index.json, configs,
// manifests): at most this much each, as containers/image caps them.
constexpr size_t kSmallMax = kDocumentMax;

struct Members {
  std::map<std::string, std::string> small;
  std::map<std::string, IngestedLayer> layers;
  std::map<std::string, std::string> alias;  // symlinks and hardlinks in the outer archive

  std::string resolve(std::string p) const {
    for (int i = 0; i < 16; i++) {
      auto it = alias.find(p);
      if (it == alias.end()) return p;
      p = it->second;
    }
    return p;
  }
  const std::string* small_at(const std::string& p) const {
    auto it = small.find(resolve(p));
    return it == small.end() ? nullptr : &it->second;
  }
  const IngestedLayer* layer_at(const std::string& p) const {
    auto it = layers.find(resolve(p));
    return it == layers.end() ? nullptr : &it->second;
  }
};

bool looks_like_layer(const unsigned char* b, size_t n) {
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return true;                                  // gzip
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return true;  // zstd
  if (n >= 6 && b[0] == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X') return true;     // xz
  if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') return true;                     // bzip2
  if (n >= 262 && std::memcmp(b + 257, "ustar", 5) == 0) return true;                       // tar
  return false;
}

std::string join_rel(const std::string& dir_of, const std::string& target) {
  std::string base;
  auto slash = dir_of.rfind('/');
  if (slash != std::string::npos) base = dir_of.substr(0, slash + 1);
  auto c = clean_member_path(target.starts_with("/") ? target.substr(1) : base + target);
  return c ? *c : target;
}

void progress(const LoadOptions& o, std::string_view what, const Digest& d) {
  if (o.progress) fmt::print(stderr, "Copying {} {} done\n", what, d.short_id());
}

std::int64_t config_created(const Json& cfg) {
  std::int64_t t = 0;
  std::string s = json_str(cfg, "created");
  return parse_rfc3339(s, t) ? t : 0;
}

// A RepoTags entry or ref.name annotation as a stored name; empty when it is not a full name.
std::string normalize_name(const std::string& n) {
  if (n.empty()) return "";
  auto r = Reference::normalize(n);
  if (!r) {
    log::warn("ignoring image name \"{}\": {}", n, r.error().message);
    return "";
  }
  return r->str();
}

Result<std::vector<PendingImage>> resolve_docker(const Members& m) {
  const std::string* text = m.small_at("manifest.json");
  auto j = TRY(parse_json(*text, "manifest.json"));
  if (!j.is_array() || j.empty()) return fail(Errc::invalid_input, "manifest.json: expected a non-empty list");
  std::vector<PendingImage> out;
  for (size_t k = 0; k < j.size(); k++) {
    const Json& e = j[k];
    PendingImage img;
    std::string cpath = json_str(e, "Config");
    const std::string* cfg = m.small_at(cpath);
    if (!cfg) return fail(Errc::invalid_input, "manifest.json names a missing config file \"{}\"", cpath);
    img.config = *cfg;
    auto cj = TRY(parse_json(img.config, "image config"));
    auto diff_ids = TRY(config_diff_ids(cj));
    const Json& layers = json_obj(e, "Layers");
    if (!layers.is_array() || layers.size() != diff_ids.size())
      return fail(Errc::invalid_input, "manifest.json lists {} layers but the config has {} diff_ids",
                  layers.is_array() ? layers.size() : 0, diff_ids.size());
    for (size_t i = 0; i < layers.size(); i++) {
      std::string lp = layers[i].is_string() ? layers[i].get<std::string>() : "";
      const IngestedLayer* l = m.layer_at(TRY(clean_member_path(lp)));
      if (!l) return fail(Errc::invalid_input, "manifest.json names a missing layer file \"{}\"", lp);
      if (l->result.diff.d != diff_ids[i].d)
        return fail(Errc::invalid_input, "layer {} ({}): content does not match its digest: expected {}, got {}", i, lp,
                    diff_ids[i].d.str(), l->result.diff.d.str());
      img.layers.push_back(l);
    }
    const Json& tags = json_obj(e, "RepoTags");
    if (tags.is_array())
      for (const auto& t : tags)
        if (t.is_string())
          if (auto n = normalize_name(t.get<std::string>()); !n.empty()) img.names.push_back(n);
    out.push_back(std::move(img));
  }
  return out;
}

Result<std::string> verified_blob(const Members& m, const Descriptor& d, std::string_view what) {
  std::string path = fmt::format("blobs/sha256/{}", d.digest.hex());
  const std::string* b = m.small_at(path);
  if (!b) return fail(Errc::invalid_input, "{} {} is missing from the archive", what, d.digest.str());
  if (Digest::of(*b) != d.digest)
    return fail(Errc::invalid_input, "{} {}: content does not match its digest", what, d.digest.str());
  if (static_cast<long long>(b->size()) != d.size)
    return fail(Errc::invalid_input, "{} {}: size {} does not match the descriptor's {}", what, d.digest.str(),
                b->size(), d.size);
  return *b;
}

Result<void> resolve_oci_manifest(const Members& m, const Descriptor& d, std::vector<std::string> names,
                                  std::vector<PendingImage>& out, int depth) {
  if (depth > 4) return fail(Errc::invalid_input, "image index nested too deep");
  std::string bytes = TRY(verified_blob(m, d, "manifest"));
  auto j = TRY(parse_json(bytes, "manifest"));
  if (TRY(classify_document(j, d.media_type)) == DocKind::index) {
    auto sub = TRY(select_platform(j, "linux", host_arch(), ""));
    return resolve_oci_manifest(m, sub, names, out, depth + 1);
  }
  auto man = TRY(parse_manifest(j));
  PendingImage img;
  img.manifest = bytes;
  img.manifest_type = d.media_type.empty() ? json_str(j, "mediaType", kOciManifest) : d.media_type;
  img.config = TRY(verified_blob(m, man.config, "config"));
  auto cj = TRY(parse_json(img.config, "image config"));
  auto diff_ids = TRY(config_diff_ids(cj));
  if (diff_ids.size() != man.layers.size())
    return fail(Errc::invalid_input, "manifest lists {} layers but the config has {} diff_ids", man.layers.size(),
                diff_ids.size());
  for (size_t i = 0; i < man.layers.size(); i++) {
    const Descriptor& ld = man.layers[i];
    const IngestedLayer* l = m.layer_at(fmt::format("blobs/sha256/{}", ld.digest.hex()));
    if (!l) return fail(Errc::invalid_input, "layer {} ({}) is missing from the archive", i, ld.digest.str());
    if (l->result.blob != ld.digest)
      return fail(Errc::invalid_input, "layer {} ({}): content does not match its digest", i, ld.digest.str());
    if (static_cast<long long>(l->result.blob_size) != ld.size)
      return fail(Errc::invalid_input, "layer {} ({}): size does not match the descriptor", i, ld.digest.str());
    if (l->result.diff.d != diff_ids[i].d)
      return fail(Errc::invalid_input, "layer {} ({}): uncompressed content does not match diff_id {}", i,
                  ld.digest.str(), diff_ids[i].d.str());
    img.layers.push_back(l);
  }
  img.names = std::move(names);
  out.push_back(std::move(img));
  return {};
}

Result<std::vector<PendingImage>> resolve_oci(const Members& m) {
  const std::string* text = m.small_at("index.json");
  auto j = TRY(parse_json(*text, "index.json"));
  if (TRY(context(classify_document(j, kOciIndex), "index.json")) != DocKind::index)
    return fail(Errc::invalid_input, "index.json is not an image index");
  const Json& list = json_obj(j, "manifests");
  if (!list.is_array() || list.empty()) return fail(Errc::invalid_input, "index.json lists no manifests");
  std::vector<PendingImage> out;
  for (size_t i = 0; i < list.size(); i++) {
    auto d = TRY(descriptor_from_json(list[i], fmt::format("index.json entry {}", i)));
    std::vector<std::string> names;
    for (const char* key : {"io.containerd.image.name", kRefNameAnnotation}) {
      std::string n = json_str(d.annotations, key);
      if (n.empty() || (n.find('/') == std::string::npos && n.find(':') == std::string::npos)) continue;
      if (auto nn = normalize_name(n); !nn.empty()) {
        names.push_back(nn);
        break;
      }
    }
    TRY(resolve_oci_manifest(m, d, names, out, 0));
  }
  return out;
}

Result<std::vector<PendingImage>> resolve(const Members& m) {
  if (m.small_at("manifest.json")) return resolve_docker(m);
  if (m.small_at("index.json")) return resolve_oci(m);
  return fail(Errc::invalid_input, "not a docker-archive or OCI archive: no manifest.json or index.json found");
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

Result<std::string> read_rest(archive* a, std::string head, const std::string& path) {
  char buf[65536];
  while (true) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) return std::unexpected(archive_failure(a, fmt::format("read {}", path)));
    if (n == 0) break;
    if (head.size() + static_cast<size_t>(n) > kSmallMax)
      return fail(Errc::invalid_input,
                  "archive member {} is not a layer and is larger than {} MiB: refused (manifests, "
                  "indexes and configs are at most that)",
                  path, kSmallMax >> 20);
    head.append(buf, static_cast<size_t>(n));
  }
  return head;
}

Result<void> stream_member(const store::Store& s, archive* a, archive_entry* e, Members& m, const UnpackOptions& uo,
                           const LoadOptions& o) {
  std::string path = TRY(clean_member_path(archive_entry_pathname(e) ? archive_entry_pathname(e) : ""));
  if (const char* hl = archive_entry_hardlink(e)) {
    m.alias[path] = TRY(clean_member_path(hl));
    return {};
  }
  if (archive_entry_filetype(e) == AE_IFLNK) {
    m.alias[path] = join_rel(path, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
    return {};
  }
  if (archive_entry_filetype(e) != AE_IFREG) return {};
  std::string head(512, '\0');
  size_t got = 0;
  while (got < head.size()) {
    la_ssize_t n = archive_read_data(a, head.data() + got, head.size() - got);
    if (n < 0) return std::unexpected(archive_failure(a, fmt::format("read {}", path)));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  head.resize(got);
  if (!looks_like_layer(reinterpret_cast<const unsigned char*>(head.data()), head.size())) {
    m.small[path] = TRY(read_rest(a, std::move(head), path));
    return {};
  }
  size_t served = 0;
  ReadFn src = [&](void* buf, size_t n) -> ssize_t {
    if (served < head.size()) {
      size_t k = std::min(n, head.size() - served);
      std::memcpy(buf, head.data() + served, k);
      served += k;
      return static_cast<ssize_t>(k);
    }
    la_ssize_t r = archive_read_data(a, buf, n);
    if (r < 0) {
      errno = archive_errno(a) ? archive_errno(a) : EIO;
      return -1;
    }
    return r;
  };
  auto layer = TRY(context(ingest_to_temp(s, src, uo), fmt::format("layer {}", path)));
  progress(o, "blob", layer.result.blob);
  m.layers[path] = std::move(layer);
  return {};
}

}  // namespace

UnpackOptions unpack_options(const store::Store& s) {
  UnpackOptions o;
  o.xattr_prefix = s.overlay_xattr_prefix();
  o.rootless = sys::rootless();
  const char* full = std::getenv("_BERTH_USERNS_FULL");
  o.ignore_chown_errors = o.rootless && full && std::string_view(full) == "0";
  return o;
}

Result<IngestedLayer> ingest_to_temp(const store::Store& s, const ReadFn& src, const UnpackOptions& o) {
  auto dir = std::make_shared<sys::TempDir>(TRY(s.temp("layer")));
  TRY(sys::ensure_dir(dir->fd(), "diff", 0755));
  auto diff = TRY(sys::open_at(dir->fd(), "diff", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  auto blob = TRY(sys::open_at(dir->fd(), "blob", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  IngestedLayer l;
  l.result = TRY(ingest_layer(src, blob.get(), diff.get(), o));
  l.dir = std::move(dir);
  return l;
}

Result<IngestedLayer> blob_to_temp(const store::Store& s, const ReadFn& src) {
  auto dir = std::make_shared<sys::TempDir>(TRY(s.temp("layer")));
  auto blob = TRY(sys::open_at(dir->fd(), "blob", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600));
  Sha256 h;
  std::vector<char> buf(1 << 20);
  while (true) {
    ssize_t n = src(buf.data(), buf.size());
    if (n < 0) return fail_errno("read layer");
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
    TRY(sys::write_all(blob.get(), std::string_view(buf.data(), static_cast<size_t>(n))));
  }
  IngestedLayer l;
  l.result.blob_size = h.bytes();
  l.result.blob = h.finish();
  l.result.diff = DiffId{l.result.blob};
  l.result.media_type = "application/vnd.oci.image.layer.v1.tar";
  l.dir = std::move(dir);
  return l;
}

namespace {

// LAYER/diff from the layer's blob, or with `maps`, LAYER/diff-KEY: the same files owned as the
// container's namespace needs them (a copy per map, as containers/storage makes).
Result<void> unpack_one(const store::Store& s, const ChainId& chain, const LayerMaps* maps = nullptr) {
  std::string name = maps ? "diff-" + maps->key : "diff";
  std::string at = s.layer_dir(chain);
  if (sys::exists_at(s.root(), at + "/" + name)) return {};
  auto held = TRY(context(sys::open_at(s.root(), at, O_RDONLY | O_DIRECTORY | O_NOFOLLOW),
                          fmt::format("layer {}", chain.d.short_id())));
  TRY(context(sys::FileLock::lock_fd(held.get(), sys::FileLock::Mode::exclusive),
              fmt::format("layer {}", chain.d.short_id())));
  if (sys::exists_at(held.get(), name)) return {};  // a parallel caller did it meanwhile
  auto rec = TRY(s.layer(chain));
  auto blob = TRY(s.open_blob(rec.blob));
  auto dir = TRY(s.temp("unpack"));
  TRY(sys::ensure_dir(dir.fd(), "diff", 0755));
  auto diff = TRY(sys::open_at(dir.fd(), "diff", O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  int fd = blob.get();
  UnpackOptions opt = unpack_options(s);
  if (maps) {
    opt.uid_map = &maps->uid;
    opt.gid_map = &maps->gid;
    opt.xattr_prefix = "user.";  // the container's overlay is mounted in its namespace: userxattr
  }
  auto got = TRY(context(ingest_layer([fd](void* b, size_t n) { return ::read(fd, b, n); }, -1, diff.get(), opt),
                         fmt::format("unpack layer {}", chain.d.short_id())));
  if (got.diff.d != rec.diff.d)
    return fail(Errc::invalid_input, "layer {}: its blob {} does not match the layer's diff-id (the store is damaged)",
                chain.d.short_id(), rec.blob.short_id());
  if (::syncfs(dir.fd()) != 0) return fail_errno("sync layer {}", chain.d.short_id());
  auto lock = TRY(s.write_lock());
  if (!s.has_layer(chain)) return fail(Errc::not_found, "layer {} was removed", chain.d.short_id());
  std::string from = fmt::format("tmp/{}/diff", dir.name());
  std::string to = at + "/" + name;
  if (::renameat2(s.root(), from.c_str(), s.root(), to.c_str(), RENAME_NOREPLACE) != 0 && errno != EEXIST &&
      errno != ENOTEMPTY)
    return fail_errno("rename into {}", to);
  return {};
}

}  // namespace

Result<void> ensure_unpacked(const store::Store& s, const std::vector<ChainId>& layers) {
  for (const auto& c : layers) TRY(unpack_one(s, c));
  return {};
}

Result<std::vector<std::string>> ensure_mapped(const store::Store& s, const std::vector<ChainId>& layers,
                                               const LayerMaps& maps) {
  std::vector<std::string> out;
  for (const auto& c : layers) {
    TRY(unpack_one(s, c, &maps));
    out.push_back(fmt::format("{}/{}/diff-{}", s.paths().root, s.layer_dir(c), maps.key));
  }
  return out;
}

bool all_unpacked(const store::Store& s, const std::vector<ChainId>& layers) {
  return std::all_of(layers.begin(), layers.end(),
                     [&](const ChainId& c) { return sys::exists_at(s.root(), s.layer_dir(c) + "/diff"); });
}

Result<std::vector<LoadedImage>> commit_images(const store::Store& s, std::vector<PendingImage>& images) {
  // Layers go to disk before anything names them (DESIGN.md: syncfs before the rename).
  ::syncfs(s.tmp());
  auto lock = TRY(s.write_lock());
  auto names = TRY(s.names());
  std::vector<LoadedImage> out;
  for (auto& img : images) {
    auto cfg = TRY(parse_json(img.config, "image config"));
    Descriptor cdesc{kOciConfig, Digest::of(img.config), static_cast<long long>(img.config.size()), {}, {}};
    std::vector<Descriptor> ldescs;
    store::ImageRecord rec;
    rec.id = cdesc.digest;
    const ChainId* parent = nullptr;
    ChainId prev;
    for (const IngestedLayer* l : img.layers) {
      ChainId chain = chain_id(parent, l->result.diff);
      ldescs.push_back({l->result.media_type, l->result.blob, static_cast<long long>(l->result.blob_size), {}, {}});
      if (!s.has_blob(l->result.blob) && l->dir && l->dir->fd() >= 0 && sys::exists_at(l->dir->fd(), "blob"))
        TRY(s.publish_blob(l->dir->fd(), "blob", l->result.blob));
      if (!s.has_layer(chain)) {
        if (!l->dir || l->published)
          return fail(Errc::unsupported,
                      "layer {} appears under two different parents in this archive; load the images one at a time",
                      l->result.diff.d.short_id());
        store::LayerRecord lr{
            chain,          l->result.diff,      parent ? std::optional<ChainId>(*parent) : std::nullopt,
            l->result.blob, l->result.blob_size, l->result.media_type,
            l->result.size};
        TRY(s.publish_layer(*l->dir, lr));
        l->published = true;
      }
      rec.layers.push_back(chain);
      rec.size += l->result.size;
      prev = chain;
      parent = &prev;
    }
    if (img.manifest.empty()) {
      img.manifest = make_manifest(cdesc, ldescs, img.annotations);
      img.manifest_type = kOciManifest;
    }
    TRY(s.put_blob(img.config));
    rec.manifest = TRY(s.put_blob(img.manifest));
    rec.manifest_type = img.manifest_type;
    rec.created = config_created(cfg);
    rec.loaded = static_cast<std::int64_t>(std::time(nullptr));
    if (auto old = s.image(rec.id)) rec.digests = old->digests;
    for (const auto& d : img.extra_digests)
      if (std::find(rec.digests.begin(), rec.digests.end(), d) == rec.digests.end()) rec.digests.push_back(d);
    TRY(s.put_image(rec));
    for (const auto& n : img.names) names[n] = rec.id;
    out.push_back({rec.id, img.names});
  }
  TRY(s.put_names(names));
  return out;
}

Result<LoadedImage> commit_image(const store::Store& s, const Json& config, std::vector<const IngestedLayer*> layers,
                                 const std::string& name, const std::map<std::string, std::string>& annotations) {
  PendingImage img;
  img.annotations = annotations;
  img.config = dump_json(config);
  img.layers = std::move(layers);
  if (!name.empty()) img.names.push_back(name);
  std::vector<PendingImage> images;
  images.push_back(std::move(img));
  auto out = TRY(commit_images(s, images));
  return out.front();
}

Result<std::vector<LoadedImage>> load_archive(const store::Store& s, int fd, const LoadOptions& o) {
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_fd(a.get(), fd, 1 << 20) != ARCHIVE_OK)
    return std::unexpected(archive_failure(  // podman's words first, for scripts that match them
        a.get(),
        "payload does not match any of the supported image formats: docker-archive, oci-archive: not an "
        "image archive"));
  UnpackOptions uo = unpack_options(s);
  Members m;
  archive_entry* e;
  while (true) {
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return std::unexpected(archive_failure(a.get(), "read image archive"));
    TRY(stream_member(s, a.get(), e, m, uo, o));
  }
  auto images = TRY(resolve(m));
  auto out = TRY(commit_images(s, images));
  if (o.progress) fmt::print(stderr, "Writing manifest to image destination\n");
  return out;
}

Result<std::vector<LoadedImage>> load_oci_dir(const store::Store& s, const std::string& path, const LoadOptions& o) {
  auto dir = TRY(sys::open_at(AT_FDCWD, path, O_RDONLY | O_DIRECTORY));
  Members m;
  for (const char* f : {"index.json", "oci-layout"}) {
    auto text = sys::read_file_at(dir.get(), f, kSmallMax);
    if (text) m.small[f] = *text;
  }
  if (!m.small.count("index.json")) return fail(Errc::invalid_input, "{}: no index.json: not an OCI layout", path);
  // Every blob below blobs/sha256 named by the index graph: JSON ones in memory, layers later.
  auto listed = TRY(sys::list_dir(dir.get(), "blobs/sha256"));
  std::vector<std::string> layer_files;
  for (const auto& n : listed) {
    std::string rel = "blobs/sha256/" + n;
    auto fd = sys::open_beneath(dir.get(), rel, O_RDONLY, 0, true);
    if (!fd) continue;
    unsigned char head[512];
    ssize_t got = ::pread(fd->get(), head, sizeof head, 0);
    if (got > 0 && looks_like_layer(head, static_cast<size_t>(got)))
      layer_files.push_back(rel);
    else
      m.small[rel] = TRY(context(sys::read_all(fd->get(), kSmallMax), rel));
  }
  UnpackOptions uo = unpack_options(s);
  std::mutex mu;
  std::optional<Error> first_error;
  size_t next = 0;
  auto worker = [&]() {
    while (true) {
      std::string rel;
      {
        std::lock_guard g(mu);
        if (next >= layer_files.size() || first_error) return;
        rel = layer_files[next++];
      }
      try {
        auto fd = sys::open_beneath(dir.get(), rel, O_RDONLY, 0, true);
        Result<IngestedLayer> l = fd ? ingest_to_temp(
                                           s, [&](void* b, size_t n) { return ::read(fd->get(), b, n); }, uo)
                                     : Result<IngestedLayer>(std::unexpected(fd.error()));
        std::lock_guard g(mu);
        if (!l) {
          if (!first_error) first_error = with_context(l.error(), fmt::format("layer {}", rel));
          return;
        }
        progress(o, "blob", l->result.blob);
        m.layers[rel] = std::move(*l);
      } catch (const std::exception& ex) {  // a thread entry point: nothing may escape (STYLE 2.5)
        std::lock_guard g(mu);
        if (!first_error) first_error = Error{Errc::internal, 0, ex.what()};
        return;
      }
    }
  };
  unsigned n = std::min<unsigned>(4, std::max<unsigned>(1, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < n && i < layer_files.size(); i++) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (first_error) return std::unexpected(*first_error);
  auto images = TRY(resolve_oci(m));
  return commit_images(s, images);
}

}  // namespace berth::image

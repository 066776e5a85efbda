#include "berth/image/save.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <set>

#include "berth/image/config.hpp"
#include "berth/sys/file.hpp"
#include "archive_error.hpp"

namespace berth::image {

namespace {

// Where saved files go: a tar stream or a directory.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Result<void> file(const std::string& path, std::string_view data) = 0;
  virtual Result<void> blob_file(const std::string& path, int fd, std::uint64_t size) = 0;
  virtual Result<void> finish() = 0;
};

struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};

class TarSink : public Sink {
 public:
  explicit TarSink(int fd) : a_(archive_write_new()) {
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_in_last_block(a_.get(), 1);
    ok_ = archive_write_open_fd(a_.get(), fd) == ARCHIVE_OK;
  }
  Result<void> header(const std::string& path, std::uint64_t size) {
    if (!ok_) return std::unexpected(archive_failure(a_.get(), "write archive", Errc::system));
    std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) return err();
    return {};
  }
  Result<void> file(const std::string& path, std::string_view data) override {
    TRY(header(path, data.size()));
    if (archive_write_data(a_.get(), data.data(), data.size()) < 0) return err();
    return {};
  }
  Result<void> blob_file(const std::string& path, int fd, std::uint64_t size) override {
    TRY(header(path, size));
    std::vector<char> buf(1 << 20);
    std::uint64_t left = size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left));
      if (n < 0) return fail_errno("read blob");
      if (n == 0) return fail(Errc::system, "blob {} is shorter than recorded", path);
      if (archive_write_data(a_.get(), buf.data(), static_cast<size_t>(n)) < 0) return err();
      left -= static_cast<std::uint64_t>(n);
    }
    return {};
  }
  Result<void> finish() override {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return err();
    return {};
  }

 private:
  Result<void> err() { return std::unexpected(archive_failure(a_.get(), "write archive", Errc::system)); }
  std::unique_ptr<archive, WriteDeleter> a_;
  bool ok_ = false;
};

class DirSink : public Sink {
 public:
  explicit DirSink(sys::UniqueFd dir) : dir_(std::move(dir)) {}
  Result<void> file(const std::string& path, std::string_view data) override {
    auto parent = TRY(parent_dir(path));
    return sys::write_atomic(parent.get(), base(path), data, 0644);
  }
  Result<void> blob_file(const std::string& path, int fd, std::uint64_t size) override {
    auto parent = TRY(parent_dir(path));
    if (sys::exists_at(parent.get(), base(path))) return {};  // content-addressed: already there
    std::string tmp = "." + base(path) + ".tmp";
    auto out = TRY(sys::open_at(parent.get(), tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644));
    std::vector<char> buf(1 << 20);
    std::uint64_t left = size;
    while (left > 0) {
      ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left));
      if (n <= 0) return fail_errno("read blob");
      TRY(sys::write_all(out.get(), std::string_view(buf.data(), static_cast<size_t>(n))));
      left -= static_cast<std::uint64_t>(n);
    }
    if (::fsync(out.get()) < 0) return fail_errno("fsync {}", path);
    if (::renameat(parent.get(), tmp.c_str(), parent.get(), base(path).c_str()) < 0)
      return fail_errno("rename {}", path);
    return {};
  }
  Result<void> finish() override { return {}; }

 private:
  static std::string base(const std::string& p) { return p.substr(p.rfind('/') + 1); }
  Result<sys::UniqueFd> parent_dir(const std::string& p) {
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return sys::open_at(dir_.get(), ".", O_RDONLY | O_DIRECTORY);
    auto made = TRY(sys::make_dirs(dir_.get(), p.substr(0, slash), 0755));
    return sys::open_at(made.get(), ".", O_RDONLY | O_DIRECTORY);
  }
  sys::UniqueFd dir_;
};

struct ImageParts {
  store::ImageRecord rec;
  std::string manifest;
  Manifest parsed;
};

Result<ImageParts> image_parts(const store::Store& s, const Digest& id) {
  ImageParts p;
  p.rec = TRY(s.image(id));
  p.manifest = TRY(s.read_blob(p.rec.manifest, 16 << 20));
  p.parsed = TRY(parse_manifest(TRY(parse_json(p.manifest, "stored manifest"))));
  return p;
}

Result<void> write_blob(const store::Store& s, Sink& sink, const std::string& path, const Digest& d) {
  auto fd = TRY(s.open_blob(d));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return fail_errno("stat blob {}", d.str());
  return sink.blob_file(path, fd.get(), static_cast<std::uint64_t>(st.st_size));
}

Result<void> save_docker(const store::Store& s, const std::vector<SaveItem>& items, Sink& sink) {
  Json manifest = Json::array();
  std::set<std::string> written;
  for (const auto& item : items) {
    auto p = TRY(image_parts(s, item.id));
    std::string cfg_name = fmt::format("{}.json", p.parsed.config.digest.hex());
    if (written.insert(cfg_name).second) TRY(write_blob(s, sink, cfg_name, p.parsed.config.digest));
    Json layers = Json::array();
    for (const auto& l : p.parsed.layers) {
      std::string name = fmt::format("{}.tar", l.digest.hex());
      if (written.insert(name).second) TRY(write_blob(s, sink, name, l.digest));
      layers.push_back(name);
    }
    Json tags = Json::array();
    // Full names: docker load accepts them, and podman (which reads a short name as
    // localhost/...) then gets exactly the name this store had.
    for (const auto& n : item.names) tags.push_back(n);
    manifest.push_back({{"Config", cfg_name}, {"RepoTags", tags}, {"Layers", layers}});
  }
  return sink.file("manifest.json", dump_json(manifest));
}

Result<void> save_oci(const store::Store& s, const std::vector<SaveItem>& items, Sink& sink) {
  std::set<std::string> written;
  auto blob = [&](const Digest& d) -> Result<void> {
    std::string path = fmt::format("blobs/sha256/{}", d.hex());
    if (!written.insert(path).second) return {};
    return write_blob(s, sink, path, d);
  };
  Json manifests = Json::array();
  TRY(sink.file("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  for (const auto& item : items) {
    auto p = TRY(image_parts(s, item.id));
    TRY(blob(p.parsed.config.digest));
    for (const auto& l : p.parsed.layers) TRY(blob(l.digest));
    TRY(blob(p.rec.manifest));
    Descriptor d{p.rec.manifest_type.empty() ? kOciManifest : p.rec.manifest_type,
                 p.rec.manifest,
                 static_cast<long long>(p.manifest.size()),
                 Json::object(),
                 {}};
    if (item.names.empty()) {
      manifests.push_back(descriptor_to_json(d));
    } else {
      for (const auto& n : item.names) {
        d.annotations = {{kRefNameAnnotation, n}};
        manifests.push_back(descriptor_to_json(d));
      }
    }
  }
  return sink.file("index.json", dump_json(Json{{"schemaVersion", 2}, {"manifests", manifests}}));
}

}  // namespace

Result<SaveFormat> parse_save_format(std::string_view s) {
  if (s == "docker-archive") return SaveFormat::docker_archive;
  if (s == "oci-archive") return SaveFormat::oci_archive;
  if (s == "oci-dir") return SaveFormat::oci_dir;
  return fail(Errc::usage, "unsupported format \"{}\": use docker-archive, oci-archive or oci-dir", s);
}

Result<void> save_images(const store::Store& s, const std::vector<SaveItem>& items, SaveFormat f, int out_fd,
                         const std::string& dir) {
  std::unique_ptr<Sink> sink;
  if (f == SaveFormat::oci_dir) {
    int slash = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    sys::UniqueFd top(slash);
    sink = std::make_unique<DirSink>(TRY(sys::make_dirs(top.get(), sys::abs_path(dir), 0755)));
  } else {
    sink = std::make_unique<TarSink>(out_fd);
  }
  if (f == SaveFormat::docker_archive)
    TRY(save_docker(s, items, *sink));
  else
    TRY(save_oci(s, items, *sink));
  return sink->finish();
}

}  // namespace berth::image

// Overlay directories back to OCI layers (commit), and their changes (diff).
#include "berth/image/commit.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <memory>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/image/config.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "archive_error.hpp"

namespace berth::image {

namespace {

struct ReadDiskDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
struct ResolverDeleter {
  void operator()(archive_entry_linkresolver* r) const { archive_entry_linkresolver_free(r); }
};

// A failed write of the tar, with libarchive's errno (EPIPE: the reader went away first).
Error write_failed(archive* out) { return archive_failure(out, "write tar", Errc::system); }

bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

std::string parent_of(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash + 1);
}
std::string base_of(const std::string& rel) {
  auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

Result<void> write_marker(archive* out, const std::string& path, time_t sec, long nsec) {
  std::unique_ptr<archive_entry, EntryDeleter> m(archive_entry_new());
  archive_entry_set_pathname(m.get(), path.c_str());
  archive_entry_set_filetype(m.get(), AE_IFREG);
  archive_entry_set_perm(m.get(), 0644);
  archive_entry_set_size(m.get(), 0);
  archive_entry_set_mtime(m.get(), sec, nsec);
  if (archive_write_header(out, m.get()) < ARCHIVE_WARN) return std::unexpected(write_failed(out));
  return {};
}

Result<void> copy_data(archive* disk, archive* out) {
  const void* buf;
  size_t size;
  la_int64_t offset, done = 0;
  static const std::string zeros(65536, '\0');
  while (true) {
    int r = archive_read_data_block(disk, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return {};
    if (r < ARCHIVE_WARN) return std::unexpected(archive_failure(disk, "read for the layer", Errc::system));
    // Holes are written as zeros; the pax writer drops what its sparse map marks as holes.
    while (offset > done) {
      size_t n = static_cast<size_t>(std::min<la_int64_t>(offset - done, static_cast<la_int64_t>(zeros.size())));
      if (archive_write_data(out, zeros.data(), n) < 0) return std::unexpected(write_failed(out));
      done += static_cast<la_int64_t>(n);
    }
    if (size > 0 && archive_write_data(out, buf, size) < 0) return std::unexpected(write_failed(out));
    done = offset + static_cast<la_int64_t>(size);
  }
}

Result<void> write_entry(archive* out, archive* disk, archive_entry* e, bool with_data) {
  if (archive_write_header(out, e) < ARCHIVE_WARN) return std::unexpected(write_failed(out));
  if (with_data) TRY(copy_data(disk, out));
  return {};
}

}  // namespace

Result<void> write_layer_tar(const std::string& dir, int out_fd, const std::string& xattr_prefix) {
  TreeTarOptions o;
  o.overlay_prefix = xattr_prefix;
  return write_tree_tar(dir, out_fd, o);
}

namespace {

// Removes overlay's own xattrs (prefix `overlay_ns`) from the entry; true when they said the
// directory is opaque.
bool drop_overlay_xattrs(archive_entry* e, const std::string& overlay_ns) {
  bool opaque = false;
  std::vector<std::pair<std::string, std::string>> keep;
  const char* name;
  const void* value;
  size_t size;
  archive_entry_xattr_reset(e);
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    std::string n = name;
    if (n.starts_with(overlay_ns)) {
      if (n == overlay_ns + "opaque" && size == 1 && *static_cast<const char*>(value) == 'y') opaque = true;
      continue;
    }
    keep.emplace_back(n, std::string(static_cast<const char*>(value), size));
  }
  archive_entry_xattr_clear(e);
  for (const auto& [k, v] : keep) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
  return opaque;
}

}  // namespace

Result<void> write_symlink_tar(int out_fd, const SymlinkEntry& l) {
  std::unique_ptr<archive, WriteDeleter> out(archive_write_new());
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_in_last_block(out.get(), 1);
  if (archive_write_open_fd(out.get(), out_fd) != ARCHIVE_OK) return std::unexpected(write_failed(out.get()));
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), l.name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFLNK);
  archive_entry_set_perm(e.get(), 0777);
  archive_entry_set_symlink(e.get(), l.target.c_str());
  archive_entry_set_uid(e.get(), l.uid);
  archive_entry_set_gid(e.get(), l.gid);
  archive_entry_set_mtime(e.get(), static_cast<time_t>(l.mtime_sec), l.mtime_nsec);
  if (archive_write_header(out.get(), e.get()) < ARCHIVE_WARN || archive_write_close(out.get()) != ARCHIVE_OK)
    return std::unexpected(write_failed(out.get()));
  return {};
}

Result<void> write_tree_tar(const std::string& dir, int out_fd, const TreeTarOptions& o) {
  std::unique_ptr<archive, ReadDiskDeleter> disk(archive_read_disk_new());
  if (o.follow_top)
    archive_read_disk_set_symlink_hybrid(disk.get());
  else
    archive_read_disk_set_symlink_physical(disk.get());
  archive_read_disk_set_behavior(disk.get(), ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
  if (archive_read_disk_open(disk.get(), dir.c_str()) != ARCHIVE_OK)
    return std::unexpected(archive_failure(disk.get(), fmt::format("read {}", dir), Errc::system));
  std::unique_ptr<archive, WriteDeleter> out(archive_write_new());
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_in_last_block(out.get(), 1);
  if (archive_write_open_fd(out.get(), out_fd) != ARCHIVE_OK) return std::unexpected(write_failed(out.get()));
  std::unique_ptr<archive_entry_linkresolver, ResolverDeleter> links(archive_entry_linkresolver_new());
  archive_entry_linkresolver_set_strategy(links.get(), archive_format(out.get()));
  const bool layer = !o.overlay_prefix.empty();
  const std::string overlay_ns = o.overlay_prefix + "overlay.";
  const std::string root = dir.ends_with('/') ? dir.substr(0, dir.size() - 1) : dir;
  std::uint64_t file_bytes = 0;
  while (true) {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    int r = archive_read_next_header2(disk.get(), e.get());
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN)
      return std::unexpected(archive_failure(disk.get(), fmt::format("read {}", dir), Errc::system));
    if (archive_entry_filetype(e.get()) == AE_IFDIR) archive_read_disk_descend(disk.get());
    std::string path = archive_entry_pathname(e.get());
    if (path != root && !path.starts_with(root + "/")) continue;
    std::string rel = path == root ? "" : path.substr(root.size() + 1);
    if (!o.top.empty()) rel = rel.empty() ? o.top : o.top + "/" + rel;
    if (rel.empty()) continue;  // the directory itself, when only its content is wanted
    const struct stat* st = archive_entry_stat(e.get());
    if (o.mtime >= 0) {  // build --timestamp: the same tree gives the same bytes
      archive_entry_set_mtime(e.get(), static_cast<time_t>(o.mtime), 0);
      archive_entry_unset_atime(e.get());
      archive_entry_unset_ctime(e.get());
    }
    if (layer && is_whiteout(*st)) {
      TRY(write_marker(out.get(), parent_of(rel) + ".wh." + base_of(rel), archive_entry_mtime(e.get()),
                       archive_entry_mtime_nsec(e.get())));
      continue;
    }
    // overlay's own xattrs stay behind; an opaque directory becomes a marker in the tar
    bool opaque = layer && drop_overlay_xattrs(e.get(), overlay_ns);
    archive_entry_set_pathname(e.get(), rel.c_str());
    archive_entry_set_uname(e.get(), nullptr);
    archive_entry_set_gname(e.get(), nullptr);
    auto disk_uid = static_cast<std::uint32_t>(st->st_uid), disk_gid = static_cast<std::uint32_t>(st->st_gid);
    if (o.uid_map) archive_entry_set_uid(e.get(), to_container(*o.uid_map, disk_uid).value_or(65534));
    if (o.gid_map) archive_entry_set_gid(e.get(), to_container(*o.gid_map, disk_gid).value_or(65534));
    if (o.owner >= 0) archive_entry_set_uid(e.get(), o.owner);
    if (o.group >= 0) archive_entry_set_gid(e.get(), o.group);
    bool is_dir = archive_entry_filetype(e.get()) == AE_IFDIR;
    time_t sec = archive_entry_mtime(e.get());
    long nsec = archive_entry_mtime_nsec(e.get());
    // Hardlinks: the first path carries the data, the others link to it.
    archive_entry* cur = e.release();
    archive_entry* spare = nullptr;
    archive_entry_linkify(links.get(), &cur, &spare);
    std::unique_ptr<archive_entry, EntryDeleter> own(cur), own_spare(spare);
    if (cur) {
      bool data = archive_entry_filetype(cur) == AE_IFREG && archive_entry_size(cur) > 0;
      TRY(write_entry(out.get(), disk.get(), cur, data));
      if (data) file_bytes += static_cast<std::uint64_t>(archive_entry_size(cur));
    }
    if (is_dir && opaque) TRY(write_marker(out.get(), rel + "/.wh..wh..opq", sec, nsec));
  }
  archive_entry* rest = nullptr;
  archive_entry* spare = nullptr;
  while (archive_entry_linkify(links.get(), &rest, &spare), rest != nullptr) {
    std::unique_ptr<archive_entry, EntryDeleter> own(rest);
    if (archive_write_header(out.get(), rest) < ARCHIVE_WARN) return std::unexpected(write_failed(out.get()));
  }
  if (archive_write_close(out.get()) != ARCHIVE_OK) return std::unexpected(write_failed(out.get()));
  if (o.file_bytes) *o.file_bytes = file_bytes;
  return {};
}

namespace {

// What a path is in the stack of lowers: present, removed by a whiteout, or absent.
bool exists_below(const std::vector<sys::UniqueFd>& lowers, const std::string& rel) {
  for (const auto& l : lowers) {
    struct stat st;
    if (::fstatat(l.get(), rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return !is_whiteout(st);
  }
  return false;
}

Result<void> walk_changes(int dirfd, const std::string& rel, const std::vector<sys::UniqueFd>& lowers,
                          std::vector<Change>& out) {
  auto names = TRY(sys::list_dir(dirfd, rel.empty() ? "." : rel));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::string p = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (::fstatat(dirfd, p.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (is_whiteout(st)) {
      if (exists_below(lowers, p)) out.push_back({'D', "/" + p});
      continue;
    }
    out.push_back({exists_below(lowers, p) ? 'C' : 'A', "/" + p});
    if (S_ISDIR(st.st_mode)) TRY(walk_changes(dirfd, p, lowers, out));
  }
  return {};
}

}  // namespace

Result<std::vector<Change>> layer_changes(const std::string& dir, const std::vector<std::string>& lowers,
                                          const std::string& xattr_prefix) {
  (void)xattr_prefix;
  auto top = TRY(sys::open_at(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY));
  std::vector<sys::UniqueFd> fds;
  for (const auto& l : lowers) fds.push_back(TRY(sys::open_at(AT_FDCWD, l, O_RDONLY | O_DIRECTORY)));
  std::vector<Change> out;
  TRY(walk_changes(top.get(), "", fds, out));
  return out;
}

Result<LoadedImage> commit_upper(const store::Store& s, const Digest& base_image, const std::string& upper,
                                 const CommitOptions& o) {
  auto base = TRY(s.image(base_image));
  Json cfg = TRY(parse_json(TRY(s.read_blob(base_image, 16 << 20)), "base image config"));
  for (const auto& c : o.changes) TRY(apply_change(cfg, c));
  if (o.squash || !cfg.contains("history") || !cfg["history"].is_array()) cfg["history"] = Json::array();
  return commit_layers(s, std::move(cfg), o.squash ? std::vector<ChainId>{} : base.layers, upper, o);
}

Result<LoadedImage> commit_layers(const store::Store& s, Json cfg, const std::vector<ChainId>& base_layers,
                                  const std::string& upper, const CommitOptions& o) {
  if (upper.empty()) return commit_layer_from(s, std::move(cfg), base_layers, nullptr, o);
  // The tar streams through a pipe into a blob file and its sha256, in one pass; the layer's
  // diff/ is unpacked from the blob when the image is first used (ensure_unpacked): commit
  // creates no inode per file, so it costs about what tar -c of the upper dir costs.
  TreeTarOptions to;
  to.overlay_prefix = o.squash                   ? ""
                      : o.overlay_prefix.empty() ? s.overlay_xattr_prefix()
                                                 : o.overlay_prefix;  // a merged view has no whiteouts
  to.uid_map = o.uid_map;
  to.gid_map = o.gid_map;
  to.mtime = o.mtime;
  return commit_layer_from(
      s, std::move(cfg), base_layers,
      [&](int out, std::uint64_t* file_bytes) {
        to.file_bytes = file_bytes;
        return write_tree_tar(upper, out, to);
      },
      o);
}

Result<LoadedImage> commit_layer_from(const store::Store& s, Json cfg, const std::vector<ChainId>& base_layers,
                                      const LayerProducer& produce, const CommitOptions& o) {
  std::vector<IngestedLayer> layers;
  for (const auto& chain : base_layers) {
    auto lr = TRY(s.layer(chain));
    IngestedLayer l;
    l.result = LayerResult{lr.blob, lr.blob_size, lr.diff, lr.media_type, lr.size};
    layers.push_back(std::move(l));
  }
  if (produce) {
    std::uint64_t file_bytes = 0;
    auto streamed = sys::through_pipe([&](int out) { return produce(out, &file_bytes); },
                                      [&](int in) -> Result<void> {
                                        auto l = blob_to_temp(s, [in](void* b, size_t n) { return ::read(in, b, n); });
                                        if (!l) return std::unexpected(with_context(l.error(), "commit"));
                                        layers.push_back(std::move(*l));
                                        return {};
                                      });
    if (o.read_done) o.read_done();
    TRY(streamed);
    layers.back().result.size = file_bytes;
  }
  std::string now = o.created.empty() ? rfc3339_utc(static_cast<std::int64_t>(std::time(nullptr))) : o.created;
  cfg["created"] = now;
  if (!o.author.empty()) cfg["author"] = o.author;
  Json diff_ids = Json::array();
  for (const auto& l : layers) diff_ids.push_back(l.result.diff.d.str());
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", diff_ids}};
  if (produce || !o.created_by.empty()) {
    Json hist = {{"created", now}, {"created_by", o.created_by}};
    if (!o.author.empty()) hist["author"] = o.author;
    if (!o.message.empty()) hist["comment"] = o.message;
    if (!produce) hist["empty_layer"] = true;
    if (!cfg.contains("history") || !cfg["history"].is_array()) cfg["history"] = Json::array();
    cfg["history"].push_back(hist);
  }
  std::vector<const IngestedLayer*> ptrs;
  for (const auto& l : layers) ptrs.push_back(&l);
  return commit_image(s, cfg, std::move(ptrs), o.name, o.annotations);
}

struct LayerTarWriter::Impl {
  std::unique_ptr<archive, WriteDeleter> out;
  std::uint64_t file_bytes = 0;
};

Result<std::unique_ptr<LayerTarWriter>> LayerTarWriter::open(int out_fd) {
  auto w = std::unique_ptr<LayerTarWriter>(new LayerTarWriter);
  w->impl_ = std::make_unique<Impl>();
  w->impl_->out.reset(archive_write_new());
  archive* a = w->impl_->out.get();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open_fd(a, out_fd) != ARCHIVE_OK) return std::unexpected(write_failed(a));
  return w;
}

LayerTarWriter::~LayerTarWriter() = default;

Result<void> LayerTarWriter::entry(const std::string& name, const Meta& m, unsigned type, long long size,
                                   const std::string& link) {
  std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), m.mode & 07777);
  archive_entry_set_uid(e.get(), m.uid);
  archive_entry_set_gid(e.get(), m.gid);
  archive_entry_set_mtime(e.get(), static_cast<time_t>(m.mtime_sec), m.mtime_nsec);
  archive_entry_set_size(e.get(), size);
  if (!link.empty()) archive_entry_set_symlink(e.get(), link.c_str());
  if (archive_write_header(impl_->out.get(), e.get()) < ARCHIVE_WARN)
    return std::unexpected(write_failed(impl_->out.get()));
  return {};
}

Result<void> LayerTarWriter::dir(const std::string& name, const Meta& m) { return entry(name, m, AE_IFDIR, 0, ""); }

Result<void> LayerTarWriter::symlink(const std::string& name, const Meta& m, const std::string& target) {
  return entry(name, m, AE_IFLNK, 0, target);
}

Result<void> LayerTarWriter::file(const std::string& name, const Meta& m, int fd, long long size) {
  TRY(entry(name, m, AE_IFREG, size, ""));
  char buf[1 << 16];
  long long left = size;
  while (left > 0) {  // exactly `size` bytes: a file that grew meanwhile is cut, one that shrank padded
    ssize_t n = ::read(fd, buf, static_cast<size_t>(std::min<long long>(left, sizeof buf)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("read {}", name);
    if (n == 0) {
      std::memset(buf, 0, sizeof buf);
      n = static_cast<ssize_t>(std::min<long long>(left, sizeof buf));
    }
    if (archive_write_data(impl_->out.get(), buf, static_cast<size_t>(n)) < 0)
      return std::unexpected(write_failed(impl_->out.get()));
    left -= n;
  }
  impl_->file_bytes += static_cast<std::uint64_t>(size);
  return {};
}

Result<void> LayerTarWriter::data(const std::string& name, const Meta& m, std::string_view bytes) {
  TRY(entry(name, m, AE_IFREG, static_cast<long long>(bytes.size()), ""));
  if (!bytes.empty() && archive_write_data(impl_->out.get(), bytes.data(), bytes.size()) < 0)
    return std::unexpected(write_failed(impl_->out.get()));
  impl_->file_bytes += bytes.size();
  return {};
}

Result<void> LayerTarWriter::append_archive(int fd, const std::string& prefix) {
  std::unique_ptr<archive, ReadDiskDeleter> in(archive_read_new());  // archive_read_free either way
  archive_read_support_filter_all(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_fd(in.get(), fd, 1 << 16) != ARCHIVE_OK)
    return std::unexpected(archive_failure(in.get(), "open the archive", Errc::invalid_input));
  auto under = [&](const std::string& n) { return prefix.empty() ? n : prefix + "/" + n; };
  archive_entry* e = nullptr;
  while (true) {
    int r = archive_read_next_header(in.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return std::unexpected(archive_failure(in.get(), "read the archive", Errc::invalid_input));
    std::string name = TRY(clean_member_path(archive_entry_pathname(e)));
    if (name == ".") continue;
    archive_entry_set_pathname(e, under(name).c_str());
    if (const char* h = archive_entry_hardlink(e))
      archive_entry_set_hardlink(e, under(TRY(clean_member_path(h))).c_str());
    bool data = archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 && !archive_entry_hardlink(e);
    TRY(write_entry(impl_->out.get(), in.get(), e, data));
    if (data) impl_->file_bytes += static_cast<std::uint64_t>(archive_entry_size(e));
  }
  return {};
}

Result<void> LayerTarWriter::finish() {
  if (archive_write_close(impl_->out.get()) != ARCHIVE_OK) return std::unexpected(write_failed(impl_->out.get()));
  return {};
}

std::uint64_t LayerTarWriter::file_bytes() const { return impl_->file_bytes; }

}  // namespace berth::image

// One streaming pass per layer: raw bytes -> (blob sha256, blob file) -> decompress ->
// (diff sha256) -> tar entries -> unpack. Two libarchive readers are chained: the first only
// decompresses ("raw" format, every filter), the second reads tar from the first's output, so
// both digests are computed on the bytes actually consumed.
#include <archive.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "berth/image/unpack.hpp"
#include "berth/sys/file.hpp"
#include "archive_error.hpp"

namespace berth::image {

namespace {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

struct RawCtx {
  const ReadFn* src;
  int blob_fd;
  Sha256 blob;
  std::vector<char> buf = std::vector<char>(1 << 20);
  Error err;
  bool failed = false;
};

la_ssize_t raw_read(archive*, void* p, const void** out) {
  auto* c = static_cast<RawCtx*>(p);
  ssize_t n = (*c->src)(c->buf.data(), c->buf.size());
  if (n < 0) {
    c->err = Error{Errc::system, errno, fmt::format("read layer: {}", errno_text(errno))};
    c->failed = true;
    return -1;
  }
  c->blob.update(c->buf.data(), static_cast<size_t>(n));
  if (c->blob_fd >= 0 && n > 0) {
    auto w = sys::write_all(c->blob_fd, std::string_view(c->buf.data(), static_cast<size_t>(n)));
    if (!w) {
      c->err = w.error();
      c->failed = true;
      return -1;
    }
  }
  *out = c->buf.data();
  return n;
}

struct TarCtx {
  archive* raw;
  bool hash = true;
  Sha256 diff;
  std::vector<char> buf = std::vector<char>(1 << 20);
};

la_ssize_t tar_read(archive*, void* p, const void** out) {
  auto* c = static_cast<TarCtx*>(p);
  la_ssize_t n = archive_read_data(c->raw, c->buf.data(), c->buf.size());
  if (n < 0) {
    return -1;
  }
  if (c->hash) c->diff.update(c->buf.data(), static_cast<size_t>(n));
  *out = c->buf.data();
  return n;
}

std::string media_type_for(int filter) {
  switch (filter) {
    case ARCHIVE_FILTER_NONE: return "application/vnd.oci.image.layer.v1.tar";
    case ARCHIVE_FILTER_GZIP: return "application/vnd.oci.image.layer.v1.tar+gzip";
    case ARCHIVE_FILTER_ZSTD: return "application/vnd.oci.image.layer.v1.tar+zstd";
    default: return "";
  }
}

Error stream_error(archive* a, const RawCtx& rc, std::string_view what) {
  if (rc.failed) return rc.err;
  Error e = archive_failure(a, what);
  if (e.code != Errc::system) e.message = fmt::format("{}: corrupt or truncated data: {}", what, archive_message(a));
  return e;
}

}  // namespace

Result<LayerResult> ingest_layer(const ReadFn& src, int blob_fd, int dirfd, const UnpackOptions& opt) {
  RawCtx rc{&src, blob_fd, Sha256{}, std::vector<char>(1 << 20), Error{}, false};
  ArchivePtr raw(archive_read_new());
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  if (archive_read_open(raw.get(), &rc, nullptr, raw_read, nullptr) != ARCHIVE_OK)
    return std::unexpected(stream_error(raw.get(), rc, "open layer"));
  archive_entry* re;
  if (archive_read_next_header(raw.get(), &re) != ARCHIVE_OK)
    return std::unexpected(stream_error(raw.get(), rc, "read layer"));
  int filter = archive_filter_code(raw.get(), 0);
  std::string media = media_type_for(filter);
  if (media.empty())
    return fail(Errc::invalid_input, "layer compressed with {}: only plain, gzip and zstd layers are supported",
                archive_filter_name(raw.get(), 0));

  TarCtx tc{raw.get(), true, Sha256{}, std::vector<char>(1 << 20)};
  tc.hash = filter != ARCHIVE_FILTER_NONE;  // uncompressed: the diff-id is the blob digest
  ArchivePtr tar(archive_read_new());
  archive_read_support_format_tar(tar.get());
  if (archive_read_open(tar.get(), &tc, nullptr, tar_read, nullptr) != ARCHIVE_OK)
    return std::unexpected(stream_error(raw.get(), rc, "open layer tar"));
  auto st = unpack_entries(tar.get(), dirfd, opt);
  if (!st) {
    if (rc.failed) return std::unexpected(rc.err);
    if (st.error().code == Errc::invalid_input && archive_errno(raw.get()) != 0)
      return std::unexpected(stream_error(raw.get(), rc, "read layer"));
    return std::unexpected(st.error());
  }
  // The diff-id covers every byte of the tar stream, including the end-of-archive padding the
  // tar reader stops before; the blob digest covers every raw byte.
  std::vector<char> sink(1 << 16);
  while (true) {
    la_ssize_t n = archive_read_data(raw.get(), sink.data(), sink.size());
    if (n < 0) return std::unexpected(stream_error(raw.get(), rc, "read layer"));
    if (n == 0) break;
    if (tc.hash) tc.diff.update(sink.data(), static_cast<size_t>(n));
  }
  while (true) {
    ssize_t n = src(rc.buf.data(), rc.buf.size());
    if (n < 0) return fail_errno("read layer");
    if (n == 0) break;
    rc.blob.update(rc.buf.data(), static_cast<size_t>(n));
    if (blob_fd >= 0) TRY(sys::write_all(blob_fd, std::string_view(rc.buf.data(), static_cast<size_t>(n))));
  }
  if (rc.failed) return std::unexpected(rc.err);
  LayerResult r;
  r.blob_size = rc.blob.bytes();
  r.blob = rc.blob.finish();
  r.diff = DiffId{tc.hash ? tc.diff.finish() : r.blob};
  r.media_type = media;
  r.size = st->bytes;
  return r;
}

}  // namespace berth::image

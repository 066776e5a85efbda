// Overlay directories back to OCI layer tars: whiteouts, opaque directories, overlay xattrs,
// hardlinks; and the A/C/D changes over lower layers.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "berth/image/commit.hpp"

using namespace berth;
namespace fs = std::filesystem;

namespace {

struct Dir {
  Dir() {
    char t[] = "/var/tmp/berth-commit-test.XXXXXX";
    path = ::mkdtemp(t);
  }
  ~Dir() { fs::remove_all(path); }
  std::string path;
};

void write_file(const std::string& p, const std::string& data) { std::ofstream(p) << data; }

// name -> "type:link" for every member of the tar in `file`
std::map<std::string, std::string> members(const std::string& file) {
  std::map<std::string, std::string> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  REQUIRE(archive_read_open_filename(a, file.c_str(), 10240) == ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string v = archive_entry_filetype(e) == AE_IFDIR   ? "dir"
                    : archive_entry_filetype(e) == AE_IFLNK ? "symlink"
                                                            : "file";
    if (archive_entry_hardlink(e)) v = std::string("hardlink:") + archive_entry_hardlink(e);
    // (libarchive writes each xattr twice, as SCHILY.xattr and LIBARCHIVE.xattr; reading gives both)
    std::set<std::string> xattrs;
    const char* n;
    const void* val;
    size_t sz;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &n, &val, &sz) == ARCHIVE_OK) xattrs.insert(n);
    if (!archive_entry_hardlink(e))
      for (const auto& x : xattrs) v += " xattr:" + x;
    std::string name = archive_entry_pathname(e);
    if (name.ends_with('/')) name.pop_back();
    out[name] = v;
  }
  archive_read_free(a);
  return out;
}

}  // namespace

TEST_CASE("write_layer_tar turns overlay whiteouts and opaque dirs into OCI markers") {
  Dir d, out;
  std::string up = d.path + "/upper";
  fs::create_directories(up + "/etc");
  fs::create_directories(up + "/opq/sub");
  write_file(up + "/etc/new", "x");
  write_file(up + "/opq/sub/f", "y");
  REQUIRE(::link((up + "/etc/new").c_str(), (up + "/etc/hard").c_str()) == 0);
  fs::create_symlink("/etc/new", up + "/sl");
  if (::mknod((up + "/etc/gone").c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
    WARN("cannot make a whiteout device here: skipped");
    return;
  }
  REQUIRE(::setxattr((up + "/opq").c_str(), "user.overlay.opaque", "y", 1, 0) == 0);
  REQUIRE(::setxattr((up + "/etc/new").c_str(), "user.kept", "v", 1, 0) == 0);
  REQUIRE(::setxattr((up + "/etc/new").c_str(), "user.overlay.origin", "o", 1, 0) == 0);
  std::string tar = out.path + "/layer.tar";
  int fd = ::open(tar.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(image::write_layer_tar(up, fd, "user.").has_value());
  ::close(fd);
  auto m = members(tar);
  CHECK(m.count("etc/gone") == 0);
  CHECK(m["etc/.wh.gone"] == "file");
  CHECK(m["opq"] == "dir");
  CHECK(m["opq/.wh..wh..opq"] == "file");
  CHECK(m["opq/sub/f"] == "file");
  CHECK(m["sl"] == "symlink");
  // one of the two names carries the data, the other links to it
  bool linked = m["etc/hard"] == "hardlink:etc/new" || m["etc/new"] == "hardlink:etc/hard";
  CHECK(linked);
  std::string with_data = m["etc/hard"].starts_with("hardlink") ? m["etc/new"] : m["etc/hard"];
  CHECK(with_data == "file xattr:user.kept");  // overlay's own xattrs stay behind
}

TEST_CASE("layer_changes lists A, C and D over the lower layers, sorted") {
  Dir d;
  std::string lower = d.path + "/lower", up = d.path + "/upper";
  fs::create_directories(lower + "/etc");
  write_file(lower + "/etc/passwd", "root");
  write_file(lower + "/etc/group", "root");
  fs::create_directories(up + "/etc");
  fs::create_directories(up + "/new/dir");
  write_file(up + "/etc/passwd", "changed");
  if (::mknod((up + "/etc/group").c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
    WARN("cannot make a whiteout device here: skipped");
    return;
  }
  // a whiteout of something no lower has is no change
  REQUIRE(::mknod((up + "/etc/never").c_str(), S_IFCHR | 0, makedev(0, 0)) == 0);
  auto ch = image::layer_changes(up, {lower}, "user.");
  REQUIRE(ch.has_value());
  std::string text;
  for (const auto& c : *ch) text += std::string(1, c.kind) + " " + c.path + "\n";
  CHECK(text == "C /etc\nD /etc/group\nC /etc/passwd\nA /new\nA /new/dir\n");
}

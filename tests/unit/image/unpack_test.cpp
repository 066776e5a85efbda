// Hostile layers, built with libarchive in memory and unpacked into a real temp dir.
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

#include "berth/image/unpack.hpp"
#include "berth/sys/fd.hpp"

using namespace berth;
namespace fs = std::filesystem;

namespace {

struct Entry {
  Entry(std::string p, mode_t t = AE_IFREG, std::string d = "", std::string l = "", bool h = false, mode_t pm = 0644)
      : path(std::move(p)), type(t), data(std::move(d)), link(std::move(l)), hard(h), perm(pm) {}
  std::string path;
  mode_t type;
  std::string data;
  std::string link;  // symlink target or hardlink target
  bool hard;
  mode_t perm;
};

std::string make_tar(const std::vector<Entry>& entries, bool gzip = false) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) archive_write_add_filter_gzip(a);
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.path.c_str());
    if (e.hard) {
      archive_entry_set_hardlink(ae, e.link.c_str());
    } else {
      archive_entry_set_filetype(ae, e.type);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.link.c_str());
      if (e.type == AE_IFCHR) archive_entry_set_rdev(ae, makedev(1, 3));
      if (e.type == AE_IFREG) archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    }
    archive_entry_set_perm(ae, e.perm);
    archive_write_header(a, ae);
    if (!e.hard && e.type == AE_IFREG) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

struct Dirs {
  fs::path root, layer, outside;
  sys::UniqueFd fd;
  Dirs() {
    char t[] = "/tmp/berth-unpack-XXXXXX";
    root = ::mkdtemp(t);
    layer = root / "layer";
    outside = root / "outside";
    fs::create_directories(layer);
    fs::create_directories(outside);
    fd.reset(::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  ~Dirs() { fs::remove_all(root); }
};

Result<image::LayerResult> unpack(Dirs& d, const std::string& tar, image::UnpackOptions o = {}) {
  size_t off = 0;
  return image::ingest_layer(
      [&](void* b, size_t n) -> ssize_t {
        size_t k = std::min(n, tar.size() - off);
        std::memcpy(b, tar.data() + off, k);
        off += k;
        return static_cast<ssize_t>(k);
      },
      -1, d.fd.get(), o);
}

}  // namespace

TEST_CASE("unpack: member names are cleaned or refused") {
  CHECK(*image::clean_member_path("./a/b/") == "a/b");
  CHECK(*image::clean_member_path("a//b/./c") == "a/b/c");
  CHECK(*image::clean_member_path("./") == ".");
  CHECK_FALSE(image::clean_member_path("../x"));
  CHECK_FALSE(image::clean_member_path("a/../../x"));
  CHECK_FALSE(image::clean_member_path("/etc/passwd"));
}

TEST_CASE("unpack: an ordinary layer, digests of plain and gzip blobs") {
  Dirs d;
  std::vector<Entry> es = {{"dir", AE_IFDIR, "", "", false, 0755},
                           {"dir/file", AE_IFREG, "hello", "", false, 0640},
                           {"dir/link", AE_IFLNK, "", "/etc/passwd"},
                           {"dir/hard", AE_IFREG, "", "dir/file", true},
                           {"fifo", AE_IFIFO}};
  std::string tar = make_tar(es);
  auto r = unpack(d, tar);
  REQUIRE(r);
  CHECK(r->blob == Digest::of(tar));
  CHECK(r->diff.d == r->blob);
  CHECK(r->media_type == "application/vnd.oci.image.layer.v1.tar");
  CHECK(r->size == 5);
  std::ifstream f(d.layer / "dir/file");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  CHECK(s == "hello");
  CHECK((fs::status(d.layer / "dir/file").permissions() & fs::perms::all) == static_cast<fs::perms>(0640));
  CHECK(fs::read_symlink(d.layer / "dir/link") == "/etc/passwd");
  CHECK(fs::hard_link_count(d.layer / "dir/file") == 2);
  CHECK(fs::is_fifo(d.layer / "fifo"));

  Dirs g;
  std::string gz = make_tar(es, true);
  auto rg = unpack(g, gz);
  REQUIRE(rg);
  CHECK(rg->media_type == "application/vnd.oci.image.layer.v1.tar+gzip");
  CHECK(rg->blob == Digest::of(gz));
  CHECK(rg->diff.d == Digest::of(tar));
}

TEST_CASE("unpack: hostile layers never write outside the layer") {
  Dirs d;
  std::string out = d.outside.string();
  SECTION("..") {
    auto r = unpack(d, make_tar({{"../outside/evil", AE_IFREG, "x"}}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_input);
  }
  SECTION("absolute path") {
    auto r = unpack(d, make_tar({{out + "/evil", AE_IFREG, "x"}}));
    REQUIRE_FALSE(r);
  }
  SECTION("a symlink followed by a write through it") {
    auto r = unpack(d, make_tar({{"link", AE_IFLNK, "", out}, {"link/evil", AE_IFREG, "x"}}));
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("symlink") != std::string::npos);
  }
  SECTION("a relative symlink escaping, then a write through it") {
    auto r = unpack(d, make_tar({{"up", AE_IFLNK, "", "../outside"}, {"up/evil", AE_IFREG, "x"}}));
    REQUIRE_FALSE(r);
  }
  SECTION("a symlink replaced by a file is replaced, not followed") {
    fs::path target = d.outside / "victim";
    std::ofstream(target) << "original";
    auto r = unpack(d, make_tar({{"link", AE_IFLNK, "", target.string()}, {"link", AE_IFREG, "new"}}));
    REQUIRE(r);
    std::ifstream f(target);
    std::string s((std::istreambuf_iterator<char>(f)), {});
    CHECK(s == "original");
    CHECK(fs::is_regular_file(fs::symlink_status(d.layer / "link")));
  }
  SECTION("a symlink replaced by a dir: no chmod through it (CVE-2021-32760)") {
    fs::permissions(d.outside, fs::perms::owner_all);
    auto r = unpack(d, make_tar({{"x", AE_IFLNK, "", out}, {"x", AE_IFDIR, "", "", false, 0777}}));
    REQUIRE(r);
    CHECK((fs::status(d.outside).permissions() & fs::perms::all) == fs::perms::owner_all);
  }
  SECTION("a hardlink to a file outside the layer") {
    auto r = unpack(d, make_tar({{"h", AE_IFREG, "", "../outside/x", true}}));
    REQUIRE_FALSE(r);
    auto r2 = unpack(d, make_tar({{"h", AE_IFREG, "", "not/here", true}}));
    REQUIRE_FALSE(r2);
    CHECK(r2.error().message.find("not in the layer") != std::string::npos);
  }
  SECTION("a hardlink to a symlink links the symlink itself") {
    auto r = unpack(d, make_tar({{"s", AE_IFLNK, "", "/etc/shadow"}, {"h", AE_IFREG, "", "s", true}}));
    REQUIRE(r);
    CHECK(fs::is_symlink(d.layer / "h"));
  }
  SECTION("device nodes when rootless are skipped, the rest unpacked") {
    image::UnpackOptions o;
    o.rootless = true;
    auto r = unpack(
        d, make_tar({{"dev", AE_IFDIR}, {"dev/null", AE_IFCHR}, {"dev/sda", AE_IFBLK}, {"f", AE_IFREG, "x"}}), o);
    REQUIRE(r);
    CHECK_FALSE(fs::exists(fs::symlink_status(d.layer / "dev/null")));
    CHECK_FALSE(fs::exists(fs::symlink_status(d.layer / "dev/sda")));
    CHECK(fs::exists(d.layer / "f"));
  }
  SECTION("the layer root replaced by a symlink, then a write (umoci CVE-2021-29136)") {
    for (const char* root : {".", "./", ""}) {
      if (!*root) continue;
      auto r = unpack(d, make_tar({{root, AE_IFLNK, "", out}, {"evil", AE_IFREG, "x"}}));
      REQUIRE_FALSE(r);
      CHECK(r.error().message.find("root") != std::string::npos);
      CHECK_FALSE(fs::exists(d.outside / "evil"));
    }
    auto f = unpack(d, make_tar({{".", AE_IFREG, "x"}}));
    REQUIRE_FALSE(f);
    auto dir = unpack(d, make_tar({{"./", AE_IFDIR, "", "", false, 0777}, {"ok", AE_IFREG, "x"}}));
    REQUIRE(dir);
    CHECK(fs::exists(d.layer / "ok"));
  }
  SECTION("a whiteout naming ..") {
    auto r = unpack(d, make_tar({{"a", AE_IFDIR}, {"a/.wh..", AE_IFREG}}));
    REQUIRE_FALSE(r);
    auto r2 = unpack(d, make_tar({{".wh.", AE_IFREG}}));
    REQUIRE_FALSE(r2);
  }
  SECTION("forged overlay xattrs are dropped") {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    std::vector<char> buf(1 << 16);
    size_t used = 0;
    archive_write_open_memory(a, buf.data(), buf.size(), &used);
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, "dir");
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0755);
    archive_entry_xattr_add_entry(e, "trusted.overlay.opaque", "y", 1);
    archive_entry_xattr_add_entry(e, "user.overlay.redirect", "/etc", 4);
    archive_entry_xattr_add_entry(e, "user.ok", "1", 1);
    archive_write_header(a, e);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    auto r = unpack(d, std::string(buf.data(), used));
    REQUIRE(r);
    char v[16];
    CHECK(::getxattr((d.layer / "dir").c_str(), "trusted.overlay.opaque", v, sizeof v) < 0);
    CHECK(::getxattr((d.layer / "dir").c_str(), "user.overlay.redirect", v, sizeof v) < 0);
  }
  CHECK_FALSE(fs::exists(d.outside / "evil"));
  CHECK_FALSE(fs::exists(d.outside / "x"));
}

TEST_CASE("unpack: whiteouts become overlay whiteouts and opaque dirs") {
  Dirs d;
  auto r = unpack(d, make_tar({{"a", AE_IFDIR},
                               {"a/.wh.gone", AE_IFREG},
                               {"b", AE_IFDIR},
                               {"b/.wh..wh..opq", AE_IFREG},
                               {"c/.wh..wh.plnk", AE_IFREG}}));
  REQUIRE(r);
  struct stat st;
  REQUIRE(::lstat((d.layer / "a/gone").c_str(), &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == makedev(0, 0));
  char v[4] = {};
  CHECK(::getxattr((d.layer / "b").c_str(), "trusted.overlay.opaque", v, sizeof v) == 1);
  CHECK(v[0] == 'y');
  CHECK_FALSE(fs::exists(d.layer / "b/.wh..wh..opq"));
  CHECK_FALSE(fs::exists(d.layer / "c/.wh..wh.plnk"));
}

TEST_CASE("unpack: later duplicates win, dir over dir keeps children") {
  Dirs d;
  auto r = unpack(d, make_tar({{"f", AE_IFREG, "one"},
                               {"f", AE_IFREG, "two"},
                               {"d", AE_IFDIR},
                               {"d/x", AE_IFREG, "x"},
                               {"d", AE_IFDIR, "", "", false, 0700},
                               {"g", AE_IFDIR},
                               {"g", AE_IFREG, "file now"}}));
  REQUIRE(r);
  std::ifstream f(d.layer / "f");
  std::string s((std::istreambuf_iterator<char>(f)), {});
  CHECK(s == "two");
  CHECK(fs::exists(d.layer / "d/x"));
  CHECK(fs::is_regular_file(d.layer / "g"));
}

TEST_CASE("unpack merge: a layer applied onto earlier ones (squash) replaces, deletes and hides what they made") {
  Dirs d;
  image::UnpackOptions merge;
  merge.merge = true;
  REQUIRE(unpack(d,
                 make_tar({{"keep", AE_IFREG, "1"},
                           {"gone", AE_IFREG, "1"},
                           {"dir", AE_IFDIR},
                           {"dir/old", AE_IFREG, "1"},
                           {"was-file", AE_IFREG, "1"}}),
                 merge));
  REQUIRE(unpack(d,
                 make_tar({{"keep", AE_IFREG, "2"},
                           {".wh.gone", AE_IFREG},
                           {"dir/new", AE_IFREG, "2"},  // before the marker: this layer's, kept
                           {"dir/.wh..wh..opq", AE_IFREG},
                           {"was-file", AE_IFDIR},
                           {"was-file/in", AE_IFREG, "2"},
                           {"fresh", AE_IFREG, "2"},
                           {".wh.fresh", AE_IFREG}}),  // its own layer's file: not hidden
                 merge));
  std::ifstream f(d.layer / "keep");
  CHECK(std::string((std::istreambuf_iterator<char>(f)), {}) == "2");
  struct stat st;
  REQUIRE(::lstat((d.layer / "gone").c_str(), &st) == 0);
  CHECK((S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)));
  CHECK_FALSE(fs::exists(d.layer / "dir/old"));
  CHECK(fs::exists(d.layer / "dir/new"));
  char v[4] = {};
  CHECK(::getxattr((d.layer / "dir").c_str(), "trusted.overlay.opaque", v, sizeof v) == 1);
  CHECK(::getxattr((d.layer / "was-file").c_str(), "trusted.overlay.opaque", v, sizeof v) == 1);
  CHECK(fs::exists(d.layer / "was-file/in"));
  CHECK(fs::is_regular_file(d.layer / "fresh"));
  // an opaque marker after this layer's own subdirectory entry: that subdirectory's earlier
  // content goes too (the marker hides everything below, at any depth)
  REQUIRE(unpack(d, make_tar({{"o", AE_IFDIR}, {"o/sub", AE_IFDIR}, {"o/sub/old", AE_IFREG, "1"}}), merge));
  REQUIRE(unpack(d, make_tar({{"o", AE_IFDIR}, {"o/sub", AE_IFDIR}, {"o/.wh..wh..opq", AE_IFREG}}), merge));
  CHECK(fs::is_directory(d.layer / "o/sub"));
  CHECK_FALSE(fs::exists(d.layer / "o/sub/old"));
}

TEST_CASE("unpack: corrupt and truncated compressed streams are invalid input") {
  Dirs d;
  std::vector<Entry> es;
  for (int i = 0; i < 40; i++)
    es.push_back({"f" + std::to_string(i), AE_IFREG, std::string(4000, static_cast<char>('a' + i % 26))});
  std::string gz = make_tar(es, true);
  auto r = unpack(d, gz.substr(0, gz.size() / 2));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::invalid_input);
  Dirs d2;
  auto r2 = unpack(d2, "definitely not a layer, not even close to being one, no");
  REQUIRE_FALSE(r2);
}

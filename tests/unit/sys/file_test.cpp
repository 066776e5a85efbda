#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "berth/sys/file.hpp"
#include "berth/sys/lock.hpp"

using namespace berth;
namespace fs = std::filesystem;

struct TmpDir {
  fs::path path;
  sys::UniqueFd fd;
  TmpDir() {
    char t[] = "/tmp/berth-unit-XXXXXX";
    path = ::mkdtemp(t);
    fd.reset(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  }
  ~TmpDir() { fs::remove_all(path); }
};

TEST_CASE("sys: write_atomic replaces the whole file and leaves no temp") {
  TmpDir d;
  REQUIRE(sys::write_atomic(d.fd.get(), "f.json", "first").has_value());
  REQUIRE(sys::write_atomic(d.fd.get(), "f.json", "second").has_value());
  CHECK(*sys::read_file_at(d.fd.get(), "f.json", 100) == "second");
  CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator()) == 1);
  struct stat st;
  ::stat((d.path / "f.json").c_str(), &st);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("sys: open_beneath never leaves its directory") {
  TmpDir d;
  fs::create_directory(d.path / "sub");
  fs::create_symlink("/etc", d.path / "sub/escape");
  fs::create_symlink("../..", d.path / "sub/up");
  CHECK_FALSE(sys::open_beneath(d.fd.get(), "../etc/passwd", O_RDONLY).has_value());
  CHECK_FALSE(sys::open_beneath(d.fd.get(), "/etc/passwd", O_RDONLY).has_value());
  CHECK_FALSE(sys::open_beneath(d.fd.get(), "sub/escape/passwd", O_RDONLY).has_value());
  CHECK_FALSE(sys::open_beneath(d.fd.get(), "sub/up/etc/passwd", O_RDONLY).has_value());
  auto nosym = sys::open_beneath(d.fd.get(), "sub/escape", O_PATH, 0, true);
  REQUIRE_FALSE(nosym);
  CHECK(nosym.error().sys_errno == ELOOP);
  CHECK(sys::open_beneath(d.fd.get(), "sub", O_RDONLY | O_DIRECTORY).has_value());
}

TEST_CASE("sys: open_in_root resolves symlinks as if the dir were /") {
  TmpDir d;
  fs::create_directories(d.path / "etc");
  std::ofstream(d.path / "etc/passwd") << "inside";
  fs::create_symlink("/etc/passwd", d.path / "abs");
  auto fd = sys::open_in_root(d.fd.get(), "abs", O_RDONLY);
  REQUIRE(fd);
  CHECK(*sys::read_all(fd->get(), 100) == "inside");
}

TEST_CASE("sys: make_dirs, remove_tree, list_dir, tree_size") {
  TmpDir d;
  REQUIRE(sys::make_dirs(d.fd.get(), "a/b/c", 0755).has_value());
  CHECK_FALSE(sys::make_dirs(d.fd.get(), "a/../../x", 0755).has_value());
  std::ofstream(d.path / "a/b/c/f") << "12345";
  fs::create_hard_link(d.path / "a/b/c/f", d.path / "a/b/hl");
  fs::permissions(d.path / "a/b", fs::perms::owner_read | fs::perms::owner_exec);
  CHECK(sys::tree_size(d.fd.get(), "a") == 5);
  CHECK(*sys::list_dir(d.fd.get(), ".") == std::vector<std::string>{"a"});
  REQUIRE(sys::remove_tree(d.fd.get(), "a").has_value());
  CHECK_FALSE(fs::exists(d.path / "a"));
  CHECK(sys::remove_tree(d.fd.get(), "missing").has_value());
}

TEST_CASE("sys: an exclusive lock excludes, and dies with its holder") {
  TmpDir d;
  auto l = sys::FileLock::acquire(d.fd.get(), "x.lock", sys::FileLock::Mode::exclusive);
  REQUIRE(l);
  int fd = ::openat(d.fd.get(), "x.lock", O_RDWR | O_CLOEXEC);
  CHECK(*sys::FileLock::try_lock_fd(fd, sys::FileLock::Mode::shared) == false);
  { auto moved = std::move(*l); }
  CHECK(*sys::FileLock::try_lock_fd(fd, sys::FileLock::Mode::shared) == true);
  ::close(fd);
}

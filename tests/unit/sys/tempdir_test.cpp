#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "berth/sys/file.hpp"
#include "berth/sys/tempdir.hpp"

using namespace berth;
namespace fs = std::filesystem;

TEST_CASE("tempdir: removed unless released; the sweeper spares live ones") {
  char t[] = "/tmp/berth-unit-XXXXXX";
  fs::path root = ::mkdtemp(t);
  sys::UniqueFd tmp(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  std::string gone;
  {
    auto d = sys::TempDir::create(tmp.get(), "layer");
    REQUIRE(d);
    gone = d->name();
    sys::UniqueFd f(::openat(d->fd(), "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    REQUIRE(sys::write_all(f.get(), "x").has_value());
    CHECK(fs::exists(root / gone));
    // a live temp dir survives a sweep
    CHECK(sys::sweep_tmp(tmp.get()) == 0);
    CHECK(fs::exists(root / gone));
  }
  CHECK_FALSE(fs::exists(root / gone));
  // a dead one (no lock holder) goes
  fs::create_directories(root / "layer-dead/diff");
  CHECK(sys::sweep_tmp(tmp.get()) == 1);
  CHECK_FALSE(fs::exists(root / "layer-dead"));
  auto kept = sys::TempDir::create(tmp.get(), "keep");
  REQUIRE(kept);
  std::string name = kept->name();
  kept->release();
  { auto moved = std::move(*kept); }
  CHECK(fs::exists(root / name));
  fs::remove_all(root);
}

#include <catch2/catch.hpp>

#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"

using namespace berth;

TEST_CASE("clean_path: the shortest lexical form, never above /") {
  CHECK(clean_path("/") == "/");
  CHECK(clean_path("") == "/");
  CHECK(clean_path("//proc/") == "/proc");
  CHECK(clean_path("/./proc/.") == "/proc");
  CHECK(clean_path("/x/../proc") == "/proc");
  CHECK(clean_path("/../../proc/sys") == "/proc/sys");
  CHECK(clean_path("/a/b/../../..") == "/");
  CHECK(clean_path("a/b") == "/a/b");
  CHECK(path_depth("/") == 0);
  CHECK(path_depth("/a") == 1);
  CHECK(path_depth("/a/b/c") == 3);
  CHECK(path_within("/data/x", "/data"));
  CHECK(path_within("/data", "/data"));
  CHECK_FALSE(path_within("/database", "/data"));
  CHECK(path_within("/anything", "/"));
}

TEST_CASE("mount destinations: not /, not in /proc (but lxcfs's files), not /sys itself") {
  for (const char* bad : {"/proc", "/proc/", "//proc", "/x/../proc", "/proc/sys", "/proc/self/fd", "/sys", "/sys/", "/",
                          "/..", "relative", ""}) {
    auto r = check_mount_destination(bad, "volume");
    INFO(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::usage);
  }
  CHECK(*check_mount_destination("/proc/meminfo", "volume") == "/proc/meminfo");
  CHECK(*check_mount_destination("/sys/fs/cgroup", "volume") == "/sys/fs/cgroup");
  CHECK(*check_mount_destination("/data//x/", "volume") == "/data/x");
  CHECK(*check_mount_destination("/dev", "volume") == "/dev");
  CHECK(check_mount_destination("/proc", "volume").error().message ==
        "invalid volume: \"/proc\" cannot be mounted because it is inside /proc");
}

TEST_CASE("strings: split keeps empty pieces; all_digits") {
  CHECK(split("a::b", ':') == std::vector<std::string>{"a", "", "b"});
  CHECK(split("", ':') == std::vector<std::string>{""});
  CHECK(all_digits("0123"));
  CHECK_FALSE(all_digits(""));
  CHECK_FALSE(all_digits("-1"));
}

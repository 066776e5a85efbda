#include <catch2/catch.hpp>

#include "berth/sys/userns.hpp"

using namespace berth;

TEST_CASE("subid: the first range of the user, by name or uid") {
  std::string text = "alice:100000:65536\nbob:165536:65536\n1001:300000:1000\nbad line\nbob:900000:10\n";
  auto a = sys::find_subid(text, "alice", 1000);
  REQUIRE(a);
  CHECK(a->start == 100000);
  CHECK(a->count == 65536);
  auto b = sys::find_subid(text, "bob", 1002);
  REQUIRE(b);
  CHECK(b->start == 165536);
  auto byuid = sys::find_subid(text, "carol", 1001);
  REQUIRE(byuid);
  CHECK(byuid->start == 300000);
  CHECK_FALSE(sys::find_subid(text, "dave", 1003));
  CHECK_FALSE(sys::find_subid("eve:abc:10\neve:5:0\n", "eve", 1));
}

TEST_CASE("thread_count sees this process") { CHECK(sys::thread_count() >= 1); }

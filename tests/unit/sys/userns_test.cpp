#include <catch2/catch.hpp>

#include "berth/sys/userns.hpp"

using namespace berth;

TEST_CASE("subid: every range of the user, by name or uid, in file order") {
  std::string text = "alice:100000:65536\nbob:165536:65536\n1001:300000:1000\nbad line\nbob:900000:10\n";
  auto a = sys::find_subids(text, "alice", 1000);
  REQUIRE(a.size() == 1);
  CHECK(a[0].start == 100000);
  CHECK(a[0].count == 65536);
  auto b = sys::find_subids(text, "bob", 1002);
  REQUIRE(b.size() == 2);
  CHECK(b[0].start == 165536);
  CHECK(b[1].start == 900000);
  CHECK(b[1].count == 10);
  auto byuid = sys::find_subids(text, "carol", 1001);
  REQUIRE(byuid.size() == 1);
  CHECK(byuid[0].start == 300000);
  CHECK(sys::find_subids(text, "dave", 1003).empty());
  CHECK(sys::find_subids("eve:abc:10\neve:5:0\n", "eve", 1).empty());
  // by name and by uid, both
  CHECK(sys::find_subids("u:100:10\n7:200:10\n", "u", 7).size() == 2);
}

TEST_CASE("subid: newuidmap's arguments map the user as 0, then each range after the last") {
  std::vector<sys::IdRange> r = {{100000, 65536}, {400000, 65536}};
  CHECK(sys::idmap_args(1001, r) ==
        std::vector<std::string>{"0", "1001", "1", "1", "100000", "65536", "65537", "400000", "65536"});
  CHECK(sys::idmap_args(5, {}) == std::vector<std::string>{"0", "5", "1"});
}

TEST_CASE("thread_count sees this process") { CHECK(sys::thread_count() >= 1); }

TEST_CASE("same_id_map: /proc's padded uid_map against the map berth wants") {
  std::string proc =
      "         0       1001          1\n         1     100000      65536\n     65537     400000      65536\n";
  CHECK(sys::same_id_map(proc, "0 1001 1\n1 100000 65536\n65537 400000 65536\n"));
  CHECK_FALSE(sys::same_id_map(proc, "0 1001 1\n1 100000 65536\n"));  // a range added since
  CHECK_FALSE(
      sys::same_id_map("         0       1001          1\n", "0 1001 1\n1 100000 65536\n"));  // the helpers failed
  CHECK_FALSE(sys::same_id_map(proc, "0 1002 1\n1 100000 65536\n65537 400000 65536\n"));
  CHECK_FALSE(sys::same_id_map("", ""));  // a process gone: nothing read
  CHECK_FALSE(sys::same_id_map("0 1001", "0 1001"));
}

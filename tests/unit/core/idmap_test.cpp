#include <catch2/catch.hpp>

#include "berth/core/idmap.hpp"

using namespace berth;

TEST_CASE("parse_idmap: podman's CONTAINER:HOST:SIZE, checked") {
  auto m = parse_idmap({"0:1:1000", "1000:0:1", "1001:1001:64536"}, "--uidmap");
  REQUIRE(m);
  CHECK(*m == IdMap{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}});
  for (const char* bad : {"0:1", "0:1:2:3", "a:1:2", "0:1:0", "-1:0:1", "0:4294967295:2", "0:0:99999999999", ""}) {
    INFO(bad);
    auto r = parse_idmap({bad}, "--uidmap");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::usage);
  }
  auto o = parse_idmap({"0:100:10", "5:200:10"}, "--gidmap");
  REQUIRE_FALSE(o);
  CHECK(o.error().message == "invalid --gidmap \"5:200:10\": it overlaps 0:100:10");
  CHECK_FALSE(parse_idmap({"0:100:10", "20:105:1"}, "--uidmap"));  // the host side overlaps
  CHECK(parse_idmap({"0:4294967295:1"}, "--uidmap"));
}

TEST_CASE("keep_id_map: the user's id inside is the user outside, every other id kept in order") {
  IdMap m = keep_id_map(1000, 131073);
  CHECK(m == IdMap{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 130072}});
  CHECK(*to_host(m, 1000) == 0);
  CHECK(*to_host(m, 0) == 1);
  CHECK(*to_host(m, 999) == 1000);
  CHECK(*to_host(m, 1001) == 1001);
  CHECK(*to_host(m, 131072) == 131072);
  CHECK_FALSE(to_host(m, 131073));
  for (std::uint32_t id : {0u, 1u, 999u, 1000u, 1001u, 70000u}) CHECK(*to_container(m, *to_host(m, id)) == id);
  CHECK(contiguous_size(m) == 131073);
  CHECK(keep_id_map(0, 10) == IdMap{{0, 0, 1}, {1, 1, 9}});
  CHECK(keep_id_map(5, 1) == IdMap{{5, 0, 1}});
}

TEST_CASE("split_at: a range the parent maps with two of its ranges becomes two") {
  IdMap parent = {{0, 1000, 1}, {1, 100000, 65536}, {65537, 200000, 65536}};
  CHECK(split_at(keep_id_map(1000, 131073), parent) ==
        IdMap{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}, {65537, 65537, 65536}});
  CHECK(split_at({{0, 0, 131073}}, parent) == IdMap{{0, 0, 1}, {1, 1, 65536}, {65537, 65537, 65536}});
  CHECK(split_at({{5, 10, 3}}, {{0, 0, 4294967295u}}) == IdMap{{5, 10, 3}});
}

TEST_CASE("parse_proc_idmap and contiguous_size: what /proc/self/uid_map says") {
  IdMap m = parse_proc_idmap(
      "         0       1000          1\n         1     200000      65536\n     65537     400000      65536\n");
  CHECK(m == IdMap{{0, 1000, 1}, {1, 200000, 65536}, {65537, 400000, 65536}});
  CHECK(contiguous_size(m) == 131073);
  CHECK(contiguous_size(parse_proc_idmap("0 0 4294967295\n")) == 4294967295u);
  CHECK(contiguous_size({{0, 5, 10}, {20, 100, 5}}) == 10);
  CHECK(proc_idmap_text({{0, 1, 2}, {2, 0, 1}}) == "0 1 2\n2 0 1\n");
  CHECK(idmap_string({{0, 1, 2}, {2, 0, 1}}) == "0:1:2,2:0:1");
}

TEST_CASE("free_block: the lowest block in one pool range that no other container holds") {
  IdMap pool = {{0, 1, 10000}, {0, 20000, 70000}};
  CHECK(free_block(pool, {}, 1024) == 1u);
  CHECK(free_block(pool, {{0, 1, 1024}}, 1024) == 1025u);
  // a block does not span two pool ranges: the second one takes it
  CHECK(free_block(pool, {{0, 1, 9000}}, 2000) == 20000u);
  // taken ranges in any order, touching or not
  CHECK(free_block(pool, {{0, 2049, 100}, {0, 1, 1024}, {0, 1025, 1024}}, 1024) == 2149u);
  CHECK(free_block(pool, {{0, 20000, 70000}, {0, 1, 10000}}, 1) == std::nullopt);
  CHECK(free_block(pool, {}, 70001) == std::nullopt);
  CHECK(free_block(pool, {}, 0) == std::nullopt);
  // a range reaching the top of the id space
  CHECK(free_block({{0, 4294901760u, 65535}}, {}, 65535) == 4294901760u);
}

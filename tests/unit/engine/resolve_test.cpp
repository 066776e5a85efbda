#include <catch2/catch.hpp>
#include <filesystem>

#include "berth/engine/resolve.hpp"

using namespace berth;

TEST_CASE("resolve: short names, full names, ids and prefixes") {
  char t[] = "/tmp/berth-resolve-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(t);
  auto s = store::Store::open({(dir / "r").string(), (dir / "run").string()});
  REQUIRE(s);
  Digest a = Digest::of("image-a"), b = Digest::of("image-b");
  for (const auto& d : {a, b}) REQUIRE(s->put_image(store::ImageRecord{d, d, "", {}, 0, 0, 0, {}}));
  store::NameMap names = {{"localhost/bb:latest", a}, {"docker.io/library/debian:12", b}, {"quay.io/x/tool:v1", b}};
  auto id = [&](std::string_view in) {
    auto r = engine::resolve_image(*s, names, in);
    REQUIRE(r);
    return r->id;
  };
  CHECK(id("bb") == a);
  CHECK(id("localhost/bb") == a);
  CHECK(id("debian:12") == b);
  CHECK(id("docker.io/library/debian:12") == b);
  CHECK(id("x/tool:v1") == b);
  CHECK(id(a.str()) == a);
  CHECK(id(a.hex()) == a);
  CHECK(id(a.hex().substr(0, 6)) == a);
  auto missing = engine::resolve_image(*s, names, "debian");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "debian: image not known");
  CHECK(missing.error().code == Errc::not_found);
  CHECK_FALSE(engine::resolve_image(*s, names, "Bad Name"));
  std::filesystem::remove_all(dir);
}

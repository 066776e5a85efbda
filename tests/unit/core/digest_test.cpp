#include <catch2/catch.hpp>

#include "berth/core/digest.hpp"

using namespace berth;

TEST_CASE("digest: parse accepts only sha256 with 64 lower-case hex digits") {
  const std::string hex(64, 'a');
  REQUIRE(Digest::parse("sha256:" + hex).has_value());
  CHECK(Digest::parse("sha256:" + hex)->hex() == hex);
  CHECK(Digest::parse("sha256:" + hex)->short_id() == std::string(12, 'a'));
  SECTION("bad digests are invalid input") {
    for (std::string bad : std::vector<std::string>{
             "", "sha256:", "sha512:" + hex, "sha256:" + std::string(63, 'a'), "sha256:" + std::string(64, 'A'),
             "sha256:../../etc/passwd" + std::string(40, 'a'), "sha256:" + std::string(65, 'a'), hex}) {
      auto d = Digest::parse(bad);
      REQUIRE_FALSE(d.has_value());
      CHECK(d.error().code == Errc::invalid_input);
    }
  }
}

TEST_CASE("digest: sha256 of known inputs, streaming equals one-shot") {
  CHECK(Digest::of("").str() == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Digest::of("abc").str() == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a", 1);
  h.update("bc", 2);
  CHECK(h.bytes() == 3);
  CHECK(h.finish() == Digest::of("abc"));
}

TEST_CASE("digest: chain ids follow the OCI rule") {
  DiffId a{Digest::of("layer-a")}, b{Digest::of("layer-b")};
  ChainId c0 = chain_id(nullptr, a);
  CHECK(c0.d == a.d);
  ChainId c1 = chain_id(&c0, b);
  CHECK(c1.d == Digest::of(a.d.str() + " " + b.d.str()));
  CHECK(c1.d != b.d);
}

TEST_CASE("error: categories map to podman's exit codes and back") {
  CHECK(exit_code(Errc::command_not_found) == 127);
  CHECK(exit_code(Errc::cannot_invoke) == 126);
  CHECK(exit_code(Errc::usage) == 125);
  CHECK(errc_from_exit_code(127) == Errc::command_not_found);
  CHECK(errc_from_exit_code(126) == Errc::cannot_invoke);
  CHECK(exit_code(errc_from_exit_code(125)) == 125);
}

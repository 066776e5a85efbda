#include <catch2/catch.hpp>

#include "berth/core/reference.hpp"

using namespace berth;

TEST_CASE("reference: normalisation as podman and docker do") {
  auto n = [](std::string_view s, std::string_view dom = "docker.io") {
    auto r = Reference::normalize(s, dom);
    REQUIRE(r.has_value());
    return r->str();
  };
  CHECK(n("debian") == "docker.io/library/debian:latest");
  CHECK(n("debian:12") == "docker.io/library/debian:12");
  CHECK(n("user/app") == "docker.io/user/app:latest");
  CHECK(n("quay.io/podman/stable:v4") == "quay.io/podman/stable:v4");
  CHECK(n("localhost/bb") == "localhost/bb:latest");
  CHECK(n("localhost:5000/a/b:c") == "localhost:5000/a/b:c");
  CHECK(n("127.0.0.1:5000/x") == "127.0.0.1:5000/x:latest");
  CHECK(n("bb", "localhost") == "localhost/bb:latest");
  CHECK(n("index.docker.io/library/x") == "docker.io/library/x:latest");
  std::string d = "sha256:" + std::string(64, 'b');
  CHECK(n("debian@" + d) == "docker.io/library/debian@" + d);
  auto both = Reference::normalize("debian:12@" + d);
  REQUIRE(both);
  CHECK(both->tag == "12");
  CHECK(both->digest->str() == d);
}

TEST_CASE("reference: invalid names are refused with podman's wording") {
  for (std::string bad :
       std::vector<std::string>{"", "UPPER", "a//b", "a:", ":tag", "a:-bad", "-a", "a..b", "a b", "a/b:tag:more",
                                "debian@sha256:short", std::string(64, 'a'), "x/" + std::string(300, 'a')}) {
    auto r = Reference::normalize(bad);
    INFO(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::invalid_input);
    CHECK(r.error().message.starts_with("invalid reference format"));
  }
}

TEST_CASE("reference: domain detection") {
  CHECK(looks_like_domain("localhost"));
  CHECK(looks_like_domain("quay.io"));
  CHECK(looks_like_domain("host:5000"));
  CHECK_FALSE(looks_like_domain("library"));
  auto r = Reference::parse("library/debian");
  REQUIRE(r);
  CHECK(r->domain.empty());
  CHECK(r->path == "library/debian");
}

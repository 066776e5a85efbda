#include <catch2/catch.hpp>

#include <vector>

#include "berth/core/digest.hpp"
#include "berth/registry/auth.hpp"
#include "berth/registry/conf.hpp"
#include "berth/registry/http.hpp"

using namespace berth;
using namespace berth::registry;

TEST_CASE("WWW-Authenticate: bearer with quoted parameters") {
  auto c = parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].params["realm"] == "https://auth.docker.io/token");
  CHECK(c[0].params["service"] == "registry.docker.io");
  CHECK(c[0].params["scope"] == "repository:library/debian:pull");
}

TEST_CASE("WWW-Authenticate: several challenges, escapes, unquoted values, case") {
  auto c = parse_challenges(R"(BASIC Realm="a \"quoted\" realm", Bearer realm=https://x/t,error=insufficient_scope)");
  REQUIRE(c.size() == 2);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].params["realm"] == R"(a "quoted" realm)");
  CHECK(c[1].scheme == "bearer");
  CHECK(c[1].params["realm"] == "https://x/t");
  CHECK(c[1].params["error"] == "insufficient_scope");
}

TEST_CASE("WWW-Authenticate: garbage gives what could be read, never a crash") {
  CHECK(parse_challenges("").empty());
  CHECK(parse_challenges("   ,, ").empty());
  auto c = parse_challenges(R"(Bearer realm="unterminated)");
  REQUIRE(c.size() == 1);
  CHECK(c[0].params["realm"] == "unterminated");
  auto d = parse_challenges("Basic");
  REQUIRE(d.size() == 1);
  CHECK(d[0].params.empty());
}

TEST_CASE("auth file keys are normalised as containers-auth.json says") {
  CHECK(normalize_auth_key("https://index.docker.io/v1/") == "docker.io");
  CHECK(normalize_auth_key("registry-1.docker.io") == "docker.io");
  CHECK(normalize_auth_key("http://127.0.0.1:5000/") == "127.0.0.1:5000");
  CHECK(normalize_auth_key("quay.io/org/") == "quay.io/org");
  CHECK(normalize_auth_key("quay.io") == "quay.io");
}

TEST_CASE("--creds: USER:PASS, the password may hold colons; no prompt") {
  auto c = parse_creds("alice:pa:ss");
  REQUIRE(c);
  CHECK(c->username == "alice");
  CHECK(c->password == "pa:ss");
  CHECK(!parse_creds("alice"));
  CHECK(!parse_creds(":pw"));
  CHECK(!parse_creds(""));
}

TEST_CASE("base64 round trips, with and without padding, and refuses garbage") {
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "alice:s3cret", std::string("\0\xff\x10", 3)}) {
    auto e = base64_encode(s);
    auto d = base64_decode(e);
    REQUIRE(d);
    CHECK(*d == s);
  }
  CHECK(base64_encode("alice:s3cret") == "YWxpY2U6czNjcmV0");
  CHECK(!base64_decode("abc"));
  CHECK(!base64_decode("a$c="));
}

TEST_CASE("registries.conf: search registries, aliases, registry tables, drop-ins merge") {
  RegistriesConf c;
  REQUIRE(c.merge_text(R"(
# comment
unqualified-search-registries = ["quay.io", 'docker.io'] # trailing

short-name-mode = "permissive"

[[registry]]
location = "localhost:5000"
insecure = true

[[registry]]
prefix = "example.com/blocked"
location = "example.com/blocked"
blocked = true

[[registry.mirror]]
location = "mirror.example.com"

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
)",
                       "test.conf"));
  CHECK(c.search == std::vector<std::string>{"quay.io", "docker.io"});
  CHECK(c.search_set);
  CHECK(c.short_name_mode == "permissive");
  REQUIRE(c.find("localhost:5000/x/y"));
  CHECK(c.find("localhost:5000/x/y")->insecure);
  CHECK(c.find("localhost:50001/x") == nullptr);
  REQUIRE(c.find("example.com/blocked/img"));
  CHECK(c.find("example.com/blocked/img")->blocked);
  CHECK(c.find("example.com/other") == nullptr);
  CHECK(c.aliases["fedora"] == "registry.fedoraproject.org/fedora");
  // A drop-in replaces what it sets and merges the rest.
  REQUIRE(
      c.merge_text("unqualified-search-registries = []\n[aliases]\n\"x\" = \"quay.io/x\"\n"
                   "[[registry]]\nlocation = \"localhost:5000\"\ninsecure = false\n",
                   "drop-in.conf"));
  CHECK(c.search.empty());
  CHECK(c.aliases.size() == 2);
  CHECK(!c.find("localhost:5000/x")->insecure);
  CHECK(c.short_name_mode == "permissive");
}

TEST_CASE("registries.conf: [[registry.mirror]] entries, in order") {
  RegistriesConf c;
  REQUIRE(c.merge_text(R"([[registry]]
location = "docker.io"
[[registry.mirror]]
location = "mirror.example/hub"
insecure = true
[[registry.mirror]]
location = "other.example"
pull-from-mirror = "digest-only"
)",
                       "m.conf"));
  const auto* e = c.find("docker.io/library/x");
  REQUIRE(e);
  REQUIRE(e->mirrors.size() == 2);
  CHECK(e->mirrors[0].location == "mirror.example/hub");
  CHECK(e->mirrors[0].insecure);
  CHECK(e->mirrors[0].pull_from_mirror == "all");
  CHECK(e->mirrors[1].pull_from_mirror == "digest-only");
}

TEST_CASE("registries.conf: errors name the file and line") {
  RegistriesConf c;
  auto r = c.merge_text("a = \"ok\"\nunqualified-search-registries = [\n", "bad.conf");
  REQUIRE(!r);
  CHECK(r.error().message.find("bad.conf") != std::string::npos);
  auto r2 = c.merge_text("unqualified-search-registries = \"quay.io\"\n", "bad2.conf");
  REQUIRE(!r2);
  auto r3 = c.merge_text("short-name-mode = \"sometimes\"\n", "bad3.conf");
  REQUIRE(!r3);
  auto r4 = c.merge_text("key = \"unterminated\n", "bad4.conf");
  REQUIRE(!r4);
  CHECK(r4.error().message.find("line 1") != std::string::npos);
}

TEST_CASE("pull candidates: qualified names, aliases, search order, enforcing without a TTY") {
  RegistriesConf c;
  auto one = pull_candidates(c, "quay.io/a/b:1", false);
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK(one->front().str() == "quay.io/a/b:1");
  // No file sets the search list: docker.io, as Docker does.
  auto dflt = pull_candidates(c, "debian", false);
  REQUIRE(dflt);
  CHECK(dflt->front().str() == "docker.io/library/debian:latest");
  REQUIRE(
      c.merge_text("unqualified-search-registries = [\"r1.example\", \"docker.io\"]\n"
                   "[aliases]\n\"short\" = \"quay.io/long/name\"\n",
                   "t"));
  auto alias = pull_candidates(c, "short:7", false);
  REQUIRE(alias);
  CHECK(alias->front().str() == "quay.io/long/name:7");
  auto enforced = pull_candidates(c, "thing", false);
  REQUIRE(!enforced);
  CHECK(enforced.error().message.find("cannot prompt without a TTY") != std::string::npos);
  auto prompted = pull_candidates(c, "thing@sha256:" + std::string(64, 'a'), true);
  REQUIRE(prompted);
  REQUIRE(prompted->size() == 2);
  CHECK((*prompted)[0].str() == "r1.example/thing@sha256:" + std::string(64, 'a'));
  CHECK((*prompted)[1].str() == "docker.io/library/thing@sha256:" + std::string(64, 'a'));
  RegistriesConf none;
  REQUIRE(none.merge_text("unqualified-search-registries = []\n", "t"));
  CHECK(!pull_candidates(none, "thing", true));
  RegistriesConf bad_alias;
  REQUIRE(bad_alias.merge_text("[aliases]\n\"x\" = \"not-qualified\"\n", "t"));
  CHECK(!pull_candidates(bad_alias, "x", true));
}

TEST_CASE("Location headers resolve against the request URL") {
  CHECK(resolve_url("http://h:1/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/u?x=1") ==
        "http://h:1/v2/a/blobs/uploads/u?x=1");
  CHECK(resolve_url("http://h:1/v2/a/", "https://cdn/x") == "https://cdn/x");
  CHECK(resolve_url("https://h/v2/a/b?q=1", "c") == "https://h/v2/a/c");
  CHECK(resolve_url("https://h/v2/a", "//other/y") == "https://other/y");
  CHECK(url_escape("sha256:ab/c d") == "sha256%3Aab%2Fc%20d");
}

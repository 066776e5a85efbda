#include <catch2/catch.hpp>

#include "berth/core/toml.hpp"

using namespace berth;

TEST_CASE("toml: a document as JSON: tables, arrays of tables, scalars") {
  auto d = toml_document(R"(top = "a"
n = 3
[storage]
graphroot = "/var/lib/x"
[storage.options]
size = ""
[[registry]]
location = "r.example"
insecure = true
[[registry.mirror]]
location = "m.example"
)",
                         "t.conf");
  REQUIRE(d);
  CHECK((*d)["top"] == "a");
  CHECK((*d)["n"] == 3);
  CHECK((*d)["storage"]["graphroot"] == "/var/lib/x");
  CHECK((*d)["storage"]["options"]["size"] == "");
  CHECK((*d)["registry"][0]["insecure"] == true);
  CHECK((*d)["registry"][0]["mirror"][0]["location"] == "m.example");
}

TEST_CASE("toml: errors name the file and the line, never an exception") {
  auto bad = toml_document("a = 1\nb = [1,\n", "bad.conf");
  REQUIRE(!bad);
  CHECK(bad.error().message.starts_with("bad.conf: line "));
  CHECK(!toml_document("a = 1\na = 2\n", "dup.conf"));  // a key twice
  CHECK(!toml_document("= 1\n", "nokey.conf"));
  // Code points toml++ 3.3 mishandles (undefined behaviour): refused up front.
  auto cyr = toml_document("a = 1 \xd0\x96\n", "cyr.conf");
  REQUIRE(!cyr);
  CHECK(cyr.error().message == "cyr.conf: a character berth's TOML parser cannot take (byte 6)");
  CHECK(toml_document("path = \"/srv/\xe4\xb8\x80\"\n", "cjk.conf"));  // U+4E00: outside those ranges
}

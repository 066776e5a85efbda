// containers.conf: documents merged in order, types checked, unknown keys accepted; the
// default capability set as changes to berth's own.
#include <catch2/catch.hpp>

#include <algorithm>

#include "berth/core/toml.hpp"
#include "berth/engine/containers_conf.hpp"

using namespace berth;
using namespace berth::engine;

namespace {

Result<void> merge(ContainersConf& c, std::string_view text) {
  return merge_containers_conf(c, TRY(toml_document(text, "test.conf")), "test.conf");
}

}  // namespace

TEST_CASE("containers.conf: later files replace what earlier ones set, arrays whole") {
  ContainersConf c;
  REQUIRE(merge(c, "[containers]\nenv = [\"A=1\", \"B=2\"]\ninit = true\ntz = \"UTC\"\n"));
  REQUIRE(merge(c, "[containers]\nenv = [\"C=3\"]\npids_limit = 10\n[engine]\nnum_locks = 4\n"));
  CHECK(c.env == std::vector<std::string>{"C=3"});
  CHECK(c.init == true);
  CHECK(c.tz == "UTC");
  CHECK(c.pids_limit == 10);
  CHECK_FALSE(c.default_capabilities);
  REQUIRE(merge(c, "# nothing but a comment\n"));
  CHECK(c.env == std::vector<std::string>{"C=3"});
}

TEST_CASE("containers.conf: unknown keys and tables pass; wrong types are errors naming the file") {
  ContainersConf c;
  CHECK(merge(c, "[containers]\nsomething_new = 1\n[machine]\ncpus = 2\n"));
  auto bad = merge(c, "[containers]\ninit = \"yes\"\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "test.conf: [containers] init must be true or false");
  CHECK_FALSE(merge(c, "[containers]\nenv = \"A=1\"\n"));
  CHECK_FALSE(merge(c, "[containers]\nenv = [1]\n"));
  CHECK_FALSE(merge(c, "[containers]\npids_limit = \"10\"\n"));
  CHECK_FALSE(merge(c, "containers = 3\n"));
  auto syntax = merge(c, "[containers\n");
  REQUIRE_FALSE(syntax);
  CHECK(syntax.error().message.starts_with("test.conf: line 1: "));
}

TEST_CASE("containers.conf: default_capabilities become drops and adds, the flags' own left to them") {
  // berth's defaults are podman's eleven; this set keeps CHOWN, adds NET_RAW
  auto ch = default_cap_changes({"CHOWN", "CAP_NET_RAW"}, {}, {});
  REQUIRE(ch);
  CHECK(ch->add == std::vector<std::string>{"CAP_NET_RAW"});
  CHECK(ch->drop.size() == 10);
  CHECK(std::find(ch->drop.begin(), ch->drop.end(), "CAP_CHOWN") == ch->drop.end());
  auto flagged = default_cap_changes({"CHOWN", "NET_RAW"}, {"kill"}, {"net_raw"});
  REQUIRE(flagged);
  CHECK(flagged->add.empty());
  CHECK(flagged->drop.size() == 9);
  CHECK_FALSE(default_cap_changes({"NOT_A_CAP"}, {}, {}));
}

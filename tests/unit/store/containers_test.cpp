#include <catch2/catch.hpp>

#include "berth/store/containers.hpp"

using namespace berth;
using namespace berth::store;

namespace {
const std::string kId(64, 'a');
const std::string kImage = "sha256:" + std::string(64, 'b');
}  // namespace

TEST_CASE("container records: every field survives the codec, with the schema version") {
  ContainerConfig c;
  c.id = kId;
  c.name = "web";
  c.image_id = *Digest::parse(kImage);
  c.image = "docker.io/library/x:1";
  c.command = {"sh", "-c", "echo"};
  c.env = {"A=1", "B=two words"};
  c.workdir = "/srv";
  c.user = "1000:1000";
  c.hostname = "h";
  c.volumes = {{"/host", "/data", true, false, "", false},
               {"/etc/f", "/f", false, true, "", false},
               {"/s/volumes/v/_data", "/v", false, false, "v", false}};
  c.tmpfs = {{"/scratch", "rw,size=1m"}};
  c.group_add = {"g"};
  c.memory = 1 << 26;
  c.pids_limit = 50;
  c.cpus = 1.5;
  c.ulimits = {"nofile=512:1024"};
  c.init = true;
  c.cap_add = {"net_admin"};
  c.cap_drop = {"chown"};
  c.security_opt = {"no-new-privileges"};
  c.networks = {"net1"};
  c.ports = {{"127.0.0.1", 8080, 80, "tcp"}};
  c.pod = "p";
  c.restart = "on-failure:3";
  c.labels = {{"a", "b"}};
  c.stop_signal = "SIGINT";
  c.stop_timeout = 7;
  c.healthcheck = HealthCheck{{"CMD-SHELL", "true"}, 30000000000, 5000000000, 0, 3};
  c.rm = c.tty = c.interactive = true;
  c.created = 123;
  Json j = to_json(c);
  CHECK(j["schema"] == kContainerSchema);
  auto back = container_config_from_json(Json::parse(dump_json(j)));
  REQUIRE(back);
  CHECK(back->volumes == c.volumes);
  CHECK(back->tmpfs == c.tmpfs);
  CHECK(back->ports == c.ports);
  CHECK(back->healthcheck == c.healthcheck);
  CHECK(back->memory == c.memory);
  CHECK(back->cpus == c.cpus);
  CHECK(back->labels == c.labels);
  CHECK(back->env == c.env);
  CHECK(back->command == c.command);
  CHECK(back->image_id == c.image_id);
  CHECK(back->stop_timeout == 7);
  CHECK(back->rm);
  CHECK(to_json(*back) == j);
}

TEST_CASE("container records: schema 1 (the untyped records) still load") {
  // As berth wrote them before the typed records (tests/system/data/legacy-v1 has real ones).
  Json old = {{"id", kId},
              {"name", "old"},
              {"image_id", kImage},
              {"image", "x"},
              {"command", {"true"}},
              {"volumes", {"/h:/data:ro", "/h2:/d2", "/h3:/d3:rw,z"}},
              {"tmpfs", {"/scratch:size=1m", "/t2"}},
              {"healthcheck", {{"Test", {"CMD-SHELL", "true"}}, {"Interval", 1}, {"Retries", 3}}},
              {"memory", nullptr},
              {"labels", {{"a", "b"}, {"n", 5}}},
              {"restart", "always"}};
  auto c = container_config_from_json(old);
  REQUIRE(c);
  CHECK(c->schema == 1);
  REQUIRE(c->volumes.size() == 3);
  CHECK(c->volumes[0] == Volume{"/h", "/data", true, false, "", false});
  CHECK(c->volumes[1] == Volume{"/h2", "/d2", false, false, "", false});
  CHECK_FALSE(c->volumes[2].read_only);
  REQUIRE(c->tmpfs.size() == 2);
  CHECK(c->tmpfs[0] == Tmpfs{"/scratch", "size=1m"});
  CHECK(c->tmpfs[1] == Tmpfs{"/t2", "rw,noexec,nosuid,nodev"});
  CHECK(c->healthcheck->retries == 3);
  CHECK_FALSE(c->memory);
  CHECK(c->labels == std::map<std::string, std::string>{{"a", "b"}});
  CHECK(c->stop_signal == "SIGTERM");
  CHECK(c->stop_timeout == 10);
  CHECK(c->network == "private");
}

TEST_CASE("container records: a record without a valid id or image is refused") {
  CHECK_FALSE(container_config_from_json(Json::array()));
  CHECK_FALSE(container_config_from_json(Json{{"id", "../x"}, {"image_id", kImage}}));
  CHECK_FALSE(container_config_from_json(Json{{"id", kId}, {"image_id", "sha256:zz"}}));
}

TEST_CASE("container state: the codec and the transitions") {
  auto run = ContainerState::running(1, 77, 1000);
  CHECK(run.status == "running");
  auto done = run.exited(3, "boom");
  CHECK(done.status == "exited");
  CHECK(done.exit_code == 3);
  CHECK(done.error == "boom");
  CHECK(done.started == 1000);
  CHECK(done.pid == 0);
  CHECK(done.finished > 0);
  auto r = done.with_restarting(true);
  CHECK(r.restarting);
  CHECK(r.monitor_pid > 0);
  CHECK(r.restart_pending());  // this process is the "monitor"
  CHECK_FALSE(r.with_restarting(false).restarting);
  auto back = container_state_from_json(Json::parse(dump_json(to_json(r))));
  CHECK(back.exit_code == 3);
  CHECK(back.monitor_pid == r.monitor_pid);
  CHECK(container_state_from_json(Json::object()).status == "created");
  // a dead "running" shows as exited
  auto ghost = ContainerState::running(999999, 1, 1);
  CHECK_FALSE(ghost.alive());
  CHECK(ghost.shown_status() == "exited");
}

TEST_CASE("container records: legacy volume strings") {
  CHECK(legacy_volume("/a:/b")->target == "/b");
  CHECK(legacy_volume("/a:/b:ro,z")->read_only);
  CHECK_FALSE(legacy_volume("/a"));
  CHECK_FALSE(legacy_volume(":/b"));
}

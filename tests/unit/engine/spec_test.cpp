#include <catch2/catch.hpp>

#include <algorithm>

#include "berth/engine/spec.hpp"

using namespace berth;
using namespace berth::engine;

namespace {

store::ContainerConfig base_config() {
  store::ContainerConfig c;
  c.id = std::string(64, 'c');
  c.image_id = *Digest::parse("sha256:" + std::string(64, 'd'));
  c.name = "t";
  c.command = {"true"};
  return c;
}

SpecInputs inputs() {
  SpecInputs in;
  in.lowers = {"/s/mountpoints", "/s/layers/2/diff", "/s/layers/1/diff"};
  in.layers_dir = "/s/layers";
  in.container_dir = "/s/containers/C";
  in.run_dir = "/r/containers/C";
  in.passwd = "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n";
  in.group = "root:x:0:\ng:x:1234:u\n";
  return in;
}

bool has_env(const runtime::Spec& s, const std::string& kv) {
  return std::find(s.env.begin(), s.env.end(), kv) != s.env.end();
}

}  // namespace

TEST_CASE("make_spec: the rootfs, hostname and /etc files from the inputs") {
  auto s = make_spec(base_config(), image::ImageConfig{}, inputs());
  REQUIRE(s);
  CHECK(s->lowers == inputs().lowers);
  CHECK(s->upper == "/s/containers/C/upper");
  CHECK(s->merged == "/s/containers/C/merged");
  CHECK(s->hostname == std::string(12, 'c'));
  CHECK(s->cwd == "/");
  CHECK(s->argv == std::vector<std::string>{"true"});
  REQUIRE(s->binds.size() == 4);
  CHECK(s->binds[0].source == "/r/containers/C/hostname");
  CHECK(s->binds[0].target == "/etc/hostname");
  CHECK_FALSE(s->binds[0].user);
  CHECK(s->binds[3].target == "/run/.containerenv");
  CHECK(s->binds[3].read_only);
  CHECK(s->umask == 022);
  CHECK(s->caps == runtime::default_caps());
  CHECK(s->cgroup_name == "berth-cccccccccccc");
  SpecInputs ex = inputs();
  ex.for_exec = true;
  CHECK(make_spec(base_config(), image::ImageConfig{}, ex)->binds.empty());
}

TEST_CASE("make_spec: a volume goes from the record to the runtime as it was parsed, never re-parsed") {
  auto c = base_config();
  c.volumes = {{"/host/dir", "/data", true, false, "", false}, {"/host/file", "/etc/x.conf", false, true, "", false}};
  c.tmpfs = {{"/scratch", "rw,size=1m"}};
  auto s = make_spec(c, image::ImageConfig{}, inputs());
  REQUIRE(s);
  REQUIRE(s->binds.size() == 6);
  const auto& v = s->binds[4];
  CHECK(v.source == "/host/dir");
  CHECK(v.target == "/data");
  CHECK(v.read_only);
  CHECK(v.user);
  CHECK(s->binds[5].is_file);
  REQUIRE(s->tmpfs.size() == 1);
  CHECK(s->tmpfs[0].options == "rw,size=1m");
}

TEST_CASE("make_spec: --umask and --tz") {
  auto c = base_config();
  c.umask = 027;
  c.timezone = "Asia/Tokyo";
  auto s = make_spec(c, image::ImageConfig{}, inputs());
  REQUIRE(s);
  CHECK(s->umask == 027);
  REQUIRE(s->binds.size() == 5);
  CHECK(s->binds[3].source == "/usr/share/zoneinfo/Asia/Tokyo");
  CHECK(s->binds[3].target == "/etc/localtime");
  CHECK(s->binds[3].read_only);
  c.timezone = "local";
  CHECK(make_spec(c, image::ImageConfig{}, inputs())->binds[3].source == "/etc/localtime");
}

TEST_CASE("make_spec: TERM by default; --unsetenv drops a default or the image's, --unsetenv-all all of them") {
  image::ImageConfig ic;
  ic.env = {"A=image", "B=image"};
  auto c = base_config();
  auto s = make_spec(c, ic, inputs());
  REQUIRE(s);
  CHECK(has_env(*s, "TERM=xterm"));  // podman's default env, tty or not
  c.unsetenv = {"TERM", "A"};
  c.env = {"A=flag"};
  s = make_spec(c, ic, inputs());
  REQUIRE(s);
  CHECK_FALSE(std::any_of(s->env.begin(), s->env.end(), [](const std::string& e) { return e.starts_with("TERM="); }));
  CHECK(has_env(*s, "A=flag"));  // the flags still set it
  CHECK(has_env(*s, "B=image"));
  c.unsetenv = {};
  c.unsetenv_all = true;
  c.env = {"TERM=abc"};
  s = make_spec(c, ic, inputs());
  REQUIRE(s);
  for (const auto& e : s->env) {
    INFO(e);
    CHECK((e == "TERM=abc" || e.starts_with("HOME=")));
  }
  ic.env = {"TERM=vt100"};
  c.unsetenv_all = false;
  c.env = {};
  s = make_spec(c, ic, inputs());
  REQUIRE(s);
  CHECK(has_env(*s, "TERM=vt100"));  // the image's wins over the default
}

TEST_CASE("make_spec: environment, user, workdir from the image, the flags winning") {
  image::ImageConfig ic;
  ic.env = {"PATH=/img/bin", "A=image", "NOTIFY_SOCKET=/evil"};
  ic.user = "u";
  ic.workdir = "srv/../app";
  auto c = base_config();
  c.env = {"A=flag", "BARE"};
  c.tty = true;
  auto s = make_spec(c, ic, inputs());
  REQUIRE(s);
  CHECK(has_env(*s, "PATH=/img/bin"));
  CHECK(has_env(*s, "A=flag"));
  CHECK_FALSE(has_env(*s, "A=image"));
  CHECK(has_env(*s, "HOME=/home/u"));
  CHECK(has_env(*s, "TERM=xterm"));
  CHECK(has_env(*s, "container=berth"));
  CHECK(
      std::none_of(s->env.begin(), s->env.end(), [](const std::string& e) { return e.starts_with("NOTIFY_SOCKET="); }));
  CHECK(std::none_of(s->env.begin(), s->env.end(), [](const std::string& e) { return e == "BARE"; }));
  CHECK(s->uid == 1000);
  CHECK(s->gid == 1000);
  CHECK(s->groups == std::vector<gid_t>{1234});
  CHECK(s->cwd == "/app");
  c.user = "0:g";
  c.workdir = "/w";
  c.group_add = {"4321"};
  s = make_spec(c, ic, inputs());
  REQUIRE(s);
  CHECK(s->uid == 0);
  CHECK(s->gid == 1234);
  CHECK(s->groups == std::vector<gid_t>{4321});
  CHECK(s->cwd == "/w");
  c.user = "nobody";
  CHECK(make_spec(c, ic, inputs()).error().code == Errc::not_found);
  c.user = "4294967295";
  CHECK(make_spec(c, ic, inputs()).error().code == Errc::usage);
}

TEST_CASE("make_spec: capabilities, security options, limits, init, sdnotify") {
  auto c = base_config();
  c.cap_drop = {"all"};
  c.cap_add = {"net_admin"};
  c.security_opt = {"no-new-privileges", "seccomp=unconfined", "unmask=/proc/kcore"};
  c.memory = 1 << 26;
  c.pids_limit = 7;
  c.ulimits = {"nofile=512:1024"};
  c.init = true;
  c.rm = true;
  c.sdnotify = "container";
  SpecInputs in = inputs();
  in.init_path = "/usr/bin/catatonit";
  in.notify_socket = true;
  auto s = make_spec(c, image::ImageConfig{}, in);
  REQUIRE(s);
  CHECK(s->caps == *runtime::cap_mask("net_admin"));
  CHECK(s->no_new_privs);
  CHECK_FALSE(s->seccomp);
  CHECK(std::find(s->masked.begin(), s->masked.end(), "/proc/kcore") == s->masked.end());
  CHECK(s->limits.memory == 1 << 26);
  CHECK(s->limits.pids == 7);
  REQUIRE(s->rlimits.size() == 1);
  CHECK(s->rlimits[0].hard == 1024);
  CHECK(s->volatile_upper);
  CHECK(s->argv == std::vector<std::string>{"/run/berth-init", "--", "true"});
  CHECK(std::any_of(s->binds.begin(), s->binds.end(),
                    [](const runtime::BindMount& b) { return b.target == "/run/berth-init"; }));
  CHECK(
      std::any_of(s->env.begin(), s->env.end(), [](const std::string& e) { return e.starts_with("NOTIFY_SOCKET="); }));
  c.cap_add = {"bogus"};
  CHECK(make_spec(c, image::ImageConfig{}, in).error().code == Errc::usage);
  c.cap_add = {};
  c.security_opt = {"bogus=1"};
  CHECK(make_spec(c, image::ImageConfig{}, in).error().code == Errc::usage);
}

TEST_CASE("passwd_with_user: keep-id adds the user's line only when no line has its uid") {
  std::string img = "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n";
  CHECK(passwd_with_user(img, 1000, 1000, "alice", "/home/alice") == "");
  CHECK(passwd_with_user(img, 1001, 1002, "alice", "/home/alice") ==
        img + "alice:*:1001:1002:alice:/home/alice:/bin/sh\n");
  CHECK(passwd_with_user("root:x:0:0::/root:/bin/sh", 5, 5, "b", "/h") ==
        "root:x:0:0::/root:/bin/sh\nb:*:5:5:b:/h:/bin/sh\n");
}

#include <catch2/catch.hpp>

#include "berth/engine/quadlet.hpp"
#include "berth/engine/run.hpp"
#include "berth/engine/spec.hpp"

using namespace berth;
using namespace berth::engine;

const char* kPasswd = "root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\nbad::x\n";
const char* kGroup = "root:x:0:\nu:x:1000:\ng:x:1234:u,other\nh:x:1300:other\n";

TEST_CASE("users: names and numbers from the image's passwd and group") {
  auto root = resolve_user("", kPasswd, kGroup);
  REQUIRE(root);
  CHECK(root->uid == 0);
  CHECK(root->home == "/root");
  auto u = resolve_user("u", kPasswd, kGroup);
  REQUIRE(u);
  CHECK(u->uid == 1000);
  CHECK(u->gid == 1000);
  CHECK(u->groups == std::vector<unsigned>{1234});  // CVE-2023-25173
  auto ug = resolve_user("u:g", kPasswd, kGroup);
  CHECK(ug->gid == 1234);
  auto num = resolve_user("4242:4343", kPasswd, kGroup);
  CHECK(num->uid == 4242);
  CHECK(num->gid == 4343);
  CHECK(resolve_user("1000", kPasswd, kGroup)->home == "/home/u");
  auto missing = resolve_user("nobody", kPasswd, kGroup);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "unable to find user nobody: no matching entries in passwd file");
  CHECK_FALSE(resolve_user("u:nogroup", kPasswd, kGroup));
}

TEST_CASE("users: ids that do not fit are refused, never wrapped (4294967295 would be root)") {
  CHECK(parse_id("0") == 0u);
  CHECK(parse_id("2147483647") == 2147483647u);
  CHECK_FALSE(parse_id("2147483648"));
  CHECK_FALSE(parse_id("4294967295"));
  CHECK_FALSE(parse_id("99999999999"));
  CHECK_FALSE(parse_id("18446744073709551617"));
  CHECK_FALSE(parse_id(""));
  CHECK_FALSE(parse_id("-1"));
  CHECK_FALSE(parse_id("1e3"));
  for (const char* spec : {"4294967295", "1000:4294967295", "99999999999", "2147483648:0", "u:4294967296"}) {
    auto r = resolve_user(spec, kPasswd, kGroup);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::usage);
  }
  // a passwd entry whose id does not fit is no entry at all
  auto wrapped = resolve_user("evil", "evil:x:4294967295:4294967295::/:/bin/sh\n", "");
  REQUIRE_FALSE(wrapped);
  CHECK(wrapped.error().code == Errc::not_found);
  auto grp = resolve_user("u", kPasswd, "big:x:4294967295:u\n");
  REQUIRE(grp);
  CHECK(grp->groups.empty());
}

TEST_CASE("argv: entrypoint and cmd combine as docker does") {
  Json img = {{"config", {{"Entrypoint", {"/init"}}, {"Cmd", {"serve", "--port=1"}}}}};
  CHECK(*container_argv(img, std::nullopt, {}) == std::vector<std::string>{"/init", "serve", "--port=1"});
  CHECK(*container_argv(img, std::nullopt, {"x"}) == std::vector<std::string>{"/init", "x"});
  CHECK(*container_argv(img, std::string("sh"), {}) == std::vector<std::string>{"sh"});
  CHECK(*container_argv(img, std::string("sh"), {"-c", "x"}) == std::vector<std::string>{"sh", "-c", "x"});
  CHECK(*container_argv(img, std::string(R"(["a","b"])"), {}) == std::vector<std::string>{"a", "b"});
  CHECK(*container_argv(img, std::string(""), {"ls"}) == std::vector<std::string>{"ls"});
  auto none = container_argv(Json::object(), std::nullopt, {});
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::usage);
}

TEST_CASE("restart policies: parsing, when to restart, back-off") {
  using berth::engine::parse_restart_policy;
  using berth::engine::should_restart;
  auto no = parse_restart_policy("");
  REQUIRE(no);
  CHECK(no->name == "no");
  auto f = parse_restart_policy("on-failure:3");
  REQUIRE(f);
  CHECK(f->name == "on-failure");
  CHECK(f->max_retries == 3);
  CHECK(parse_restart_policy("on-failure")->max_retries == 0);
  CHECK(parse_restart_policy("always")->name == "always");
  CHECK(parse_restart_policy("unless-stopped")->name == "unless-stopped");
  CHECK(!parse_restart_policy("on-failure:"));
  CHECK(!parse_restart_policy("on-failure:-1"));
  CHECK(!parse_restart_policy("on-failure:x"));
  CHECK(!parse_restart_policy("always:2"));
  CHECK(!parse_restart_policy("sometimes"));
  CHECK(!should_restart(*no, 1, 0, false));
  CHECK(should_restart(*f, 1, 2, false));
  CHECK(!should_restart(*f, 1, 3, false));
  CHECK(!should_restart(*f, 0, 0, false));
  CHECK(should_restart(*parse_restart_policy("on-failure"), 137, 1000, false));
  CHECK(should_restart(*parse_restart_policy("always"), 0, 50, false));
  CHECK(!should_restart(*parse_restart_policy("always"), 0, 0, true));
  CHECK(!should_restart(*parse_restart_policy("unless-stopped"), 1, 0, true));
  CHECK(berth::engine::restart_delay_ms(0) == 100);
  CHECK(berth::engine::restart_delay_ms(1) == 200);
  CHECK(berth::engine::restart_delay_ms(3) == 800);
  CHECK(berth::engine::restart_delay_ms(30) == 10000);
}

TEST_CASE("systemd_quote: plain words stay, the rest is quoted and escaped for ExecStart=") {
  using berth::engine::systemd_quote;
  CHECK(systemd_quote("bbtest") == "bbtest");
  CHECK(systemd_quote("--name=web") == "--name=web");
  CHECK(systemd_quote("a b") == "\"a b\"");
  CHECK(systemd_quote("") == "\"\"");
  CHECK(systemd_quote("100%") == "100%%");
  CHECK(systemd_quote("$HOME") == "$$HOME");
  CHECK(systemd_quote("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(systemd_quote("a\\b") == "\"a\\\\b\"");
  CHECK(systemd_quote("x;y") == "\"x;y\"");
}

TEST_CASE("quadlet: unit words split as systemd splits them") {
  auto w = berth::engine::split_unit_words(R"(sh -c 'echo "a b"; exit 1' "x y" z\ w)");
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"sh", "-c", "echo \"a b\"; exit 1", "x y", "z w"});
  CHECK(berth::engine::split_unit_words("  ")->empty());
  CHECK(!berth::engine::split_unit_words("'open"));
}

TEST_CASE("quadlet: a .container file becomes a Type=notify service running berth") {
  auto u = berth::engine::quadlet_container("web.container", R"([Unit]
Description=web
[Container]
Image=docker.io/library/nginx
Exec=nginx -g 'daemon off;'
ContainerName=web
Environment=A=1 "B=two words"
Volume=/srv:/srv:ro
ReadOnly=true
Notify=true
DropCapability=ALL
[Service]
Restart=on-failure
[Install]
WantedBy=default.target
)",
                                            "/usr/bin/berth", "/etc/containers/systemd/web.container");
  REQUIRE(u);
  CHECK(u->service_name == "web.service");
  CHECK(u->wanted_by == std::vector<std::string>{"default.target"});
  CHECK(
      u->text.find("ExecStart=/usr/bin/berth run --name=web --cidfile=%t/%N.cid --replace --rm --sdnotify=container -d "
                   "--env A=1 --env \"B=two words\" -v /srv:/srv:ro --read-only --cap-drop ALL docker.io/library/nginx "
                   "nginx -g \"daemon off;\"\n") != std::string::npos);
  CHECK(u->text.find("Type=notify\n") != std::string::npos);
  CHECK(u->text.find("Restart=on-failure\n") != std::string::npos);
  CHECK(u->text.find("[Install]\nWantedBy=default.target\n") != std::string::npos);
  CHECK(u->text.find("SourcePath=/etc/containers/systemd/web.container\n") != std::string::npos);
  auto unknown = berth::engine::quadlet_container("x.container", "[Container]\nImage=a\nFrobnicate=1\n", "berth", "x");
  REQUIRE(!unknown);
  CHECK(unknown.error().message.find("Frobnicate") != std::string::npos);
  auto health = berth::engine::quadlet_container(
      "h.container",
      "[Container]\nImage=a\nHealthCmd=test -e /ok\nHealthInterval=5s\nHealthOnFailure=restart\nNotify=healthy\n",
      "berth", "h");
  REQUIRE(health);
  CHECK(
      health->text.find(
          "--sdnotify=healthy -d --health-cmd \"test -e /ok\" --health-interval 5s --health-on-failure restart a\n") !=
      std::string::npos);
  CHECK(!berth::engine::quadlet_container("x.container", "[Container]\nExec=true\n", "berth", "x"));
  CHECK(!berth::engine::quadlet_container("x.container", "[Container]\nImage\n", "berth", "x"));
  CHECK(!berth::engine::quadlet_container("x.container", "Image=a\n", "berth", "x"));
}

TEST_CASE("quadlet: .kube, .volume and .network files; a .container naming them requires their units") {
  auto kube =
      berth::engine::quadlet_unit("app.kube", "[Kube]\nYaml=app.yaml\nConfigMap=/etc/cm.yaml\nPublishPort=8080:80\n",
                                  "berth", "/etc/containers/systemd/app.kube");
  REQUIRE(kube);
  CHECK(kube->service_name == "app.service");
  CHECK(kube->text.find("ExecStart=berth kube play --replace --configmap /etc/cm.yaml --publish 8080:80 "
                        "/etc/containers/systemd/app.yaml\n") != std::string::npos);
  CHECK(kube->text.find("ExecStop=berth kube down /etc/containers/systemd/app.yaml\n") != std::string::npos);
  CHECK(kube->text.find("Type=oneshot\nRemainAfterExit=yes\n") != std::string::npos);
  CHECK(!berth::engine::quadlet_unit("app.kube", "[Kube]\nConfigMap=x\n", "berth", "/x/app.kube"));  // no Yaml
  auto vol = berth::engine::quadlet_unit("data.volume", "[Volume]\nLabel=a=b\n", "berth", "/q/data.volume");
  REQUIRE(vol);
  CHECK(vol->service_name == "data-volume.service");
  CHECK(vol->text.find("ExecStart=berth volume create --ignore --label a=b systemd-data\n") != std::string::npos);
  auto net = berth::engine::quadlet_unit(
      "n.network", "[Network]\nNetworkName=front\nSubnet=10.89.0.0/24\nInternal=true\n", "berth", "/q/n.network");
  REQUIRE(net);
  CHECK(net->service_name == "n-network.service");
  CHECK(net->text.find("ExecStart=berth network create --ignore --subnet 10.89.0.0/24 --internal front\n") !=
        std::string::npos);
  CHECK(!berth::engine::quadlet_unit("n.network", "[Network]\nFrobnicate=1\n", "berth", "/q/n.network"));
  auto ctr = berth::engine::quadlet_unit("c.container",
                                         "[Container]\nImage=a\nVolume=data.volume:/data:ro\n"
                                         "Network=host\nPublishPort=80:80\n",
                                         "berth", "/nonexistent/c.container");
  REQUIRE(ctr);
  CHECK(ctr->text.find("-v systemd-data:/data:ro --network host -p 80:80 a\n") != std::string::npos);
  CHECK(ctr->text.find("Requires=data-volume.service\nAfter=data-volume.service\n") != std::string::npos);
}

TEST_CASE("stats: /proc/PID/net/dev summed over every interface but lo") {
  std::string text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier "
      "compressed\n"
      "    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0 "
      "         0\n"
      "  eth0:     430       5    0    0    0     0          0         0     1050       7    0    0    0     0       0 "
      "         0\n"
      "  eth1:      70       1    0    0    0     0          0         0       50       1    0    0    0     0       0 "
      "         0\n";
  CHECK(engine::parse_net_dev(text) == std::pair<std::uint64_t, std::uint64_t>{500, 1100});
  CHECK(engine::parse_net_dev("") == std::pair<std::uint64_t, std::uint64_t>{0, 0});
}

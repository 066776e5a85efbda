#include <catch2/catch.hpp>

#include "berth/image/config.hpp"

using namespace berth;
using namespace berth::image;

TEST_CASE("config: --change instructions as Dockerfile syntax") {
  Json cfg = {{"config", {{"Env", {"PATH=/bin"}}}}};
  REQUIRE(apply_change(cfg, R"(CMD ["a", "b"])"));
  CHECK(cfg["config"]["Cmd"] == Json::array({"a", "b"}));
  REQUIRE(apply_change(cfg, "CMD echo hi"));
  CHECK(cfg["config"]["Cmd"] == Json::array({"/bin/sh", "-c", "echo hi"}));
  REQUIRE(apply_change(cfg, "ENTRYPOINT [\"/init\"]"));
  CHECK(cfg["config"]["Entrypoint"] == Json::array({"/init"}));
  REQUIRE(apply_change(cfg, "ENV A=1 B=\"two words\""));
  REQUIRE(apply_change(cfg, "ENV PATH=/usr/bin"));
  REQUIRE(apply_change(cfg, "env LEGACY value with spaces"));
  CHECK(cfg["config"]["Env"] == Json::array({"PATH=/usr/bin", "A=1", "B=two words", "LEGACY=value with spaces"}));
  REQUIRE(apply_change(cfg, "WORKDIR /srv"));
  REQUIRE(apply_change(cfg, "USER 1000:1000"));
  REQUIRE(apply_change(cfg, "LABEL a=b c=d"));
  REQUIRE(apply_change(cfg, "EXPOSE 80 53/udp"));
  REQUIRE(apply_change(cfg, "VOLUME [\"/data\"]"));
  REQUIRE(apply_change(cfg, "STOPSIGNAL SIGINT"));
  CHECK(cfg["config"]["WorkingDir"] == "/srv");
  CHECK(cfg["config"]["User"] == "1000:1000");
  CHECK(cfg["config"]["Labels"]["c"] == "d");
  CHECK(cfg["config"]["ExposedPorts"].contains("80/tcp"));
  CHECK(cfg["config"]["ExposedPorts"].contains("53/udp"));
  CHECK(cfg["config"]["Volumes"].contains("/data"));
  CHECK(cfg["config"]["StopSignal"] == "SIGINT");
  for (const char* bad : {"BOGUS x", "WORKDIR", "ENV", "ENV =x", "LABEL \"a", "CMD", ""}) {
    INFO(bad);
    auto r = apply_change(cfg, bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::usage);
  }
}

TEST_CASE("config: --change on an image whose fields have the wrong JSON types") {
  Json cfg = {{"config", {{"Labels", "x"}, {"ExposedPorts", 5}, {"Volumes", Json::array()}, {"OnBuild", "y"}}}};
  REQUIRE(apply_change(cfg, "LABEL a=b"));
  REQUIRE(apply_change(cfg, "EXPOSE 80"));
  REQUIRE(apply_change(cfg, "VOLUME /v"));
  REQUIRE(apply_change(cfg, "ONBUILD RUN x"));
  CHECK(cfg["config"]["Labels"]["a"] == "b");
  CHECK(cfg["config"]["OnBuild"] == Json::array({"RUN x"}));
  Json top = 5;
  CHECK_FALSE(apply_change(top, "LABEL a=b"));  // found by tests/fuzz (regressions/documents)
}

TEST_CASE("config: manifests, descriptors and platform selection") {
  std::string hex(64, 'c');
  Json m = {
      {"schemaVersion", 2},
      {"config", {{"mediaType", kOciConfig}, {"digest", "sha256:" + hex}, {"size", 10}}},
      {"layers",
       Json::array(
           {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", "sha256:" + hex}, {"size", 3}}})}};
  auto p = parse_manifest(m);
  REQUIRE(p);
  CHECK(p->layers.size() == 1);
  m["layers"][0]["digest"] = "sha256:../../../etc";
  CHECK_FALSE(parse_manifest(m));
  m["layers"][0]["digest"] = "sha256:" + hex;
  m["layers"][0].erase("size");
  CHECK_FALSE(parse_manifest(m));
  CHECK_FALSE(parse_manifest(Json::array()));

  Json idx = {
      {"schemaVersion", 2},
      {"mediaType", kOciIndex},
      {"manifests", Json::array({{{"digest", "sha256:" + std::string(64, '1')},
                                  {"size", 1},
                                  {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}},
                                 {{"digest", "sha256:" + std::string(64, '2')},
                                  {"size", 1},
                                  {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}})}};
  auto kind = classify_document(idx, "");
  REQUIRE(kind);
  CHECK(*kind == DocKind::index);
  CHECK(select_platform(idx, "linux", "amd64", "")->digest.hex() == std::string(64, '2'));
  CHECK(select_platform(idx, "linux", "arm64", "v8")->digest.hex() == std::string(64, '1'));
  auto none = select_platform(idx, "linux", "s390x", "");
  REQUIRE_FALSE(none);
  CHECK(none.error().message.find("linux/arm64/v8") != std::string::npos);
}

TEST_CASE("documents: ambiguous or unknown ones are refused (CVE-2021-41190)") {
  std::string d = "sha256:" + std::string(64, 'a');
  Json layer = {{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", d}, {"size", 1}};
  Json cfg = {{"mediaType", kOciConfig}, {"digest", d}, {"size", 1}};
  Json man = {{"schemaVersion", 2}, {"config", cfg}, {"layers", Json::array({layer})}};
  Json idx = {{"schemaVersion", 2},
              {"manifests", Json::array({{{"mediaType", kOciManifest}, {"digest", d}, {"size", 1}}})}};
  CHECK(*classify_document(man, "") == DocKind::manifest);
  CHECK(*classify_document(idx, "") == DocKind::index);
  CHECK(*classify_document(man, kDockerManifest) == DocKind::manifest);
  CHECK(*classify_document(idx, "application/json") == DocKind::index);
  Json both = man;
  both["manifests"] = idx["manifests"];
  for (const char* hint : {"", kOciManifest, kOciIndex}) {
    auto r = classify_document(both, hint);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("CVE-2021-41190") != std::string::npos);
  }
  CHECK_FALSE(parse_manifest(both));
  CHECK_FALSE(classify_document(man, kOciIndex));  // served as an index, reads as a manifest
  Json typed = idx;
  typed["mediaType"] = kOciIndex;
  CHECK_FALSE(classify_document(typed, kOciManifest));  // its own type and the served one disagree
  typed["mediaType"] = "application/vnd.example.thing+json";
  CHECK(classify_document(typed, "").error().code == Errc::unsupported);
  Json v1 = {{"schemaVersion", 1}, {"mediaType", "application/vnd.docker.distribution.manifest.v1+prettyjws"}};
  CHECK(classify_document(v1, "").error().code == Errc::unsupported);
  Json v3 = man;
  v3["schemaVersion"] = 3;
  CHECK_FALSE(classify_document(v3, ""));
  CHECK_FALSE(classify_document(Json::array(), ""));
}

TEST_CASE("manifests: config and layer media types must be ones berth applies") {
  std::string d = "sha256:" + std::string(64, 'a');
  Json layer = {{"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"}, {"digest", d}, {"size", 1}};
  Json cfg = {{"mediaType", kDockerConfig}, {"digest", d}, {"size", 1}};
  Json man = {{"schemaVersion", 2}, {"config", cfg}, {"layers", Json::array({layer})}};
  REQUIRE(parse_manifest(man));
  for (const char* t : {"", "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                        "application/vnd.oci.image.layer.v1.tar+lz4", "text/plain"}) {
    Json m = man;
    m["layers"][0]["mediaType"] = t;
    INFO(t);
    CHECK(parse_manifest(m).error().code == Errc::unsupported);
  }
  Json m = man;
  m["config"]["mediaType"] = "application/vnd.cncf.helm.config.v1+json";
  CHECK(parse_manifest(m).error().code == Errc::unsupported);
  m["config"].erase("mediaType");
  CHECK_FALSE(parse_manifest(m));
}

TEST_CASE("configs: os, architecture and rootfs.type are required") {
  std::string d = "sha256:" + std::string(64, 'b');
  Json c = {{"architecture", "amd64"}, {"os", "linux"}, {"rootfs", {{"type", "layers"}, {"diff_ids", {d}}}}};
  REQUIRE(config_diff_ids(c));
  Json t = c;
  t["rootfs"]["type"] = "zfs";
  CHECK_FALSE(config_diff_ids(t));
  t["rootfs"].erase("type");
  CHECK_FALSE(config_diff_ids(t));
  for (const char* k : {"os", "architecture"}) {
    Json x = c;
    x.erase(k);
    CHECK_FALSE(config_diff_ids(x));
    x[k] = 5;
    CHECK_FALSE(config_diff_ids(x));
  }
  Json bad = c;
  bad["rootfs"]["diff_ids"] = {"sha256:../../etc"};
  CHECK_FALSE(config_diff_ids(bad));
}

TEST_CASE("config: synthesized manifests are deterministic") {
  Descriptor c{kOciConfig, Digest::of("cfg"), 3, {}, {}};
  std::vector<Descriptor> l = {{"application/vnd.oci.image.layer.v1.tar", Digest::of("l"), 1, {}, {}}};
  CHECK(make_manifest(c, l) == make_manifest(c, l));
  auto j = parse_json(make_manifest(c, l), "m");
  REQUIRE(j);
  CHECK(parse_manifest(*j)->config.digest == c.digest);
  Json cfg = {{"os", "linux"},
              {"architecture", "amd64"},
              {"rootfs", {{"type", "layers"}, {"diff_ids", Json::array({Digest::of("x").str()})}}}};
  auto ids = config_diff_ids(cfg);
  REQUIRE(ids);
  CHECK(ids->size() == 1);
  cfg["rootfs"]["diff_ids"] = Json::array({"nope"});
  CHECK_FALSE(config_diff_ids(cfg));
}

TEST_CASE("apply_change: HEALTHCHECK, as a Dockerfile writes it") {
  Json cfg = Json::object();
  REQUIRE(image::apply_change(
      cfg,
      "HEALTHCHECK --interval=5s --timeout=3s --start-period=1m --retries=2 CMD curl -f http://localhost/ || exit 1"));
  const Json& hc = cfg["config"]["Healthcheck"];
  CHECK(hc["Test"] == Json::array({"CMD-SHELL", "curl -f http://localhost/ || exit 1"}));
  CHECK(hc["Interval"] == 5'000'000'000LL);
  CHECK(hc["Timeout"] == 3'000'000'000LL);
  CHECK(hc["StartPeriod"] == 60'000'000'000LL);
  CHECK(hc["Retries"] == 2);
  REQUIRE(image::apply_change(cfg, R"(HEALTHCHECK CMD ["/bin/check", "-q"])"));
  CHECK(cfg["config"]["Healthcheck"] == Json{{"Test", {"CMD", "/bin/check", "-q"}}});
  REQUIRE(image::apply_change(cfg, "HEALTHCHECK NONE"));
  CHECK(cfg["config"]["Healthcheck"]["Test"] == Json::array({"NONE"}));
  for (const char* bad :
       {"HEALTHCHECK", "HEALTHCHECK --interval=5s", "HEALTHCHECK --interval CMD x", "HEALTHCHECK --interval=soon CMD x",
        "HEALTHCHECK --retries=x CMD x", "HEALTHCHECK --nope=1 CMD x", "HEALTHCHECK CMD", "HEALTHCHECK CMD [1]",
        "HEALTHCHECK RUN x"}) {
    INFO(bad);
    auto r = image::apply_change(cfg, bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::usage);
  }
}

#include <catch2/catch.hpp>

#include "berth/engine/health.hpp"

using namespace berth;
using engine::HealthFlags;

namespace {
constexpr std::int64_t kS = 1'000'000'000;
}

TEST_CASE("health: flags over the image's HEALTHCHECK, defaults filled in") {
  Json image = {{"Test", {"CMD-SHELL", "curl -f localhost"}}, {"Interval", 5 * kS}, {"Retries", 4}};
  auto r = engine::resolve_healthcheck(image, HealthFlags{});
  REQUIRE(r);
  CHECK((*r)["Test"] == Json::array({"CMD-SHELL", "curl -f localhost"}));
  CHECK((*r)["Interval"] == 5 * kS);
  CHECK((*r)["Retries"] == 4);
  CHECK((*r)["Timeout"] == engine::kHealthDefaultTimeout);
  CHECK((*r)["StartPeriod"] == 0);

  HealthFlags f;
  f.cmd = "test -e /ready";
  f.interval = "1m30s";
  f.retries = 9;
  f.start_period = "2.5s";
  r = engine::resolve_healthcheck(image, f);
  REQUIRE(r);
  CHECK((*r)["Test"] == Json::array({"CMD-SHELL", "test -e /ready"}));
  CHECK((*r)["Interval"] == 90 * kS);
  CHECK((*r)["Retries"] == 9);
  CHECK((*r)["StartPeriod"] == 2500000000LL);

  f = {};
  f.cmd = R"(["/bin/check", "--fast"])";
  r = engine::resolve_healthcheck(Json(nullptr), f);
  REQUIRE(r);
  CHECK((*r)["Test"] == Json::array({"CMD", "/bin/check", "--fast"}));
  CHECK((*r)["Interval"] == engine::kHealthDefaultInterval);
  CHECK((*r)["Retries"] == engine::kHealthDefaultRetries);
  f.cmd = R"(["CMD-SHELL", "exit 0"])";
  CHECK((*engine::resolve_healthcheck(Json(nullptr), f))["Test"] == Json::array({"CMD-SHELL", "exit 0"}));
  f.interval = "disable";
  CHECK((*engine::resolve_healthcheck(Json(nullptr), f))["Interval"] == 0);
}

TEST_CASE("health: the image's values are untrusted: out of range means the default") {
  Json image = {
      {"Test", {"CMD", "true"}}, {"Interval", 1}, {"Timeout", -5}, {"StartPeriod", 1e300}, {"Retries", 4294967296LL}};
  auto r = engine::resolve_healthcheck(image, HealthFlags{});
  REQUIRE(r);
  CHECK((*r)["Interval"] == engine::kHealthDefaultInterval);
  CHECK((*r)["Timeout"] == engine::kHealthDefaultTimeout);
  CHECK((*r)["StartPeriod"] == 0);
  CHECK((*r)["Retries"] == engine::kHealthDefaultRetries);
  image["Interval"] = 18446744073709551615ULL;
  image["Retries"] = -3;
  r = engine::resolve_healthcheck(image, HealthFlags{});
  REQUIRE(r);
  CHECK((*r)["Interval"] == engine::kHealthDefaultInterval);
  CHECK((*r)["Retries"] == engine::kHealthDefaultRetries);
  image["Test"] = Json::array({"CMD", 5});
  r = engine::resolve_healthcheck(image, HealthFlags{});
  REQUIRE(r);
  CHECK(r->is_null());
}

TEST_CASE("health: none, --no-healthcheck and NONE leave no check") {
  Json image = {{"Test", {"CMD", "true"}}};
  HealthFlags f;
  f.disable = true;
  CHECK(engine::resolve_healthcheck(image, f)->is_null());
  f = {};
  f.cmd = "none";
  CHECK(engine::resolve_healthcheck(image, f)->is_null());
  CHECK(engine::resolve_healthcheck(Json{{"Test", {"NONE"}}}, HealthFlags{})->is_null());
  CHECK(engine::resolve_healthcheck(Json::object(), HealthFlags{})->is_null());
  CHECK(engine::resolve_healthcheck(Json{{"Test", Json::array()}}, HealthFlags{})->is_null());
}

TEST_CASE("health: bad flags are usage errors") {
  auto bad = [](HealthFlags f, const std::string& words, Json image = Json(nullptr)) {
    auto r = engine::resolve_healthcheck(image, f);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::usage);
    CHECK(r.error().message.find(words) != std::string::npos);
  };
  HealthFlags f;
  f.on_failure = "kill";
  bad(f, "cannot set on-failure action to kill without a health check");
  f.on_failure = "explode";
  f.cmd = "true";
  bad(f, "invalid --health-on-failure");
  f = {};
  f.cmd = "true";
  f.interval = "500ms";
  bad(f, "at least 1 second");
  f.interval = "10";
  bad(f, "invalid --health-interval \"10\"");
  f.interval.reset();
  f.timeout = "0s";
  bad(f, "invalid --health-timeout");
  f.timeout.reset();
  f.retries = 0;
  bad(f, "must be greater than 0");
  f.retries.reset();
  f.cmd = "  ";
  bad(f, "non-empty command");
  f.cmd = "[1, 2]";
  bad(f, "not a JSON array of strings");
  f.cmd = "[\"CMD\"]";
  bad(f, "no command to run");
  f.cmd = "true";
  f.max_log_count = -1;
  bad(f, "--health-max-log-count");
}

TEST_CASE("health: argv of CMD and CMD-SHELL tests") {
  CHECK(engine::health_argv(Json::array({"CMD", "a", "b c"})) == std::vector<std::string>{"a", "b c"});
  CHECK(engine::health_argv(Json::array({"CMD-SHELL", "a && b"})) ==
        std::vector<std::string>{"/bin/sh", "-c", "a && b"});
  CHECK(engine::health_argv(Json::array({"NONE"})).empty());
  CHECK(engine::health_argv(Json::array({"CMD"})).empty());
  CHECK(engine::health_argv(Json(nullptr)).empty());
}

TEST_CASE("health: the state machine counts failures up to Retries; a success resets it") {
  Json hc = {{"Retries", 3}, {"StartPeriod", 0}};
  engine::HealthLimits lim;
  auto step = [&](const Json& prev, int code, std::int64_t at = 100 * kS) {
    return engine::apply_health_result(prev, {at, at + 1000, code, "out\n"}, hc, 0, lim);
  };
  Json st = engine::initial_health();
  CHECK(st["Status"] == "starting");
  st = step(st, 1);
  CHECK(st["Status"] == "starting");
  CHECK(st["FailingStreak"] == 1);
  st = step(st, 0);
  CHECK(st["Status"] == "healthy");
  CHECK(st["FailingStreak"] == 0);
  st = step(st, 2);
  st = step(st, 2);
  CHECK(st["Status"] == "healthy");
  CHECK(st["FailingStreak"] == 2);
  st = step(st, 2);
  CHECK(st["Status"] == "unhealthy");
  CHECK(st["FailingStreak"] == 3);
  CHECK(st["Log"].back()["ExitCode"] == 2);
  CHECK(st["Log"].back()["Output"] == "out");
  CHECK(st["Log"].back()["Start"] == "1970-01-01T00:01:40Z");
  CHECK(st["Log"].size() == 5);
  st = step(st, 0);
  CHECK(st["Log"].size() == 5);  // the default keeps 5
  CHECK(st["Status"] == "healthy");
}

TEST_CASE("health: failures within the start period do not count while starting") {
  Json hc = {{"Retries", 1}, {"StartPeriod", 10 * kS}};
  engine::HealthLimits lim{0, 3};
  Json st = engine::initial_health();
  st = engine::apply_health_result(st, {5 * kS, 6 * kS, 1, "abcdef"}, hc, 0, lim);
  CHECK(st["Status"] == "starting");
  CHECK(st["FailingStreak"] == 0);
  CHECK(st["Log"].back()["Output"] == "abc");  // max_log_size 3
  st = engine::apply_health_result(st, {11 * kS, 12 * kS, 1, ""}, hc, 0, lim);
  CHECK(st["Status"] == "unhealthy");
  // Once healthy, the start period no longer shields a failure.
  st = engine::apply_health_result(engine::initial_health(), {1 * kS, 2 * kS, 0, ""}, hc, 0, lim);
  st = engine::apply_health_result(st, {3 * kS, 4 * kS, 1, ""}, hc, 0, lim);
  CHECK(st["Status"] == "unhealthy");
  CHECK(st["Log"].size() == 2);  // max_log_count 0: all kept
}

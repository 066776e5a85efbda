// Health checks, as Podman and Docker define them: a command run in the container (exec) every
// interval; `retries` failures in a row make it unhealthy, one success healthy. The monitor of
// a detached container (or the berth of a foreground one) runs `berth healthcheck run` on a
// timer: no timer daemon, no systemd units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/store/containers.hpp"
#include "berth/engine/context.hpp"

namespace berth::engine {

// The run/create flags, unset unless given.
struct HealthFlags {
  std::optional<std::string> cmd;  // "CMD ARGS" (a shell command), '["cmd","arg"]', or "none"
  std::optional<std::string> interval, timeout, start_period;  // Go durations; interval may be "disable"
  std::optional<int> retries;
  std::string on_failure = "none";  // none | kill | restart | stop
  std::optional<int> max_log_count, max_log_size;
  bool disable = false;  // --no-healthcheck
};

constexpr std::int64_t kHealthDefaultInterval = 30'000'000'000;
constexpr std::int64_t kHealthDefaultTimeout = 30'000'000'000;
constexpr int kHealthDefaultRetries = 3;

// What a container records: Docker's HealthConfig ({"Test": [...], "Interval": ns, "Timeout":
// ns, "StartPeriod": ns, "Retries": n}) from the image's config.Healthcheck, each flag taking
// the place of the image's value, defaults filled in. Null when there is no health check
// (none in the image, Test ["NONE"], --health-cmd none, --no-healthcheck). Bad values are
// usage errors named after their flag.
Result<Json> resolve_healthcheck(const Json& image_healthcheck, const HealthFlags& flags);

// Test ["CMD", argv...] or ["CMD-SHELL", "text"] as the argv to exec.
std::vector<std::string> health_argv(const Json& test);

// One check's outcome.
struct HealthResult {
  std::int64_t start_ns = 0, end_ns = 0;
  int exit_code = 0;  // -1: the check ran out of time
  std::string output;
};
struct HealthLimits {
  int max_log_count = 5;   // results kept; 0: all
  int max_log_size = 500;  // characters of output kept; 0: all
};
// The state machine (pure): the health state {"Status", "FailingStreak", "Log"} after `r`.
// A success makes it healthy and ends the streak; a failure counts towards `Retries`, except
// while it is still "starting" within its start period (`started_ns` + StartPeriod).
Json apply_health_result(const Json& previous, const HealthResult& r, const Json& healthcheck, std::int64_t started_ns,
                         const HealthLimits& limits);

// The state of a container with no result yet.
Json initial_health();

struct HealthcheckOutcome {
  bool passed = false;  // this check
  std::string status;   // the container's health after it: starting, healthy, unhealthy
};
// `berth healthcheck run`: one check now, its result recorded (health.json beside the
// container's state, under a lock), a health_status event, and the --health-on-failure action
// when the container is unhealthy.
Result<HealthcheckOutcome> run_healthcheck(Context& c, const std::string& key);

// The recorded health of a running container with a health check: "starting", "healthy",
// "unhealthy"; empty when it has none.
std::string health_status(Context& c, const std::string& id, const store::ContainerConfig& config);
// Its whole health state (Status, FailingStreak, Log), for inspect.
Json health_state(Context& c, const std::string& id);

}  // namespace berth::engine

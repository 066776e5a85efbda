// berth events: an append-only file of what commands and monitors did (RUNROOT/events/
// events.log, one JSON object per line, podman's event fields), read back with filters.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"

namespace berth::engine {

// Appends one event; never fails the command that emits it (a warning at most).
// type: "container" or "image"; status: create, start, died, stop, kill, remove, pull, push,
// tag, untag, ...
void emit_event(const store::Store& s, std::string_view type, std::string_view status, std::string_view id,
                std::string_view name, std::string_view image, const Json& attributes = Json::object(),
                const Json& fields = Json::object());  // more top-level fields (HealthStatus)

// The exit code in the last "died" event of container `id` (full id): how `wait` learns the
// exit of a --rm container that is gone (as podman keeps exit codes beyond their containers).
std::optional<int> died_exit_code(const store::Store& s, std::string_view id);

struct EventsOptions {
  std::optional<std::int64_t> since_ns, until_ns;
  std::vector<std::string> filters;  // container= image= event= type= label=  (same key: OR)
  bool stream = true;                // follow the file until interrupted (or --until passes)
};
// Calls `out` for each matching event, oldest first.
Result<void> read_events(Context& c, const EventsOptions& o, const std::function<void(const Json&)>& out);

}  // namespace berth::engine

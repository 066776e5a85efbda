// containers.conf, as containers/common reads it for podman: the [containers] defaults berth
// has flags for. Files, in order, each over the last (a key a later file sets replaces the
// earlier value, arrays included): $CONTAINERS_CONF alone when set; else
// /usr/share/containers/containers.conf, /etc/containers/containers.conf and its .d/*.conf,
// then (rootless) $XDG_CONFIG_HOME or ~/.config containers/containers.conf and its .d/*.conf.
// Unknown tables and keys are accepted, as podman accepts them; a value of the wrong type or a
// TOML syntax error is an error naming the file (and the line).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/json.hpp"

namespace berth::engine {

struct ContainersConf {
  std::optional<std::vector<std::string>> default_capabilities;  // the set --cap-add/--cap-drop change
  std::vector<std::string> default_ulimits;                      // name=soft[:hard], under --ulimit
  std::vector<std::string> env;                                  // KEY=VALUE, under the image's env
  std::vector<std::string> volumes;                              // SRC:DST[:OPTS], for every container
  std::vector<std::string> dns_servers, dns_searches, dns_options;
  std::optional<std::string> log_driver, tz, umask, netns;
  std::optional<bool> init, no_hosts;
  std::optional<std::int64_t> pids_limit;
};

// default_capabilities as changes to berth's own default set: the capabilities to drop and to
// add, without those the flags (`cap_add`, `cap_drop`) decide themselves.
struct CapChanges {
  std::vector<std::string> drop, add;
};
Result<CapChanges> default_cap_changes(const std::vector<std::string>& defaults,
                                       const std::vector<std::string>& cap_add,
                                       const std::vector<std::string>& cap_drop);

// One parsed document (`doc`, from `what`) over `c`.
Result<void> merge_containers_conf(ContainersConf& c, const Json& doc, std::string_view what);
// The files above, merged; nothing when none exists.
Result<ContainersConf> load_containers_conf();

}  // namespace berth::engine

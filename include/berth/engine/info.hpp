// `berth info`: the host, the store, the registries and this build, in podman info's shape
// (its JSON keys, in its order), including the rootless facts (idMappings, the network helper).
#pragma once

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"

namespace berth::engine {

Result<OrderedJson> system_info(Context& c);
// This build, as podman version's Client (and info's version): APIVersion, Version, GoVersion
// (empty: no Go here), GitCommit, BuiltTime (ctime format), Built (epoch seconds), OsArch, Os.
OrderedJson version_info();

}  // namespace berth::engine

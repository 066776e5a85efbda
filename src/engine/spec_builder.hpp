// engine-private: from a container's config.json and its image to a runtime::Spec.
#pragma once

#include <string>

#include "berth/core/json.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/store/store.hpp"

namespace berth::engine::detail {

// Everything but stdio: rootfs from the image's layers, process from the record, isolation
// defaults adjusted by the recorded flags. Writes the container's hostname/hosts/resolv.conf.
Result<runtime::Spec> build_spec(const store::Store& s, const std::string& id, const Json& config);

}  // namespace berth::engine::detail

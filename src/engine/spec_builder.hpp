// engine-private: from a container's config.json and its image to a runtime::Spec.
#pragma once

#include <string>

#include "berth/core/json.hpp"
#include "berth/engine/run.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/store/store.hpp"

namespace berth::engine::detail {

// Everything but stdio: rootfs from the image's layers, process from the record, isolation
// defaults adjusted by the recorded flags. Writes the container's hostname/hosts/resolv.conf.
// `for_exec`: the process of an exec into the running container, which mounts nothing (its
// /etc files are left as the container has them).
Result<runtime::Spec> build_spec(const store::Store& s, const std::string& id, const Json& config, bool for_exec = false);

// `exec`: the same with the process replaced by `o`'s command, with its env added and its
// user, workdir, tty and privileges.
Result<runtime::Spec> exec_spec(const store::Store& s, const std::string& id, const Json& config, const ExecOptions& o);

}  // namespace berth::engine::detail

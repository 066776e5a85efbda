// `berth system check` (alias `berth doctor`): whether this machine and this user can run
// containers rootless, each fact with the command that fixes it.
#pragma once

#include <string>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/engine/context.hpp"

namespace berth::engine {

struct CheckResult {
  std::string name;    // "user namespaces", "subuid", ...
  std::string status;  // OK, WARN or FAIL
  std::string detail;  // what was found
  std::string fix;     // the command that fixes it (empty when OK)
};

// Runs every check as the user berth runs as (before any user namespace is entered).
std::vector<CheckResult> system_check(const GlobalOptions& g);

}  // namespace berth::engine

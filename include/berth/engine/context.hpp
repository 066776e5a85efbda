// What every command starts from: the global flags and the opened store.
#pragma once

#include <string>

#include "berth/store/store.hpp"

namespace berth::engine {

struct GlobalOptions {
  std::string root;
  std::string runroot;
};

struct Context {
  store::Store store;
};

Result<Context> open_context(const GlobalOptions& g);

// Rootless: how a command meets its user namespace, first thing in the process.
enum class UserNamespace {
  own,         // a namespace of its own, mapped through the user's subuid range
  join_later,  // none yet: the command joins a running container's (exec)
  none,        // none at all (login, logout: the user's own files)
};
Result<void> enter_user_namespace(UserNamespace how);

}  // namespace berth::engine

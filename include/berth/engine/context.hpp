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

}  // namespace berth::engine

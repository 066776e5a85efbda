#include "berth/engine/context.hpp"

namespace berth::engine {

Result<Context> open_context(const GlobalOptions& g) {
  auto paths = store::default_paths(g.root, g.runroot);
  auto s = TRY(context(store::Store::open(paths), "open store"));
  return Context{std::move(s)};
}

}  // namespace berth::engine

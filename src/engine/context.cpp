#include "berth/engine/context.hpp"

#include "berth/sys/userns.hpp"

namespace berth::engine {

Result<Context> open_context(const GlobalOptions& g) {
  auto paths = store::default_paths(g.root, g.runroot);
  auto s = TRY(context(store::Store::open(paths), "open store"));
  return Context{std::move(s)};
}

Result<void> enter_user_namespace(UserNamespace how) {
  switch (how) {
    case UserNamespace::own: return sys::enter_rootless();
    case UserNamespace::join_later: sys::defer_rootless(); return {};
    case UserNamespace::none: return {};
  }
  return {};
}

}  // namespace berth::engine

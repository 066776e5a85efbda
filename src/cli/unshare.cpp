// unshare.

#include "berth/engine/changes.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_unshare(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  sub->prefix_command();  // everything from the first non-flag on is the command and its args
  r.on(sub, [sub](engine::GlobalOptions&) -> Result<int> {
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (!rest.empty() && rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    return engine::unshare_command(rest);
  });
}

}  // namespace berth::cli

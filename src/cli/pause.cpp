// pause, unpause.
#include <fmt/format.h>

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_pause(CommandTable& r, CLI::App* sub, bool pause) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--all", *all, pause ? "Pause all running containers" : "Unpause all paused containers");
  sub->add_option("containers", *names, pause ? "Containers to pause" : "Containers to unpause");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (names->empty() && !*all) return fail(Errc::usage, "you must provide at least one container name or id");
    auto c = TRY(engine::open_context(g));
    auto rep = TRY(engine::pause_containers(c, *names, *all, pause));
    for (const auto& d : rep.done) fmt::print("{}\n", d);
    for (const auto& e : rep.errors) fmt::print(stderr, "Error: {}\n", e.message);
    return rep.errors.empty() ? 0 : 125;
  });
}

}  // namespace berth::cli

// __monitor (hidden): the monitor of a detached container.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_monitor(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto id = r.keep(std::make_shared<std::string>());
  auto fd = r.keep(std::make_shared<int>(-1));
  sub->add_option("id", *id)->required();
  sub->add_option("fd", *fd)->required();
  sub->group("");  // hidden
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    return engine::monitor_main(c, *id, *fd);
  });
}

}  // namespace berth::cli

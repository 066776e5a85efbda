// restart.
#include <fmt/format.h>

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_restart(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::StopOptions>());
  auto t = r.keep(std::make_shared<int>(-1));
  sub->add_flag("-a,--all", o->all, "Restart all non-running containers too");
  sub->add_option("-t,--time", *t, "Seconds to wait for stop before killing the container");
  sub->add_option("containers", o->containers, "Containers to restart");
  r.on(sub, [o, t](engine::GlobalOptions& g) -> Result<int> {
    if (o->containers.empty() && !o->all)
      return fail(Errc::usage, "you must provide at least one container name or ID");
    if (*t >= 0) o->timeout = *t;
    auto c = TRY(engine::open_context(g));
    auto stopped = TRY(engine::stop_containers(c, *o));
    for (const auto& n : stopped.done) {
      auto id = TRY(engine::container_id(c, n));
      TRY(engine::start_container(c, id, false, false));
      fmt::print("{}\n", id);
    }
    return report_item_errors(stopped.errors);
  });
}

}  // namespace berth::cli

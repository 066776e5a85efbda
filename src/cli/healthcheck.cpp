// healthcheck run.
#include <fmt/format.h>

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_healthcheck_run(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto ignore = r.keep(std::make_shared<bool>(false));
  sub->add_option("container", *name, "Container")->required();
  sub->add_flag("--ignore-result", *ignore, "Exit with code 0 regardless of the healthcheck result");
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [name, ignore](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto out = TRY(engine::run_healthcheck(c, *name));
    if (out.passed) return 0;
    // podman: a failed check prints the container's state ("unhealthy", or "starting" within
    // its start period) and exits 1.
    fmt::print("{}\n", out.status == "starting" ? "starting" : "unhealthy");
    return *ignore ? 0 : 1;
  });
}

}  // namespace berth::cli

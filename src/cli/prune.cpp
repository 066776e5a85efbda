// container prune, image prune.
#include <fmt/format.h>

#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_container_prune(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  r.on(sub, [](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& id : TRY(engine::prune_containers(c))) fmt::print("{}\n", id);
    return 0;
  });
}

void add_prune(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto all = r.keep(std::make_shared<bool>(false));
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--all", *all, "Remove all images not in use by containers, not just dangling ones");
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  r.on(sub, [all](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& d : TRY(engine::prune_images(c, *all))) fmt::print("{}\n", d.hex());
    return 0;
  });
}

}  // namespace berth::cli

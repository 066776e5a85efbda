// mount, unmount.
#include <fmt/format.h>

#include "berth/engine/changes.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_mount(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto notruncate = r.keep(std::make_shared<bool>(false));
  sub->add_option("containers", *names, "Containers to mount (none: list the mounted ones)");
  sub->add_flag("--notruncate", *notruncate, "Do not truncate the IDs in the listing");
  r.on(sub, [names, notruncate](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    if (names->empty()) {
      for (const auto& [id, path] : TRY(engine::mounted_containers(c)))
        fmt::print("{} {}\n", *notruncate ? id : id.substr(0, 12), path);
      return 0;
    }
    for (const auto& n : *names) {
      auto path = TRY(engine::mount_container(c, n));
      if (names->size() == 1)
        fmt::print("{}\n", path);
      else
        fmt::print("{} {}\n", n, path);
    }
    return 0;
  });
}

void add_unmount(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--all", *all, "Unmount all of the currently mounted containers");
  sub->add_option("containers", *names, "Containers to unmount");
  r.on(sub, [names, all](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::vector<std::string> targets = *names;
    if (*all)
      for (const auto& [id, path] : TRY(engine::mounted_containers(c))) targets.push_back(id);
    if (targets.empty() && !*all) return fail(Errc::usage, "you must provide at least one container name or ID");
    for (const auto& n : targets) {
      TRY(engine::unmount_container(c, n));
      fmt::print("{}\n", n);
    }
    return 0;
  });
}

}  // namespace berth::cli

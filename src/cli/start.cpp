// start.
#include <set>

#include <fmt/format.h>

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_start(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto attach = r.keep(std::make_shared<bool>(false));
  auto interactive = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--attach", *attach, "Attach container's STDOUT and STDERR");
  sub->add_flag("-i,--interactive", *interactive, "Attach container's STDIN");
  auto all = r.keep(std::make_shared<bool>(false));
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_flag("--all", *all, "Start all containers regardless of their state or configuration");
  sub->add_option("-f,--filter", *filters, "Filter the containers to start (as ps --filter)")->allow_extra_args(false);
  sub->add_option("containers", *names, "Containers to start");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*attach && names->size() > 1)
      return fail(Errc::usage, "you cannot start and attach multiple containers at once");
    if (*all && !names->empty())
      return fail(Errc::usage, "either start all containers or the container(s) provided in the arguments");
    if (!*all && names->empty()) return fail(Errc::usage, "requires at least 1 arg(s), only received 0");
    auto c = TRY(engine::open_context(g));
    if (*all) {
      if (*attach) return fail(Errc::usage, "you cannot start and attach multiple containers at once");
      // Every container not running that matches the filters (for boot: restart-policy=always).
      int code = 0;
      for (const auto& s : TRY(engine::list_containers(c, {true, false, *filters}))) {
        if (s.status == "running" || s.status == "paused") continue;
        auto started = engine::start_container(c, s.id, false, false);
        if (!started) {
          fmt::print(stderr, "Error: {}: {}\n", s.name, started.error().message);
          code = 125;
          continue;
        }
        fmt::print("{}\n", s.id);
      }
      return code;
    }
    // With --filter, only the named containers that match it (podman's 045-start).
    std::set<std::string> matching;
    if (!filters->empty())
      for (const auto& s : TRY(engine::list_containers(c, {true, false, *filters}))) matching.insert(s.id);
    int code = 0;
    for (const auto& n : *names) {
      auto id = TRY(engine::container_id(c, n));
      if (!filters->empty() && !matching.contains(id)) continue;
      auto started = engine::start_container(c, id, *attach, *interactive);
      // a command that cannot run is 125 here, as podman's start (run says 126 or 127)
      if (!started && (started.error().code == Errc::cannot_invoke || started.error().code == Errc::command_not_found))
        return fail(Errc::invalid_input, "{}", started.error().message);
      if (!started) return std::unexpected(started.error());
      code = *started;
      if (!*attach) fmt::print("{}\n", n);
    }
    return code;
  });
}

}  // namespace berth::cli

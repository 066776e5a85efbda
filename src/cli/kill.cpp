// kill.
#include <fmt/format.h>

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_kill(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  auto sig = r.keep(std::make_shared<std::string>("KILL"));
  sub->add_flag("-a,--all", *all, "Signal all running containers");
  sub->add_option("-s,--signal", *sig, "Signal to send to the container (default KILL)");
  sub->add_option("containers", *names, "Containers to signal");
  auto cid = r.keep(std::make_shared<CidTargets>());
  add_cid_flags(sub, *cid);
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    bool named = !names->empty() || !cid->cidfiles.empty();
    TRY(read_cidfiles(*cid, *names));
    if (!named && !*all) return fail(Errc::usage, "you must provide at least one container name or ID");
    if (names->empty() && !*all) return 0;  // --ignore and no cidfile left
    auto c = TRY(engine::open_context(g));
    auto rep = TRY(engine::kill_containers(c, *names, *all, *sig));
    for (const auto& d : rep.done) fmt::print("{}\n", d);
    if (cid->ignore) std::erase_if(rep.errors, [](const Error& e) { return e.code == Errc::not_found; });
    if (!rep.errors.empty()) {
      for (const auto& e : rep.errors) fmt::print(stderr, "Error: {}\n", e.message);
      return 125;
    }
    return 0;
  });
}

}  // namespace berth::cli

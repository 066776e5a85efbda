// stop.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_stop(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::StopOptions>());
  auto t = r.keep(std::make_shared<int>(-1));
  sub->add_flag("-a,--all", o->all, "Stop all running containers");
  sub->add_option("-t,--time,--timeout", *t, "Seconds to wait for stop before killing the container");
  sub->add_option("containers", o->containers, "Containers to stop");
  auto cid = r.keep(std::make_shared<CidTargets>());
  add_cid_flags(sub, *cid);
  r.on(sub, [o, t, cid](engine::GlobalOptions& g) -> Result<int> {
    bool named = !o->containers.empty() || !cid->cidfiles.empty();
    TRY(read_cidfiles(*cid, o->containers));
    if (!named && !o->all) return fail(Errc::usage, "you must provide at least one container name or ID");
    if (o->containers.empty() && !o->all) return 0;  // --ignore and no cidfile left
    if (*t >= 0) o->timeout = *t;
    auto c = TRY(engine::open_context(g));
    return print_report_ignoring(TRY(engine::stop_containers(c, *o)), cid->ignore, true);
  });
}

}  // namespace berth::cli

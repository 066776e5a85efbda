// rm, container rm.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_rm(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::RmOptions>());
  sub->add_flag("-f,--force", o->force, "Force removal of a running container");
  sub->add_flag("-a,--all", o->all, "Remove all containers");
  sub->add_option("-t,--time", o->time, "Seconds to wait for stop before killing the container (with --force)");
  sub->add_flag("--depend", o->depend, "Remove the containers that depend on it too");
  sub->add_flag("-v,--volumes", o->volumes, "Remove anonymous volumes associated with the container");
  sub->add_option("containers", o->containers, "Containers to remove");
  auto cid = r.keep(std::make_shared<CidTargets>());
  add_cid_flags(sub, *cid);
  r.on(sub, [o, cid](engine::GlobalOptions& g) -> Result<int> {
    bool named = !o->containers.empty() || !cid->cidfiles.empty();
    TRY(read_cidfiles(*cid, o->containers));
    if (!named && !o->all) return fail(Errc::usage, "must specify at least one container name or ID");
    if (o->containers.empty() && !o->all) return 0;  // --ignore and no cidfile left
    auto c = TRY(engine::open_context(g));
    // --force: one that is not there is no error (podman's 055-rm)
    return print_report_ignoring(TRY(engine::remove_containers(c, *o)), cid->ignore || o->force);
  });
}

}  // namespace berth::cli

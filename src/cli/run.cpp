// run and create (also as container run/create).
#include <fmt/format.h>

#include "berth/core/log.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

// `run` and `create` share their flags and their positional rule: IMAGE [COMMAND [ARG...]],
// with everything after IMAGE belonging to the command.
void add_run_like(CommandTable& r, CLI::App* sub, bool run) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::RunOptions>());
  auto entrypoint = r.keep(std::make_shared<std::string>(kUnset));
  auto pull = r.keep(std::make_shared<RunPull>());
  sub->set_help_flag("--help", "Print this help message and exit");
  add_process_flags(sub, *o, entrypoint);
  add_container_flags(sub, *o);
  add_security_flags(sub, *o);
  add_resource_flags(sub, *o);
  add_health_flags(sub, o->health);
  add_run_pull_flags(sub, r, *pull);
  if (run) sub->add_flag("-d,--detach", o->detach, "Run container in background and print container ID");
  auto rmi = r.keep(std::make_shared<bool>(false));
  if (run)
    sub->add_flag("--rmi", *rmi, "Remove the image after the container exits (with --rm, when no container uses it)");
  if (run) sub->add_option("--preserve-fds", o->preserve_fds, "Pass N additional file descriptors (3 .. 3+N-1)");
  sub->prefix_command();
  r.on(sub, [o, entrypoint, sub, run, pull, rmi, &r](engine::GlobalOptions& g) -> Result<int> {
    o->create_command = r.command_line;
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.empty()) return fail(Errc::usage, "requires at least 1 arg(s), only received 0");
    if (rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    o->image = rest.front();
    o->command.assign(rest.begin() + 1, rest.end());
    if (*rmi && !o->rm) return fail(Errc::usage, "the --rmi option does not work without --rm");
    if (*rmi && o->detach) return fail(Errc::usage, "--rmi removes the image when the run ends: not with --detach");
    if (o->detach && o->preserve_fds > 0)
      return fail(Errc::usage, "--preserve-fds passes this berth's fds: it needs a foreground run, not --detach");
    o->create_image_index = static_cast<int>(o->create_command.size() - rest.size());
    TRY(apply_containers_conf(sub, *o));
    if (*entrypoint != kUnset) o->entrypoint = *entrypoint;
    auto policy = TRY(engine::parse_pull_policy(pull->policy));
    TRY(pull->finish(pull->request));
    auto c = TRY(engine::open_context(g));
    o->image = TRY(engine::ensure_image(c, o->image, policy, pull->request));
    if (!run) {
      fmt::print("{}\n", TRY(engine::create_container(c, *o)));
      return 0;
    }
    std::string id;
    int code = TRY(engine::run_container(c, *o, &id));
    if (o->detach) fmt::print("{}\n", id);
    if (*rmi) {  // as podman: kept while another container uses it, no error then
      engine::RmiOptions ro;
      ro.images = {o->image};
      if (auto rep = engine::remove_images(c, ro); rep)
        for (const auto& d : rep->deleted) log::debug("--rmi: deleted {}", d.hex());
    }
    return code;
  });
}

}  // namespace berth::cli

// exec.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_exec(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::ExecOptions>());
  sub->set_help_flag("--help", "Print this help message and exit");
  sub->add_flag("-i,--interactive", o->interactive, "Keep STDIN open");
  sub->add_flag("-t,--tty", o->tty, "Allocate a pseudo-TTY");
  sub->add_flag("-d,--detach", o->detach, "Run the exec session in detached mode (backgrounded)");
  sub->add_option("-e,--env", o->env, "Set environment variables")->allow_extra_args(false);
  sub->add_option("-u,--user", o->user, "Sets the username or UID used and optionally the groupname or GID");
  sub->add_option("-w,--workdir", o->workdir, "Working directory inside the container");
  sub->add_flag("--privileged", o->privileged, "Give the process extended privileges");
  sub->prefix_command();
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [o, sub](engine::GlobalOptions& g) -> Result<int> {
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.size() < 2) return fail(Errc::usage, "exec requires the name or ID of a container and a command");
    if (rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    o->container = rest.front();
    o->command.assign(rest.begin() + 1, rest.end());
    auto c = TRY(engine::open_context(g));
    return engine::exec_container(c, *o);
  });
}

}  // namespace berth::cli

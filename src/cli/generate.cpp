// generate systemd.
#include <fmt/format.h>
#include <fstream>

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_generate_systemd(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::GenerateSystemdOptions>());
  auto files = r.keep(std::make_shared<bool>(false));
  auto timeout = r.keep(std::make_shared<int>(-1));
  sub->add_flag("--new", o->recreate, "Create a new container instead of starting an existing one");
  sub->add_flag("-n,--name", o->use_name, "Use container names instead of IDs");
  sub->add_flag("-f,--files", *files, "Generate .service files instead of printing to stdout");
  sub->add_option("--restart-policy", o->restart_policy,
                  "Systemd restart-policy (no, on-failure, always, unless-stopped)");
  sub->add_option("-t,--stop-timeout", *timeout, "Stop timeout override");
  sub->add_option("--container-prefix", o->prefix, "Systemd unit name prefix for containers");
  sub->add_option("--separator", o->separator, "Systemd unit name separator between name/id and prefix");
  sub->add_option("-e,--env", o->env, "Environment= lines for the unit (NAME=VALUE, or NAME: the host's value)")
      ->allow_extra_args(false);
  sub->add_option("containers", o->containers, "Containers")->required();
  r.on(sub, [o, files, timeout](engine::GlobalOptions& g) -> Result<int> {
    if (*timeout >= 0) o->stop_timeout = *timeout;
    auto c = TRY(engine::open_context(g));
    auto units = TRY(engine::generate_systemd(c, *o));
    for (const auto& u : units) {
      if (!*files) {
        fmt::print("{}", u.text);
        continue;
      }
      std::ofstream out(u.name);
      out << u.text;
      out.close();
      if (!out) return fail(Errc::system, "write {}", u.name);
      char cwd[4096];
      fmt::print("{}/{}\n", ::getcwd(cwd, sizeof cwd) ? cwd : ".", u.name);
    }
    return 0;
  });
}

}  // namespace berth::cli

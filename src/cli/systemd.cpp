// generate systemd.
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>

#include "berth/engine/quadlet.hpp"
#include "berth/engine/run.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

void add_generate_systemd(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::GenerateSystemdOptions>());
  auto files = r.keep(std::make_shared<bool>(false));
  auto timeout = r.keep(std::make_shared<int>(-1));
  sub->add_flag("--new", o->recreate, "Create a new container instead of starting an existing one");
  sub->add_flag("-n,--name", o->use_name, "Use container names instead of IDs");
  sub->add_flag("-f,--files", *files, "Generate .service files instead of printing to stdout");
  sub->add_option("--restart-policy", o->restart_policy, "Systemd restart-policy (no, on-failure, always, unless-stopped)");
  sub->add_option("-t,--stop-timeout", *timeout, "Stop timeout override");
  sub->add_option("--container-prefix", o->prefix, "Systemd unit name prefix for containers");
  sub->add_option("--separator", o->separator, "Systemd unit name separator between name/id and prefix");
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

void add_quadlet(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto out = r.keep(std::make_shared<std::string>());
  auto user = r.keep(std::make_shared<bool>(false));
  sub->add_flag("--user", *user, "Read the user's unit directory (~/.config/containers/systemd)");
  sub->add_option("dir", *out, "Where to write the .service units")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    int n = TRY(engine::quadlet_generate(*out, *user, engine::berth_command(g.root, g.runroot)));
    fmt::print("{} unit(s) written to {}\n", n, *out);
    return 0;
  });
  sub->parse_complete_callback([&r]() { r.host_only = true; });
}

}  // namespace

int quadlet_generator_main(int argc, char** argv, bool user) {
  // systemd calls generators with (normal, early, late) directories; nothing may fail boot.
  if (argc < 2) {
    fmt::print(stderr, "berth-generator: usage: berth-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n");
    return 0;
  }
  auto n = engine::quadlet_generate(argv[1], user, engine::berth_command("", ""));
  if (!n) fmt::print(stderr, "berth-generator: {}\n", n.error().message);
  return 0;
}

void register_systemd_commands(CLI::App& app, Registry& r) {
  CLI::App* gen = r.sub(&app, "generate", "Generate structured data based on containers");
  gen->require_subcommand(1);
  add_generate_systemd(r, r.sub(gen, "systemd", "Generate systemd units"));
  CLI::App* sd = r.sub(&app, "systemd", "systemd integration");
  sd->require_subcommand(1);
  add_quadlet(r, r.sub(sd, "generate", "Turn *.container files (Quadlet) into systemd units"));
}

}  // namespace berth::cli

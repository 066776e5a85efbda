// Quadlet: systemd generate and the berth-generator entry point.
#include <fmt/format.h>

#include "berth/engine/quadlet.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_quadlet(CommandTable& r, CLI::App* sub) {
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

}  // namespace berth::cli

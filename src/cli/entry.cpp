// berth's entry: the global flags, the command the command line names (only its flags are
// defined: see CommandTable), the user namespace of a rootless berth, and the one place that
// prints "Error: ..." and picks the exit code: 125 for berth's own errors, 126 when the
// command cannot be invoked, 127 when it is not found, otherwise the container's status.
#include "entry.hpp"

#include <cstdlib>
#include <tuple>
#include <utility>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "berth/core/log.hpp"
#include "berth/engine/context.hpp"
#include "command_table.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

// The app and its command table are never destroyed: taking the tree of CLI11 apps apart at
// exit costs a command a fifth of its start-up, and the process ends right after anyway.
std::pair<CLI::App*, CommandTable*> define(int argc, char** argv, bool all, std::string& log_level, bool& version) {
  auto* app = new CLI::App{"berth: manage containers and images, daemonless", "berth"};
  auto* reg = new CommandTable;
  reg->scan(argc, argv);
  if (all) reg->all = true;
  app->require_subcommand(1);
  app->set_help_all_flag("--help-all", "Show help for all subcommands");
  app->add_option("--root", reg->globals.root, "Path to the root directory in which data is stored");
  app->add_option("--runroot", reg->globals.runroot,
                  "Path to the 'run directory' where all state information is stored");
  app->add_option("--log-level", log_level, "Log messages above specified level (debug, info, warn, error)");
  app->add_flag("-v,--version", version, "Version of berth");
  add_version(*reg, reg->sub(app, "version", "Display the berth version information"));
  register_commands(*app, *reg);
  return {app, reg};
}

// --log-level, else BERTH_LOG; false for a level that is none.
bool set_log_level(std::string level) {
  if (const char* env = std::getenv("BERTH_LOG"); env && level.empty()) level = env;
  if (level.empty()) return true;
  log::Level l;
  if (!log::parse_level(level, l)) {
    fmt::print(stderr, "Error: invalid log level \"{}\"\n", level);
    return false;
  }
  log::set_level(l);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Installed as a systemd generator (a symlink named berth-generator or berth-user-generator).
  std::string_view self = argv[0];
  self = self.substr(self.rfind('/') + 1);
  if (self == "berth-generator" || self == "berth-user-generator")
    return quadlet_generator_main(argc, argv, self == "berth-user-generator");
  // Before any command is defined: `berth --version` names none, which would define them all.
  if (argc >= 2 && (std::string_view(argv[1]) == "-v" || std::string_view(argv[1]) == "--version")) {
    fmt::print("berth version {}\n", BERTH_VERSION);
    return 0;
  }
  std::string log_level;
  bool version = false;
  auto [app_ptr, reg_ptr] = define(argc, argv, false, log_level, version);
  // A first word that names no command: everything is defined, for CLI11's own message.
  if (!reg_ptr->all && !reg_ptr->named_command_found())
    std::tie(app_ptr, reg_ptr) = define(argc, argv, true, log_level, version);
  CLI::App& app = *app_ptr;
  CommandTable& reg = *reg_ptr;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "Error: {}\n", e.what());
    return 125;
  }
  if (!set_log_level(log_level)) return 125;
  if (!reg.selected) {
    fmt::print(stderr, "Error: missing command\n");
    return 125;
  }
  // Rootless: a user namespace of its own, first thing, while single-threaded (exec joins
  // the container's later instead; login and logout need none: the user's own files).
  auto ns = reg.joins_container_userns ? engine::UserNamespace::join_later
            : reg.host_only            ? engine::UserNamespace::none
                                       : engine::UserNamespace::own;
  if (auto r = engine::enter_user_namespace(ns); !r) {
    fmt::print(stderr, "Error: {}\n", r.error().message);
    return 125;
  }
  auto result = reg.selected(reg.globals);
  std::fflush(stdout);
  if (!result) {
    fmt::print(stderr, "Error: {}\n", result.error().message);
    return exit_code(result.error().code);
  }
  return *result;
}

}  // namespace berth::cli

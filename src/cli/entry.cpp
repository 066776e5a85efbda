// berth's entry: the global flags, the command the command line names (only its flags are
// defined: see CommandTable), the user namespace of a rootless berth, and the one place that
// prints "Error: ..." and picks the exit code: 125 for berth's own errors, 126 when the
// command cannot be invoked, 127 when it is not found, otherwise the container's status.
#include "entry.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <tuple>
#include <utility>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "berth/core/log.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/context.hpp"
#include "command_table.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

// The app and its command table are never destroyed: taking the tree of CLI11 apps apart at
// exit costs a command a fifth of its start-up, and the process ends right after anyway.
// Podman's global flags that name choices berth makes one way (its store is overlay layers,
// its runtime its own, its events a file): accepted so that scripts run, with an info line.
struct Globals {
  std::string log_level;
  bool version = false;
  bool noout = false;
  std::string storage_driver, events_backend, cgroup_manager, runtime, config;
  std::vector<std::string> storage_opts, runtime_flags, ignored;
};

void add_compat_globals(CLI::App* app, Globals& g) {
  app->add_flag("--noout", g.noout, "Do not print to stdout");
  app->add_option("--storage-driver", g.storage_driver, "Storage driver (berth's store is overlay layers)");
  app->add_option("--storage-opt", g.storage_opts, "Storage driver option (ignored)");
  app->add_option("--events-backend", g.events_backend, "Events backend: file, journald or none")
      ->check(CLI::IsMember({"file", "journald", "none"}));
  app->add_option("--cgroup-manager", g.cgroup_manager, "Cgroup manager: cgroupfs or systemd")
      ->check(CLI::IsMember({"cgroupfs", "systemd"}));
  app->add_option("--runtime", g.runtime, "OCI runtime (berth runs containers itself)");
  app->add_option("--runtime-flag", g.runtime_flags, "Flag for the OCI runtime (ignored)");
  app->add_option("--config", g.config, "Docker's config directory (ignored)");
  for (const char* name :
       {"--tmpdir", "--conmon", "--network-cmd-path", "--hooks-dir", "--network-config-dir", "--volumepath"})
    app->add_option(name, g.ignored, "Podman's, accepted and ignored")->group("");
}

void report_compat_globals(const Globals& g) {
  if (!g.config.empty()) log::warn("The --config flag is ignored by berth. Exists for Docker compatibility");
  if (!g.storage_driver.empty() && g.storage_driver != "overlay")
    log::info("--storage-driver {}: berth's store always uses overlay layers", g.storage_driver);
  if (!g.runtime.empty()) log::info("--runtime {}: berth runs containers itself", g.runtime);
  if (g.noout) {
    int fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) ::dup3(fd, 1, 0), ::close(fd);
  }
}

std::pair<CLI::App*, CommandTable*> define(int argc, char** argv, bool all, Globals& g) {
  auto* app = new CLI::App{"berth: manage containers and images, daemonless", "berth"};
  auto* reg = new CommandTable;
  reg->scan(argc, argv);
  if (all) reg->all = true;
  app->require_subcommand(1);
  app->set_help_all_flag("--help-all", "Show help for all subcommands");
  app->add_option("--root", reg->globals.root, "Path to the root directory in which data is stored");
  app->add_option("--runroot", reg->globals.runroot,
                  "Path to the 'run directory' where all state information is stored");
  app->add_option("--log-level", g.log_level, "Log messages above specified level (debug, info, warn, error)");
  app->add_flag("-v,--version", g.version, "Version of berth");
  add_compat_globals(app, g);
  add_version(*reg, reg->sub(app, "version", "Display the berth version information"));
  register_commands(*app, *reg);
  return {app, reg};
}

// pflag keeps the last of a repeated single-value flag (`--name a --name b` names b); CLI11
// would refuse it.
void take_last_everywhere(CLI::App* app) {
  for (CLI::Option* o : app->get_options({}))
    if (o->get_items_expected_max() == 1 && o->get_multi_option_policy() == CLI::MultiOptionPolicy::Throw)
      o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  for (CLI::App* s : app->get_subcommands({})) take_last_everywhere(s);
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

// The command words of the command line (global flags and their values skipped), up to the
// first flag after the first word; whether it asks for help.
std::vector<std::string> command_words(int argc, char** argv, bool& help) {
  std::vector<std::string> words;
  for (int i = 1; i < argc && words.size() < 3; i++) {
    std::string_view a = argv[i];
    if (global_takes_value(a)) {
      i++;
      continue;
    }
    if (a == "-h" || a == "--help" || a == "--help-all") help = true;
    if (a.starts_with('-')) {
      if (!words.empty()) break;
      continue;
    }
    words.emplace_back(a);
  }
  return words;
}

CLI::App* find_sub(CLI::App* parent, const std::string& name) {
  for (CLI::App* s : parent->get_subcommands({}))
    if (s->check_name(name)) return s;
  return nullptr;
}

// Podman's text for a command word that names nothing (cobra's suggestions: a prefix, or at
// most two edits away).
int unrecognized(CLI::App* parent, const std::string& path, const std::string& word) {
  std::vector<std::string> near;
  for (const CLI::App* s : parent->get_subcommands({})) {
    const std::string& n = s->get_name();
    if (n.empty() || n.starts_with("__")) continue;
    if (edit_distance(word, n) <= 2 || (n.starts_with(word) && !word.empty())) near.push_back(n);
  }
  std::string hint;
  if (!near.empty()) hint = "\nDid you mean this?\n\t" + fmt::format("{}", fmt::join(near, "\n\t")) + "\n\n";
  fmt::print(stderr, "Error: unrecognized command `{} {}`\n{}Try '{} --help' for more information\n", path, word,
             hint.empty() ? "" : "\n" + hint.substr(1), path);
  return 125;
}

// A missing or unknown command word, and `help [COMMAND...]`: nullopt when the command line
// names a command CLI11 can parse.
std::optional<int> check_words(int argc, char** argv, CLI::App*& app, CommandTable*& reg, Globals& g) {
  bool help = false;
  auto words = command_words(argc, argv, help);
  auto all = [&] { std::tie(app, reg) = define(argc, argv, true, g); };
  if (words.empty()) {
    if (help) return std::nullopt;
    fmt::print(stderr, "Error: missing command 'berth COMMAND'\nTry 'berth --help' for more information\n");
    return 125;
  }
  if (words[0] == "help") {
    all();
    CLI::App* at = app;
    std::string path = "berth";
    for (size_t i = 1; i < words.size(); i++) {
      CLI::App* next = find_sub(at, words[i]);
      if (!next) return unrecognized(at, path, words[i]);
      at = next;
      path += " " + words[i];
    }
    fmt::print("{}", at->help());
    return 0;
  }
  if (!reg->named_command_found()) {
    all();
    return unrecognized(app, "berth", words[0]);
  }
  CLI::App* top = find_sub(app, words[0]);
  if (!top || top->get_require_subcommand_min() == 0 || help) return std::nullopt;  // not a group
  if (words.size() < 2) {
    fmt::print(stderr, "Error: missing command 'berth {0} COMMAND'\nTry 'berth {0} --help' for more information\n",
               words[0]);
    return 125;
  }
  if (find_sub(top, words[1])) return std::nullopt;
  all();
  return unrecognized(find_sub(app, words[0]), "berth " + words[0], words[1]);
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
  Globals g;
  auto [app_ptr, reg_ptr] = define(argc, argv, false, g);
  if (auto code = check_words(argc, argv, app_ptr, reg_ptr, g)) return *code;
  CLI::App& app = *app_ptr;
  CommandTable& reg = *reg_ptr;
  take_last_everywhere(&app);
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
  if (!set_log_level(g.log_level)) return 125;
  report_compat_globals(g);
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

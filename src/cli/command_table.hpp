// The command table: which berth command the command line names, its flags (defined only for
// that command) and the action to run. (Not a registry: that word means a container registry.)
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "berth/core/error.hpp"
#include "berth/engine/context.hpp"

namespace berth::cli {

// What a parsed subcommand runs; returns the process exit code.
using Action = std::function<Result<int>(engine::GlobalOptions&)>;

// Whether a global flag (before the command word) takes a value: the word after it is not a command.
bool global_takes_value(std::string_view flag);

struct CommandTable {
  Action selected;
  engine::GlobalOptions globals;
  // Rootless: do not create a user namespace first; the command joins a container's (exec).
  bool joins_container_userns = false;
  // Rootless: no user namespace at all (login, logout touch only the user's own files).
  bool host_only = false;
  // Flag variables live as long as the app: CLI11 writes into them during parse, whether or
  // not the command's action ever reads them.
  template <class T>
  std::shared_ptr<T> keep(std::shared_ptr<T> p) {
    storage.push_back(p);
    return p;
  }
  std::vector<std::shared_ptr<void>> storage;
  // Registers the action to run when `sub` was the command given.
  void on(CLI::App* sub, Action a);
  // Only the command named on the command line gets its flags defined (building all of them
  // costs more than some commands' whole work); every command is still known by name.
  // scan() reads the command words from argv; with --help-all or no command, all are wanted.
  void scan(int argc, char** argv);
  bool wanted(const CLI::App* sub) const;
  // The subcommand `name` (or one of `aliases`) of `parent`, created only when the command
  // line can be asking for it: it names it, or names its group and no member (the group's
  // help and errors list its members), or all are wanted. Otherwise a detached placeholder
  // that wanted() refuses: constructing ~90 CLI11 apps at every start cost more than half of
  // a command's start-up. `group` finds a group made earlier (or the placeholder).
  CLI::App* sub(CLI::App* parent, const std::string& name, const std::string& description,
                std::initializer_list<const char*> aliases = {});
  CLI::App* group(const std::string& name);
  // Whether the command line's first word made a top-level command (else, an unknown word:
  // main registers everything again, for CLI11's own error).
  bool named_command_found() const { return top_created_ > 0; }
  std::vector<std::string> words;
  bool all = true;
  std::vector<std::string> command_line;  // the whole command line (generate systemd --new replays it)

 private:
  std::unique_ptr<CLI::App> placeholder_ = std::make_unique<CLI::App>();
  std::map<std::string, CLI::App*> groups_;
  int top_created_ = 0;
};

// Defines every command (the ones the command line names, with their flags) in `app`.
void register_commands(CLI::App& app, CommandTable& t);

// berth called as berth-generator / berth-user-generator (a systemd generator).
int quadlet_generator_main(int argc, char** argv, bool user);

}  // namespace berth::cli

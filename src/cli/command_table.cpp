// The command table: see command_table.hpp.
#include "command_table.hpp"

#include <algorithm>
#include <string_view>

namespace berth::cli {

void CommandTable::on(CLI::App* sub, Action a) {
  sub->callback([this, sub, a = std::move(a)]() {
    (void)sub;
    selected = a;
  });
}

bool global_takes_value(std::string_view flag) {
  static constexpr std::string_view names[] = {
      "--root",           "--runroot",        "--log-level",        "--storage-driver", "--storage-opt",
      "--events-backend", "--cgroup-manager", "--runtime",          "--runtime-flag",   "--config",
      "--tmpdir",         "--conmon",         "--network-cmd-path", "--hooks-dir",      "--network-config-dir",
      "--volumepath"};
  return std::ranges::find(names, flag) != std::end(names);
}

void CommandTable::scan(int argc, char** argv) {
  command_line.assign(argv, argv + argc);
  words.clear();
  all = false;
  for (int i = 1; i < argc && words.size() < 2; i++) {
    std::string_view a = argv[i];
    if (a == "--help-all") all = true;
    if (global_takes_value(a)) {
      i++;
      continue;
    }
    if (a.starts_with('-')) {
      if (!words.empty()) break;  // the command's own flags: its sub-word, if any, came first
      continue;
    }
    words.emplace_back(a);
  }
  if (words.empty()) all = true;
}

CLI::App* CommandTable::sub(CLI::App* parent, const std::string& name, const std::string& description,
                            std::initializer_list<const char*> aliases) {
  if (parent == placeholder_.get()) return parent;
  auto named = [&](size_t i) {
    if (words.size() <= i) return false;
    if (words[i] == name) return true;
    for (const char* a : aliases)
      if (words[i] == a) return true;
    return false;
  };
  bool top = parent->get_parent() == nullptr;
  if (!all && (top ? !named(0) : words.size() > 1 && !named(1))) return placeholder_.get();
  CLI::App* s = parent->add_subcommand(name, description);
  for (const char* a : aliases) s->alias(a);
  if (top) {
    top_created_++;
    groups_[name] = s;
  }
  return s;
}

CLI::App* CommandTable::group(const std::string& name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? placeholder_.get() : it->second;
}

bool CommandTable::wanted(const CLI::App* sub) const {
  if (sub == placeholder_.get()) return false;
  if (all) return true;
  const CLI::App* parent = sub->get_parent();
  if (parent == nullptr || parent->get_parent() == nullptr) return sub->check_name(words[0]);
  return words.size() > 1 && parent->check_name(words[0]) && sub->check_name(words[1]);
}

}  // namespace berth::cli

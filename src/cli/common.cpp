#include "common.hpp"

#include <fmt/format.h>

#include "berth/core/template.hpp"

namespace berth::cli {

void Registry::on(CLI::App* sub, Action a) {
  sub->callback([this, sub, a = std::move(a)]() {
    (void)sub;
    selected = a;
  });
}

void Registry::scan(int argc, char** argv) {
  command_line.assign(argv, argv + argc);
  words.clear();
  all = false;
  for (int i = 1; i < argc && words.size() < 2; i++) {
    std::string_view a = argv[i];
    if (a == "--help-all") all = true;
    if (a == "--root" || a == "--runroot" || a == "--log-level") {
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

CLI::App* Registry::sub(CLI::App* parent, const std::string& name, const std::string& description,
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

CLI::App* Registry::group(const std::string& name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? placeholder_.get() : it->second;
}

bool Registry::wanted(const CLI::App* sub) const {
  if (sub == placeholder_.get()) return false;
  if (all) return true;
  const CLI::App* parent = sub->get_parent();
  if (parent == nullptr || parent->get_parent() == nullptr) return sub->check_name(words[0]);
  return words.size() > 1 && parent->check_name(words[0]) && sub->check_name(words[1]);
}

Result<void> print_rows(const std::vector<Json>& rows, const Json& json_rows, const std::string& format,
                        const std::string& default_table, const Json& titles) {
  if (format == "json") {
    fmt::print("{}\n", dump_json(json_rows, 4));
    return {};
  }
  auto t = TRY(Template::parse(format.empty() ? default_table : format));
  std::string out;
  if (t.is_table()) out += t.header(titles) + "\n";
  for (const auto& r : rows) out += t.render(r) + "\n";
  fmt::print("{}", t.is_table() ? tabulate(out.substr(0, out.size() - 1)) : out);
  return {};
}

int report_item_errors(const std::vector<Error>& errors) {
  int code = 0;
  for (const auto& e : errors) {
    fmt::print(stderr, "Error: {}\n", e.message);
    int c = e.code == Errc::not_found ? 1 : e.code == Errc::conflict ? 2 : 125;
    if (code == 0 || c > code) code = c;
  }
  return code;
}

}  // namespace berth::cli

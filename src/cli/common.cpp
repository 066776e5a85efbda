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

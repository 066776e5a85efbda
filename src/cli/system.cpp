// system df.
#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/engine/check.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_df(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("--format", *format, "Pretty-print with a Go template or json");
  r.on(sub, [format](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    for (const auto& d : TRY(engine::system_df(c))) {
      int pct = d.size ? static_cast<int>(100.0 * static_cast<double>(d.reclaimable) / static_cast<double>(d.size)) : 0;
      rows.push_back({{"Type", d.type},
                      {"Total", d.total},
                      {"Active", d.active},
                      {"Size", human_size(static_cast<double>(d.size))},
                      {"Reclaimable", fmt::format("{} ({}%)", human_size(static_cast<double>(d.reclaimable)), pct)}});
      json_rows.push_back(
          {{"Type", d.type},
           {"Total", d.total},
           {"Active", d.active},
           {"RawSize", d.size},
           {"RawReclaimable", d.reclaimable},
           {"Size", human_size(static_cast<double>(d.size))},
           {"Reclaimable", fmt::format("{} ({}%)", human_size(static_cast<double>(d.reclaimable)), pct)}});
    }
    TRY(print_rows(rows, json_rows, *format, "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
                   Json::object()));
    return 0;
  });
}

void add_system_check(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  // As the user, before any user namespace: that is what it checks.
  sub->parse_complete_callback([&r]() { r.host_only = true; });
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("--format", *format, "Output format: json");
  r.on(sub, [format](engine::GlobalOptions& g) -> Result<int> {
    if (!format->empty() && *format != "json") return fail(Errc::usage, "invalid --format \"{}\": use json", *format);
    auto results = engine::system_check(g);
    bool failed = false;
    Json out = Json::array();
    for (const auto& c : results) {
      failed |= c.status == "FAIL";
      out.push_back({{"Check", c.name}, {"Status", c.status}, {"Detail", c.detail}, {"Fix", c.fix}});
      if (!format->empty()) continue;
      fmt::print("{:<5} {}: {}\n", c.status, c.name, c.detail);
      if (!c.fix.empty()) fmt::print("      fix: {}\n", c.fix);
    }
    if (!format->empty()) fmt::print("{}\n", out.dump(4));
    return failed ? 1 : 0;
  });
}

}  // namespace berth::cli

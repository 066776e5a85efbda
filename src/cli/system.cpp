// system df, system check, system prune.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>

#include "berth/core/humanize.hpp"
#include "berth/engine/check.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/network.hpp"
#include "berth/engine/pod.hpp"
#include "berth/engine/volume.hpp"
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

namespace berth::cli {

namespace {

void print_section(const char* title, const std::vector<std::string>& items) {
  if (items.empty()) return;
  fmt::print("{}\n", title);
  for (const auto& i : items) fmt::print("{}\n", i);
}

std::uint64_t used_bytes(engine::Context& c) {
  std::uint64_t n = 0;
  if (auto rows = engine::system_df(c))
    for (const auto& r : *rows) n += r.size;
  return n;
}

}  // namespace

// system prune: stopped pods and containers, unused networks, dangling (-a: unused) images,
// and with --volumes unused volumes; podman's sections and its "Total reclaimed space".
void add_system_prune(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto all = r.keep(std::make_shared<bool>(false));
  auto force = r.keep(std::make_shared<bool>(false));
  auto volumes = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--all", *all, "Remove all unused images, not just dangling ones");
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  sub->add_flag("--volumes", *volumes, "Prune volumes");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (!*force &&
        !confirm(fmt::format(
            "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at "
            "least one container\n{}\t- all {}images\n\t- all pods without running containers\n\n",
            *volumes ? "\t- all volumes not used by at least one container\n" : "", *all ? "unused " : "dangling ")))
      return 0;
    auto c = TRY(engine::open_context(g));
    std::uint64_t before = used_bytes(c);
    print_section("Deleted Pods", TRY(engine::pod_prune(c)));
    print_section("Deleted Containers", TRY(engine::prune_containers(c)));
    print_section("Deleted Networks", TRY(engine::network_prune(c)));
    if (*volumes) print_section("Deleted Volumes", TRY(engine::volume_prune(c, {})));
    std::vector<std::string> images;
    for (const auto& d : TRY(engine::prune_images(c, *all))) images.push_back(std::string(d.hex()));
    print_section("Deleted Images", images);
    std::uint64_t after = used_bytes(c);
    fmt::print("Total reclaimed space: {}\n", human_size(static_cast<double>(before > after ? before - after : 0)));
    return 0;
  });
}

}  // namespace berth::cli

// ps, container list.
#include <ctime>
#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

std::string status_text(const engine::ContainerSummary& s) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  if (s.status == "running")
    return "Up " + human_duration(now - s.started) + (s.health.empty() ? "" : " (" + s.health + ")");
  if (s.status == "exited")
    return fmt::format("{} ({}) {} ago", s.restarting ? "Restarting" : "Exited", s.exit_code,
                       human_duration(now - s.finished));
  if (s.status == "paused") return "Paused";
  return "Created";
}

}  // namespace

void add_ps(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto all = r.keep(std::make_shared<bool>(false));
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto no_trunc = r.keep(std::make_shared<bool>(false));
  auto latest = r.keep(std::make_shared<bool>(false));
  auto last = r.keep(std::make_shared<int>(-1));
  auto format = r.keep(std::make_shared<std::string>());
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  auto size = r.keep(std::make_shared<bool>(false));
  auto pod = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-p,--pod", *pod, "Print the ID and name of the pod the containers are associated with");
  sub->add_option("-f,--filter", *filters, "Filter output based on conditions given")->allow_extra_args(false);
  sub->add_flag("-s,--size", *size, "Display the total file sizes");
  sub->add_flag("-a,--all", *all, "Show all the containers, default is only running containers");
  sub->add_flag("-q,--quiet", *quiet, "Print the numeric IDs of the containers only");
  sub->add_flag("--no-trunc", *no_trunc, "Display the extended information");
  sub->add_flag("-l,--latest", *latest, "Act on the latest container berth is aware of");
  sub->add_option("-n,--last", *last, "Print the n last created containers (all states)");
  sub->add_option("--format", *format, "Pretty-print containers to JSON or using a Go template");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto list = TRY(engine::list_containers(c, {*all || *latest || *last >= 0, *size, *filters}));
    if (*latest && list.size() > 1) list.resize(1);
    if (*last >= 0 && list.size() > static_cast<size_t>(*last)) list.resize(static_cast<size_t>(*last));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    for (const auto& s : list) {
      std::string id = *no_trunc ? s.id : s.id.substr(0, 12);
      if (*quiet) {
        fmt::print("{}\n", id);
        continue;
      }
      std::string cmd;
      for (const auto& a : s.command) cmd += (cmd.empty() ? "" : " ") + a;
      if (!*no_trunc && cmd.size() > 17) cmd = cmd.substr(0, 17) + "...";  // as podman's column
      rows.push_back({{"ID", id},
                      {"Image", s.image},
                      {"Command", cmd},
                      {"CreatedAt", created_at(s.created)},
                      {"Created", human_duration(now - s.created) + " ago"},
                      {"Status", status_text(s)},
                      {"Names", s.name},
                      {"State", s.status},
                      {"Ports", s.ports},
                      {"Pid", s.pid},
                      {"Labels", s.labels},
                      {"ExitCode", s.exit_code},
                      {"Pod", *no_trunc ? s.pod : s.pod.substr(0, 12)},
                      {"PodName", s.pod_name},
                      {"Size", fmt::format("{} (virtual {})", human_size(static_cast<double>(s.size)),
                                           human_size(static_cast<double>(s.virtual_size)))}});
      json_rows.push_back({{"Id", s.id},
                           {"Image", s.image},
                           {"Command", s.command},
                           {"Created", s.created},
                           {"State", s.status},
                           {"Status", status_text(s)},
                           {"Names", Json::array({s.name})},
                           {"ExitCode", s.exit_code},
                           {"Exited", s.status == "exited"},
                           {"Pid", s.pid},
                           {"StartedAt", s.started},
                           {"ExitedAt", s.finished},
                           {"Labels", s.labels},
                           {"Pod", s.pod}});
    }
    if (*quiet) return 0;
    std::string table = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    if (*size) table += "\t{{.Size}}";
    if (*pod) table += "\t{{.Pod}}\t{{.PodName}}";
    TRY(print_rows(rows, json_rows, *format, table,
                   {{"ID", "CONTAINER ID"}, {"Created", "CREATED"}, {"Pod", "POD ID"}, {"PodName", "PODNAME"}}));
    return 0;
  });
}

}  // namespace berth::cli

// ps, container list.
#include <algorithm>
#include <ctime>
#include <functional>
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

// ps --sort: podman's keys, each ascending (created and runningfor: the oldest first); without
// --sort, the newest first.
Result<void> sort_containers(std::vector<engine::ContainerSummary>& list, const std::string& key) {
  using S = engine::ContainerSummary;
  std::function<bool(const S&, const S&)> less;
  if (key.empty()) return {};  // the store's order: newest first
  if (key == "created")
    less = [](const S& a, const S& b) { return a.created_ns < b.created_ns; };
  else if (key == "runningfor")
    less = [](const S& a, const S& b) { return a.started < b.started; };
  else if (key == "id")
    less = [](const S& a, const S& b) { return a.id < b.id; };
  else if (key == "image")
    less = [](const S& a, const S& b) { return a.image < b.image; };
  else if (key == "names")
    less = [](const S& a, const S& b) { return a.name < b.name; };
  else if (key == "status")
    less = [](const S& a, const S& b) { return a.status < b.status; };
  else if (key == "size")
    less = [](const S& a, const S& b) { return a.size < b.size; };
  else if (key == "command")
    less = [](const S& a, const S& b) { return a.command < b.command; };
  else
    return fail(Errc::usage,
                "invalid option for --sort, options are: command, created, id, image, names, runningfor, "
                "size, or status");
  std::ranges::stable_sort(list, less);
  return {};
}

struct PsFlags {
  bool all = false, quiet = false, no_trunc = false, latest = false, size = false, pod = false, external = false,
       noheading = false;
  int last = -1;
  std::string format, sort;
  std::vector<std::string> filters;
};

Json table_row(const engine::ContainerSummary& s, bool no_trunc, std::int64_t now) {
  std::string cmd;
  for (const auto& a : s.command) cmd += (cmd.empty() ? "" : " ") + a;
  if (!no_trunc && cmd.size() > 17) cmd = cmd.substr(0, 17) + "...";  // as podman's column
  return {{"ID", no_trunc ? s.id : s.id.substr(0, 12)},
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
          {"Pod", no_trunc ? s.pod : s.pod.substr(0, 12)},
          {"PodName", s.pod_name},
          {"Size", fmt::format("{} (virtual {})", human_size(static_cast<double>(s.size)),
                               human_size(static_cast<double>(s.virtual_size)))}};
}

Json json_row(const engine::ContainerSummary& s) {
  return {{"Id", s.id},
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
          {"Pod", s.pod}};
}

Result<int> ps(engine::GlobalOptions& g, const PsFlags& f) {
  auto c = TRY(engine::open_context(g));
  auto list = TRY(engine::list_containers(c, {f.all || f.external || f.latest || f.last >= 0, f.size, f.filters}));
  if (f.latest && list.size() > 1) list.resize(1);
  if (f.last >= 0 && list.size() > static_cast<size_t>(f.last)) list.resize(static_cast<size_t>(f.last));
  TRY(sort_containers(list, f.sort));
  if (f.quiet) {
    for (const auto& s : list) fmt::print("{}\n", f.no_trunc ? s.id : s.id.substr(0, 12));
    return 0;
  }
  std::vector<Json> rows;
  Json json_rows = Json::array();
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& s : list) {
    rows.push_back(table_row(s, f.no_trunc, now));
    json_rows.push_back(json_row(s));
  }
  std::string table = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  if (f.size) table += "\t{{.Size}}";
  if (f.pod) table += "\t{{.Pod}}\t{{.PodName}}";
  TRY(print_rows(rows, json_rows, f.format, table,
                 {{"ID", "CONTAINER ID"}, {"Created", "CREATED"}, {"Pod", "POD ID"}, {"PodName", "PODNAME"}},
                 f.noheading));
  return 0;
}

}  // namespace

void add_ps(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto f = r.keep(std::make_shared<PsFlags>());
  sub->add_flag("-p,--pod", f->pod, "Print the ID and name of the pod the containers are associated with");
  sub->add_option("-f,--filter", f->filters, "Filter output based on conditions given")->allow_extra_args(false);
  sub->add_flag("-s,--size", f->size, "Display the total file sizes");
  sub->add_flag("-a,--all", f->all, "Show all the containers, default is only running containers");
  sub->add_flag("-q,--quiet", f->quiet, "Print the numeric IDs of the containers only");
  sub->add_flag("--no-trunc", f->no_trunc, "Display the extended information");
  sub->add_flag("--noheading", f->noheading, "Do not print headers");
  sub->add_option("--sort", f->sort, "Sort output by: command, created, id, image, names, runningfor, size, status");
  sub->add_flag("--external", f->external, "Show containers in storage not controlled by berth (none: as --all)");
  sub->add_flag("-l,--latest", f->latest, "Act on the latest container berth is aware of");
  sub->add_option("-n,--last", f->last, "Print the n last created containers (all states)");
  sub->add_option("--format", f->format, "Pretty-print containers to JSON or using a Go template");
  r.on(sub, [f](engine::GlobalOptions& g) { return ps(g, *f); });
}

}  // namespace berth::cli

// pod create/ps/inspect/start/stop/kill/restart/pause/unpause/rm/prune/exists.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <strings.h>

#include <ctime>

#include "berth/core/humanize.hpp"
#include "berth/core/strings.hpp"
#include "berth/core/template.hpp"
#include "berth/engine/pod.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

void add_pod_create(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::PodCreateOptions>());
  auto infra = r.keep(std::make_shared<std::string>("true"));
  sub->add_option("name", o->name, "Pod name");
  sub->add_option("-n,--name", o->name, "Assign a name to the pod");
  sub->add_option("-l,--label", o->labels, "Set metadata on the pod (key=value)")->allow_extra_args(false);
  sub->add_option("--share", o->share,
                  "Namespaces to share: net, uts, ipc, pid; +pid adds to the default ipc,net,uts; none");
  sub->add_option("--infra", *infra, "Create an infra container for the pod (true or false)");
  sub->add_option("--infra-name", o->infra_name, "Name of the infra container");
  sub->add_option("--exit-policy", o->exit_policy, "Behaviour when the last container exits (continue, stop)");
  sub->add_flag("--replace", o->replace, "If a pod with the same name exists, replace it");
  sub->add_option("--hostname", o->net.hostname, "Set the pod's hostname");
  sub->add_option("--network,--net", o->net.network, "Network mode of the pod (as run --network)");
  sub->add_option("-p,--publish", o->net.publish, "Publish a port of the pod to the host ([IP:][HOST:]CTR[/PROTO])")
      ->allow_extra_args(false);
  sub->add_option("--add-host", o->net.add_host, "Add a custom host-to-IP mapping (host:ip)")->allow_extra_args(false);
  sub->add_option("--dns", o->net.dns, "Set custom DNS servers")->allow_extra_args(false);
  r.on(sub, [o, infra, sub](engine::GlobalOptions& g) -> Result<int> {
    if (*infra != "true" && *infra != "false")
      return fail(Errc::usage, "invalid --infra \"{}\": true or false", *infra);
    if (!sub->count("--network")) o->net.network = "";  // berth's default (run's): see default_network_mode
    o->infra = *infra == "true";
    auto c = TRY(engine::open_context(g));
    fmt::print("{}\n", TRY(engine::pod_create(c, *o)).id);
    return 0;
  });
}

Json pod_row(const engine::PodRow& r, bool no_trunc) {
  std::vector<std::string> names, statuses;
  for (const auto& c : r.containers) {
    names.push_back(c.config.name);
    statuses.push_back(c.state.shown_status());
  }
  return {{"ID", no_trunc ? r.pod.id : r.pod.id.substr(0, 12)},
          {"Name", r.pod.name},
          {"Status", r.status},
          {"Created", human_duration(std::time(nullptr) - r.pod.created / 1000000000) + " ago"},
          {"InfraID", no_trunc ? r.pod.infra_id : r.pod.infra_id.substr(0, 12)},
          {"NumberOfContainers", r.containers.size()},
          {"Labels", r.pod.labels},
          {"ContainerNames", fmt::format("{}", fmt::join(names, ","))},
          {"ContainerStatuses", fmt::format("{}", fmt::join(statuses, ","))}};
}

bool pod_matches(const engine::PodRow& r, const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    auto eq = f.find('=');
    std::string k = f.substr(0, eq), v = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (k == "name" && r.pod.name.find(v) == std::string::npos) return false;
    if (k == "id" && !r.pod.id.starts_with(v)) return false;
    if (k == "status" && ::strcasecmp(r.status.c_str(), v.c_str()) != 0) return false;
    if (k == "label" && !label_matches(r.pod.labels, v)) return false;
  }
  return true;
}

void add_pod_ps(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto noheading = r.keep(std::make_shared<bool>(false));
  auto no_trunc = r.keep(std::make_shared<bool>(false));
  auto names = r.keep(std::make_shared<bool>(false));
  auto statuses = r.keep(std::make_shared<bool>(false));
  auto format = r.keep(std::make_shared<std::string>());
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_flag("-q,--quiet", *quiet, "Print the numeric IDs of the pods only");
  sub->add_flag("--noheading", *noheading, "Do not print headers");
  sub->add_flag("--no-trunc", *no_trunc, "Do not truncate pod and container IDs");
  sub->add_flag("--ctr-names", *names, "Display the container names");
  sub->add_flag("--ctr-status", *statuses, "Display the container status");
  sub->add_option("--format", *format, "Pretty-print pods to JSON or using a Go template");
  sub->add_option("-f,--filter", *filters, "Filter output based on conditions given (name=, id=, status=, label=)")
      ->allow_extra_args(false);
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    for (const auto& f : *filters) {
      std::string k = f.substr(0, f.find('='));
      if (k != "name" && k != "id" && k != "status" && k != "label")
        return fail(Errc::usage, "invalid filter \"{}\": use name=, id=, status= or label=", f);
    }
    auto c = TRY(engine::open_context(g));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    for (const auto& p : TRY(engine::pod_list(c))) {
      if (!pod_matches(p, *filters)) continue;
      if (*quiet) {
        fmt::print("{}\n", *no_trunc ? p.pod.id : p.pod.id.substr(0, 12));
        continue;
      }
      rows.push_back(pod_row(p, *no_trunc));
      json_rows.push_back(Json::parse(engine::pod_json(p).dump()));
    }
    if (*quiet) return 0;
    std::string cols = "{{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}\t{{.NumberOfContainers}}";
    if (*names) cols += "\t{{.ContainerNames}}";
    if (*statuses) cols += "\t{{.ContainerStatuses}}";
    std::string fmt_ = *format;
    if (*noheading && fmt_.empty()) fmt_ = cols;
    TRY(print_rows(rows, json_rows, fmt_, "table " + cols,
                   {{"ID", "POD ID"},
                    {"Name", "NAME"},
                    {"Status", "STATUS"},
                    {"Created", "CREATED"},
                    {"InfraID", "INFRA ID"},
                    {"NumberOfContainers", "# OF CONTAINERS"},
                    {"ContainerNames", "NAMES"},
                    {"ContainerStatuses", "STATUS"}}));
    return 0;
  });
}

void add_pod_inspect(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("pod", *names, "Pods")->required();
  sub->add_option("-f,--format", *format, "Format the output to JSON or using a Go template");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    OrderedJson ordered = OrderedJson::array();
    std::vector<Json> rows;
    Json all = Json::array();
    std::vector<Error> errors;
    for (const auto& k : *names) {
      auto p = engine::pod_find(c, k);
      if (!p) {
        errors.push_back(p.error());
        continue;
      }
      ordered.push_back(engine::pod_json(*p));
      rows.push_back(Json::parse(ordered.back().dump()));
      all.push_back(rows.back());
    }
    if (format->empty() || *format == "json")
      fmt::print("{}\n", ordered.size() == 1 ? ordered[0].dump(4) : ordered.dump(4));
    else
      TRY(print_rows(rows, all, *format, "", Json::object()));
    std::fflush(stdout);
    for (const auto& e : errors) fmt::print(stderr, "Error: {}\n", e.message);
    return errors.empty() ? 0 : 125;
  });
}

enum class Verb { start, stop, kill, restart, rm, pause, unpause };

void add_pod_verb(CommandTable& r, CLI::App* sub, Verb verb) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  auto force = r.keep(std::make_shared<bool>(false));
  auto ignore = r.keep(std::make_shared<bool>(false));
  auto time = r.keep(std::make_shared<std::optional<int>>());
  auto signal = r.keep(std::make_shared<std::string>("KILL"));
  sub->add_option("pod", *names, "Pods");
  sub->add_flag("-a,--all", *all, "Act on all pods");
  if (verb == Verb::stop || verb == Verb::rm || verb == Verb::restart)
    sub->add_option("-t,--time", *time, "Seconds to wait for the containers to stop before killing them");
  if (verb == Verb::stop || verb == Verb::rm) sub->add_flag("-i,--ignore", *ignore, "Ignore pods that do not exist");
  if (verb == Verb::rm) sub->add_flag("-f,--force", *force, "Stop and remove the pod's running containers");
  if (verb == Verb::kill) sub->add_option("-s,--signal", *signal, "Signal to send to the containers (default KILL)");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (names->empty() && !*all) return fail(Errc::usage, "you must provide at least one pod name or id");
    if (verb == Verb::kill) TRY(engine::parse_signal(*signal));  // before any pod is looked up
    auto c = TRY(engine::open_context(g));
    engine::MultiReport rep;
    switch (verb) {
      case Verb::start: rep = TRY(engine::pod_start(c, *names, *all)); break;
      case Verb::stop: rep = TRY(engine::pod_stop(c, *names, *all, *time)); break;
      case Verb::kill: rep = TRY(engine::pod_kill(c, *names, *all, *signal)); break;
      case Verb::restart:
        TRY(engine::pod_stop(c, *names, *all, *time));
        rep = TRY(engine::pod_start(c, *names, *all));
        break;
      case Verb::rm: rep = TRY(engine::pod_rm(c, *names, *all, *force, time->value_or(10))); break;
      case Verb::pause: rep = TRY(engine::pod_pause(c, *names, *all, true)); break;
      case Verb::unpause: rep = TRY(engine::pod_pause(c, *names, *all, false)); break;
    }
    return print_report_ignoring(rep, *ignore, verb != Verb::rm);
  });
}

void add_pod_exists(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("pod", *name, "Pod")->required();
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto p = engine::pod_find(c, *name);
    if (!p && p.error().code == Errc::not_found) return 1;
    if (!p) return std::unexpected(p.error());
    return 0;
  });
}

void add_pod_prune(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  r.on(sub, [](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& id : TRY(engine::pod_prune(c))) fmt::print("{}\n", id);
    return 0;
  });
}

// pod top: the processes of every running container of the pod, the infra's first.
void add_pod_top(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto descriptors = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("pod", *name, "Pod")->required();
  sub->add_option("descriptors", *descriptors, "Format descriptors (pid,user,args,... as podman's)");
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [name, descriptors](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto pod = TRY(engine::pod_find(c, *name));
    std::string out;
    bool header = true;
    for (const auto& ctr : pod.containers) {
      if (!ctr.state.alive()) continue;
      auto rows = TRY(engine::container_top(c, ctr.id, *descriptors));
      for (size_t k = header ? 0 : 1; k < rows.size(); k++) {
        for (size_t i = 0; i < rows[k].size(); i++) out += (i ? "\t" : "") + rows[k][i];
        out += "\n";
      }
      header = false;
    }
    if (header) return fail(Errc::conflict, "pod {} is not running", pod.pod.name);
    fmt::print("{}", tabulate(out.substr(0, out.size() - 1)));
    return 0;
  });
}

// pod logs: each member's log in turn (the infra writes none); -c picks one container.
void add_pod_logs(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::LogsOptions>());
  auto pod = r.keep(std::make_shared<std::string>());
  auto only = r.keep(std::make_shared<std::string>());
  auto tail = r.keep(std::make_shared<long>(-1));
  sub->add_option("pod", *pod, "Pod")->required();
  sub->add_option("-c,--container", *only, "Show the logs of this container of the pod only");
  sub->add_flag("-f,--follow", o->follow, "Follow log output (one container: with -c, or a pod of one)");
  sub->add_flag("-t,--timestamps", o->timestamps, "Output the timestamps in the log");
  sub->add_option("--tail", *tail, "Output the specified number of lines at the end of each log (-1: all)");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*tail >= 0) o->tail = *tail;
    auto c = TRY(engine::open_context(g));
    auto p = TRY(engine::pod_find(c, *pod));
    std::vector<std::string> ids;
    for (const auto& ctr : p.containers)
      if (!ctr.config.is_infra && (only->empty() || ctr.config.name == *only || ctr.id.starts_with(*only)))
        ids.push_back(ctr.id);
    if (!only->empty() && ids.empty()) return fail(Errc::not_found, "container {} is not in pod {}", *only, p.pod.name);
    if (o->follow && ids.size() > 1)
      return fail(Errc::usage, "pod logs -f follows one container: name it with -c (the pod has {})", ids.size());
    for (const auto& id : ids) {
      engine::LogsOptions one = *o;
      one.containers = {id};
      TRY(engine::container_logs(c, one));
    }
    return 0;
  });
}

}  // namespace

void pod_commands(CLI::App& app, CommandTable& r) {
  CLI::App* pod = r.sub(&app, "pod", "Manage pods");
  add_pod_create(r, r.sub(pod, "create", "Create a new empty pod"));
  add_pod_ps(r, r.sub(pod, "ps", "List pods", {"ls", "list"}));
  add_pod_inspect(r, r.sub(pod, "inspect", "Display a pod configuration"));
  add_pod_verb(r, r.sub(pod, "start", "Start one or more pods"), Verb::start);
  add_pod_verb(r, r.sub(pod, "stop", "Stop one or more pods"), Verb::stop);
  add_pod_verb(r, r.sub(pod, "kill", "Send the specified signal or SIGKILL to containers in pod"), Verb::kill);
  add_pod_verb(r, r.sub(pod, "restart", "Restart one or more pods"), Verb::restart);
  add_pod_verb(r, r.sub(pod, "pause", "Pause one or more pods"), Verb::pause);
  add_pod_verb(r, r.sub(pod, "unpause", "Unpause one or more pods"), Verb::unpause);
  add_pod_stats(r, r.sub(pod, "stats",
                         "Display a live stream of resource usage statistics for the containers in one or more pods"));
  add_pod_verb(r, r.sub(pod, "rm", "Remove one or more stopped pods and containers", {"remove"}), Verb::rm);
  add_pod_exists(r, r.sub(pod, "exists", "Check if a pod exists in local storage"));
  add_pod_prune(r, r.sub(pod, "prune", "Remove all stopped pods and their containers"));
  add_pod_top(r, r.sub(pod, "top", "Display the running processes of containers in a pod"));
  add_pod_logs(r, r.sub(pod, "logs", "Fetch logs for pod with one or more containers"));
  pod->require_subcommand(1);
}

}  // namespace berth::cli

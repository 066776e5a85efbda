// Containers: run, create, start, ps, rm, stop, kill, wait, logs, container inspect, and the
// hidden __monitor.
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/core/template.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/run.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

constexpr const char* kUnset = "\x01";

// run/create flags, one function per group (STYLE.md 2.10).
void add_process_flags(CLI::App* sub, engine::RunOptions& o, std::shared_ptr<std::string> entrypoint) {
  sub->add_flag("-i,--interactive", o.interactive, "Keep STDIN open");
  sub->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY");
  sub->add_option("-e,--env", o.env, "Set environment variables in container")->allow_extra_args(false);
  sub->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
  sub->add_option("-u,--user", o.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  sub->add_option("--env-file", o.env_files, "Read in a file of environment variables")->allow_extra_args(false);
  sub->add_flag("--env-host", o.env_host, "Use all current host environment variables in container");
  sub->add_option("--group-add", o.group_add, "Add additional groups to the primary container process")->allow_extra_args(false);
  sub->add_option("--entrypoint", *entrypoint, "Overwrite the default ENTRYPOINT of the image");
}

void add_container_flags(CLI::App* sub, engine::RunOptions& o) {
  sub->add_flag("--rm", o.rm, "Remove container when it exits");
  sub->add_option("--name", o.name, "Assign a name to the container");
  sub->add_option("-h,--hostname", o.hostname, "Set container hostname");
  sub->add_option("-v,--volume", o.volumes, "Bind mount a volume (SRC:DST[:ro|rw])")->allow_extra_args(false);
  sub->add_option("-l,--label", o.labels, "Set metadata on the container (key=value)")->allow_extra_args(false);
  sub->add_option("--tmpfs", o.tmpfs, "Mount a temporary filesystem (DST[:OPTIONS])")->allow_extra_args(false);
  sub->add_option("--mount", o.mounts, "Attach a filesystem mount (type=bind|tmpfs,...)")->allow_extra_args(false);
  sub->add_option("--cidfile", o.cidfile, "Write the container ID to the file");
  sub->add_flag("--replace", o.replace, "If a container with the same name exists, replace it");
  sub->add_option("--stop-signal", o.stop_signal, "Signal to stop the container (default SIGTERM)");
  sub->add_option("--stop-timeout", o.stop_timeout, "Seconds to wait before killing the container when stopping");
  sub->add_flag("--read-only", o.read_only, "Make the container's root filesystem read-only");
  sub->add_option("--network,--net", o.network, "Network mode: none, host or private");
  sub->add_option("--sdnotify", o.sdnotify, "Control sd-notify behavior (conmon, container, ignore)");
  sub->add_option("--log-driver", o.log_driver, "Logging driver for the container (k8s-file, journald, none, passthrough)");
  sub->add_option("--log-opt", o.log_opt, "Logging driver options (path=FILE, tag=NAME)")->allow_extra_args(false);
  sub->add_option("--restart", o.restart, "Restart policy to apply when a container exits (no, on-failure[:N], always, unless-stopped)");
}

void add_resource_flags(CLI::App* sub, engine::RunOptions& o) {
  sub->add_option("-m,--memory", o.memory, "Memory limit (format: <number>[<unit>], where unit = b, k, m or g)");
  sub->add_option("--pids-limit", o.pids_limit, "Tune container pids limit (set -1 for unlimited)");
  sub->add_option("--cpus", o.cpus, "Number of CPUs. The default is 0.000 which means no limit");
  sub->add_option("--ulimit", o.ulimits, "Ulimit options (name=soft[:hard])")->allow_extra_args(false);
  sub->add_flag("--init", o.init, "Run an init inside the container that forwards signals and reaps processes");
}

void add_security_flags(CLI::App* sub, engine::RunOptions& o) {
  sub->add_option("--cap-add", o.cap_add, "Add capabilities")->allow_extra_args(false);
  sub->add_option("--cap-drop", o.cap_drop, "Drop capabilities")->allow_extra_args(false);
  sub->add_option("--security-opt", o.security_opt, "Security options")->allow_extra_args(false);
  sub->add_flag("--privileged", o.privileged, "Give extended privileges to the container");
}

void add_health_flags(CLI::App* sub, engine::HealthFlags& h) {
  sub->add_option("--health-cmd", h.cmd, "Set a healthcheck command for the container ('none' disables the image's)");
  sub->add_option("--health-interval", h.interval, "Set an interval for the healthchecks (a value of disable results in no automatic timer setup)");
  sub->add_option("--health-retries", h.retries, "The number of retries allowed before a healthcheck is considered to be unhealthy");
  sub->add_option("--health-timeout", h.timeout, "The maximum time allowed to complete the healthcheck before an interval is considered failed");
  sub->add_option("--health-start-period", h.start_period, "The initialization time needed for a container to bootstrap");
  sub->add_option("--health-on-failure", h.on_failure, "Action to take once the container turns unhealthy (none, kill, restart, stop)");
  sub->add_option("--health-max-log-count", h.max_log_count, "Set maximum number of attempts in the HealthCheck log (0: no limit)");
  sub->add_option("--health-max-log-size", h.max_log_size, "Set maximum length in characters of stored HealthCheck log (0: no limit)");
  sub->add_flag("--no-healthcheck", h.disable, "Disable healthchecks on container");
}

// `run` and `create` share their flags and their positional rule: IMAGE [COMMAND [ARG...]],
// with everything after IMAGE belonging to the command.
void add_run_like(Registry& r, CLI::App* sub, bool run) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::RunOptions>());
  auto entrypoint = r.keep(std::make_shared<std::string>(kUnset));
  auto pull = r.keep(std::make_shared<RunPull>());
  sub->set_help_flag("--help", "Print this help message and exit");
  add_process_flags(sub, *o, entrypoint);
  add_container_flags(sub, *o);
  add_security_flags(sub, *o);
  add_resource_flags(sub, *o);
  add_health_flags(sub, o->health);
  add_run_pull_flags(sub, r, *pull);
  if (run) sub->add_flag("-d,--detach", o->detach, "Run container in background and print container ID");
  sub->prefix_command();
  r.on(sub, [o, entrypoint, sub, run, pull, &r](engine::GlobalOptions& g) -> Result<int> {
    o->create_command = r.command_line;
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.empty()) return fail(Errc::usage, "requires at least 1 arg(s), only received 0");
    if (rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    o->image = rest.front();
    o->command.assign(rest.begin() + 1, rest.end());
    o->create_image_index = static_cast<int>(o->create_command.size() - rest.size());
    if (*entrypoint != kUnset) o->entrypoint = *entrypoint;
    auto policy = TRY(engine::parse_pull_policy(pull->policy));
    TRY(pull->finish(pull->request));
    auto c = TRY(engine::open_context(g));
    o->image = TRY(engine::ensure_image(c, o->image, policy, pull->request));
    if (!run) {
      fmt::print("{}\n", TRY(engine::create_container(c, *o)));
      return 0;
    }
    std::string id;
    int code = TRY(engine::run_container(c, *o, &id));
    if (o->detach) fmt::print("{}\n", id);
    return code;
  });
}

void add_start(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto attach = r.keep(std::make_shared<bool>(false));
  auto interactive = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--attach", *attach, "Attach container's STDOUT and STDERR");
  sub->add_flag("-i,--interactive", *interactive, "Attach container's STDIN");
  auto all = r.keep(std::make_shared<bool>(false));
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_flag("--all", *all, "Start all containers regardless of their state or configuration");
  sub->add_option("-f,--filter", *filters, "Filter the containers to start (as ps --filter)")->allow_extra_args(false);
  sub->add_option("containers", *names, "Containers to start");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*attach && names->size() > 1) return fail(Errc::usage, "you cannot start and attach multiple containers at once");
    if (*all && !names->empty()) return fail(Errc::usage, "--all and container names cannot be used together");
    if (!*all && names->empty()) return fail(Errc::usage, "requires at least 1 arg(s), only received 0");
    if (!filters->empty() && !*all) return fail(Errc::usage, "--filter works with --all only");
    auto c = TRY(engine::open_context(g));
    if (*all) {
      if (*attach) return fail(Errc::usage, "you cannot start and attach multiple containers at once");
      // Every container not running that matches the filters (for boot: restart-policy=always).
      int code = 0;
      for (const auto& s : TRY(engine::list_containers(c, {true, false, *filters}))) {
        if (s.status == "running") continue;
        auto started = engine::start_container(c, s.id, false, false);
        if (!started) {
          fmt::print(stderr, "Error: {}: {}\n", s.name, started.error().message);
          code = 125;
          continue;
        }
        fmt::print("{}\n", s.name);
      }
      return code;
    }
    int code = 0;
    for (const auto& n : *names) {
      auto id = TRY(engine::container_id(c, n));
      code = TRY(engine::start_container(c, id, *attach, *interactive));
      if (!*attach) fmt::print("{}\n", n);
    }
    return code;
  });
}

std::string status_text(const engine::ContainerSummary& s) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  if (s.status == "running")
    return "Up " + human_duration(now - s.started) + (s.health.empty() ? "" : " (" + s.health + ")");
  if (s.status == "exited")
    return fmt::format("{} ({}) {} ago", s.restarting ? "Restarting" : "Exited", s.exit_code, human_duration(now - s.finished));
  return "Created";
}

void add_ps(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto all = r.keep(std::make_shared<bool>(false));
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto no_trunc = r.keep(std::make_shared<bool>(false));
  auto latest = r.keep(std::make_shared<bool>(false));
  auto last = r.keep(std::make_shared<int>(-1));
  auto format = r.keep(std::make_shared<std::string>());
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  auto size = r.keep(std::make_shared<bool>(false));
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
      rows.push_back({{"ID", id}, {"Image", s.image}, {"Command", cmd}, {"CreatedAt", created_at(s.created)},
                      {"Created", human_duration(now - s.created) + " ago"}, {"Status", status_text(s)},
                      {"Names", s.name}, {"State", s.status}, {"Ports", ""}, {"Pid", s.pid},
                      {"Labels", s.labels}, {"ExitCode", s.exit_code},
                      {"Size", fmt::format("{} (virtual {})", human_size(static_cast<double>(s.size)),
                                           human_size(static_cast<double>(s.virtual_size)))}});
      json_rows.push_back({{"Id", s.id}, {"Image", s.image}, {"Command", s.command}, {"Created", s.created},
                           {"State", s.status}, {"Status", status_text(s)}, {"Names", Json::array({s.name})},
                           {"ExitCode", s.exit_code}, {"Exited", s.status == "exited"}, {"Pid", s.pid},
                           {"StartedAt", s.started}, {"ExitedAt", s.finished}, {"Labels", s.labels}});
    }
    if (*quiet) return 0;
    std::string table = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    if (*size) table += "\t{{.Size}}";
    TRY(print_rows(rows, json_rows, *format, table, {{"ID", "CONTAINER ID"}, {"Created", "CREATED"}}));
    return 0;
  });
}

int print_report(const engine::MultiReport& rep) {
  for (const auto& d : rep.done) fmt::print("{}\n", d);
  return report_item_errors(rep.errors);
}

// stop/rm --cidfile FILE and --ignore, as in podman's generated units: the ids in the files
// join the named containers; with --ignore, missing files and containers are no error.
struct CidTargets {
  std::vector<std::string> cidfiles;
  bool ignore = false;
};

void add_cid_flags(CLI::App* sub, CidTargets& t) {
  sub->add_option("--cidfile", t.cidfiles, "Read the container ID from the file")->allow_extra_args(false);
  sub->add_flag("-i,--ignore", t.ignore, "Ignore errors when a specified container is missing");
}

Result<void> read_cidfiles(const CidTargets& t, std::vector<std::string>& into) {
  for (const auto& f : t.cidfiles) {
    std::ifstream in(f);
    std::string id;
    if (!in || !(in >> id)) {
      if (t.ignore) continue;
      return fail(Errc::not_found, "reading CIDFile {}: no such file or no id in it", f);
    }
    into.push_back(id);
  }
  return {};
}

int print_report_ignoring(engine::MultiReport rep, bool ignore) {
  if (ignore) std::erase_if(rep.errors, [](const Error& e) { return e.code == Errc::not_found; });
  return print_report(rep);
}

void add_rm(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::RmOptions>());
  auto volumes = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-f,--force", o->force, "Force removal of a running container");
  sub->add_flag("-a,--all", o->all, "Remove all containers");
  sub->add_flag("-v,--volumes", *volumes, "Remove anonymous volumes (berth creates none yet)");
  sub->add_option("containers", o->containers, "Containers to remove");
  auto cid = r.keep(std::make_shared<CidTargets>());
  add_cid_flags(sub, *cid);
  r.on(sub, [o, cid](engine::GlobalOptions& g) -> Result<int> {
    bool named = !o->containers.empty() || !cid->cidfiles.empty();
    TRY(read_cidfiles(*cid, o->containers));
    if (!named && !o->all) return fail(Errc::usage, "must specify at least one container name or ID");
    if (o->containers.empty() && !o->all) return 0;  // --ignore and no cidfile left
    auto c = TRY(engine::open_context(g));
    return print_report_ignoring(TRY(engine::remove_containers(c, *o)), cid->ignore);
  });
}

void add_stop(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::StopOptions>());
  auto t = r.keep(std::make_shared<int>(-1));
  sub->add_flag("-a,--all", o->all, "Stop all running containers");
  sub->add_option("-t,--time", *t, "Seconds to wait for stop before killing the container");
  sub->add_option("containers", o->containers, "Containers to stop");
  auto cid = r.keep(std::make_shared<CidTargets>());
  add_cid_flags(sub, *cid);
  r.on(sub, [o, t, cid](engine::GlobalOptions& g) -> Result<int> {
    bool named = !o->containers.empty() || !cid->cidfiles.empty();
    TRY(read_cidfiles(*cid, o->containers));
    if (!named && !o->all) return fail(Errc::usage, "you must provide at least one container name or ID");
    if (o->containers.empty() && !o->all) return 0;  // --ignore and no cidfile left
    if (*t >= 0) o->timeout = *t;
    auto c = TRY(engine::open_context(g));
    return print_report_ignoring(TRY(engine::stop_containers(c, *o)), cid->ignore);
  });
}

void add_kill(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  auto sig = r.keep(std::make_shared<std::string>("KILL"));
  sub->add_flag("-a,--all", *all, "Signal all running containers");
  sub->add_option("-s,--signal", *sig, "Signal to send to the container (default KILL)");
  sub->add_option("containers", *names, "Containers to signal");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (names->empty() && !*all) return fail(Errc::usage, "you must provide at least one container name or ID");
    auto c = TRY(engine::open_context(g));
    auto rep = TRY(engine::kill_containers(c, *names, *all, *sig));
    for (const auto& d : rep.done) fmt::print("{}\n", d);
    if (!rep.errors.empty()) {
      for (const auto& e : rep.errors) fmt::print(stderr, "Error: {}\n", e.message);
      return 125;
    }
    return 0;
  });
}

void add_wait(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto conditions = r.keep(std::make_shared<std::vector<std::string>>());
  auto interval = r.keep(std::make_shared<std::string>("250ms"));
  sub->add_option("--condition", *conditions, "Condition to wait on (running, created, exited, stopped)")->allow_extra_args(false);
  sub->add_option("-i,--interval", *interval, "Time interval to wait before polling for completion (250ms, 1s, or milliseconds)");
  sub->add_option("containers", *names, "Containers to wait for")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    int ms = 0;
    std::string iv = *interval;
    if (iv.ends_with("ms")) iv.resize(iv.size() - 2);
    else if (iv.ends_with("s")) iv = iv.substr(0, iv.size() - 1) + "000";
    if (iv.empty() || iv.find_first_not_of("0123456789") != std::string::npos || iv.size() > 9)
      return fail(Errc::usage, "invalid --interval \"{}\"", *interval);
    ms = std::stoi(iv);
    auto c = TRY(engine::open_context(g));
    return print_report(TRY(engine::wait_containers(c, *names, *conditions, ms)));
  });
}

// --since/--until: RFC 3339, unix seconds, or a duration before now ("10m", "1h30m", "45s").
Result<std::int64_t> parse_time(const std::string& s) {
  std::int64_t t = 0;
  if (parse_rfc3339(s, t)) return t * 1000000000;
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string::npos) return static_cast<std::int64_t>(std::stod(s) * 1e9);
  std::int64_t total = 0, num = 0;
  bool any = false;
  for (char ch : s) {
    if (isdigit(static_cast<unsigned char>(ch))) {
      num = num * 10 + (ch - '0');
      continue;
    }
    std::int64_t mul = ch == 'h' ? 3600 : ch == 'm' ? 60 : ch == 's' ? 1 : 0;
    if (!mul) return fail(Errc::usage, "invalid time \"{}\": use RFC 3339, unix seconds or a duration like 10m", s);
    total += num * mul;
    num = 0;
    any = true;
  }
  if (!any || num) return fail(Errc::usage, "invalid time \"{}\": use RFC 3339, unix seconds or a duration like 10m", s);
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return now - total * 1000000000;
}

// An event as podman's --format sees it: Time as text, TimeNano as the number.
Json event_view(const Json& e) {
  Json v = e;
  std::int64_t t = json_int(e, "Time");
  v["TimeNano"] = t;
  v["Time"] = rfc3339_utc(t / 1000000000, static_cast<long>(t % 1000000000));
  if (!v.contains("Attributes")) v["Attributes"] = Json::object();
  return v;
}

// podman's default line: 2024-01-02 03:04:05.123456789 +0000 UTC container start ID (image=..., name=...)
std::string event_line(const Json& e) {
  std::int64_t t = json_int(e, "Time");
  std::time_t secs = static_cast<std::time_t>(t / 1000000000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
  std::string attrs;
  if (!json_str(e, "Image").empty()) attrs += "image=" + json_str(e, "Image");
  if (!json_str(e, "Name").empty()) attrs += std::string(attrs.empty() ? "" : ", ") + "name=" + json_str(e, "Name");
  if (!json_str(e, "HealthStatus").empty()) attrs += ", health_status=" + json_str(e, "HealthStatus");
  const Json& a = json_obj(e, "Attributes");
  if (a.is_object())
    for (auto it = a.begin(); it != a.end(); ++it)
      attrs += std::string(attrs.empty() ? "" : ", ") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  return fmt::format("{}.{:09d} +0000 UTC {} {} {}{}", when, t % 1000000000, json_str(e, "Type"), json_str(e, "Status"),
                     json_str(e, "ID"), attrs.empty() ? "" : " (" + attrs + ")");
}

void add_events(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::EventsOptions>());
  auto since = r.keep(std::make_shared<std::string>());
  auto until = r.keep(std::make_shared<std::string>());
  auto format = r.keep(std::make_shared<std::string>());
  auto stream = r.keep(std::make_shared<std::string>("true"));
  auto no_trunc = r.keep(std::make_shared<std::string>("true"));
  sub->add_option("-f,--filter", o->filters, "Filter output (container=, image=, event=, type=, label=)")->allow_extra_args(false);
  sub->add_option("--format", *format, "Format the output using a Go template or json");
  sub->add_option("--since", *since, "Show all events created since timestamp");
  sub->add_option("--until", *until, "Show all events created until timestamp");
  sub->add_flag("--stream{true}", *stream, "Stream new events (--stream=false: print what is there and exit)");
  sub->add_flag("--no-trunc{true}", *no_trunc, "Do not truncate the output (always on)");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*stream != "true" && *stream != "false") return fail(Errc::usage, "--stream: invalid value \"{}\"", *stream);
    o->stream = *stream == "true";
    if (!since->empty()) o->since_ns = TRY(parse_time(*since));
    if (!until->empty()) o->until_ns = TRY(parse_time(*until));
    std::optional<Template> tpl;
    if (!format->empty() && *format != "json") tpl = TRY(Template::parse(*format));
    auto c = TRY(engine::open_context(g));
    TRY(engine::read_events(c, *o, [&](const Json& e) {
      if (*format == "json") fmt::print("{}\n", dump_json(event_view(e)));
      else if (tpl) fmt::print("{}\n", tpl->render(event_view(e)));
      else fmt::print("{}\n", event_line(e));
      std::fflush(stdout);
    }));
    return 0;
  });
}

void add_logs(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::LogsOptions>());
  auto tail = r.keep(std::make_shared<long>(-1));
  auto since = r.keep(std::make_shared<std::string>());
  auto until = r.keep(std::make_shared<std::string>());
  sub->add_flag("-f,--follow", o->follow, "Follow log output");
  sub->add_flag("-t,--timestamps", o->timestamps, "Output the timestamps in the log");
  sub->add_option("--tail", *tail, "Output the specified number of lines at the end of the log (-1: all)");
  sub->add_option("--since", *since, "Show logs since TIMESTAMP");
  sub->add_option("--until", *until, "Show logs until TIMESTAMP");
  sub->add_option("container", o->container, "Container")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*tail >= 0) o->tail = *tail;
    if (!since->empty()) o->since_ns = TRY(parse_time(*since));
    if (!until->empty()) o->until_ns = TRY(parse_time(*until));
    auto c = TRY(engine::open_context(g));
    TRY(engine::container_logs(c, *o));
    return 0;
  });
}

void add_attach(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::AttachOptions>());
  sub->add_option("--detach-keys", o->detach_keys, "Select the key sequence for detaching a container (\"\" disables)");
  sub->add_flag("--no-stdin", o->no_stdin, "Do not attach STDIN");
  sub->add_flag("--sig-proxy", o->sig_proxy, "Proxy received signals to the container (--sig-proxy=false: do not)");
  sub->add_option("container", o->container, "Container")->required();
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    return engine::attach_container(c, *o);
  });
}

void add_restart(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::StopOptions>());
  auto t = r.keep(std::make_shared<int>(-1));
  sub->add_flag("-a,--all", o->all, "Restart all non-running containers too");
  sub->add_option("-t,--time", *t, "Seconds to wait for stop before killing the container");
  sub->add_option("containers", o->containers, "Containers to restart");
  r.on(sub, [o, t](engine::GlobalOptions& g) -> Result<int> {
    if (o->containers.empty() && !o->all) return fail(Errc::usage, "you must provide at least one container name or ID");
    if (*t >= 0) o->timeout = *t;
    auto c = TRY(engine::open_context(g));
    auto stopped = TRY(engine::stop_containers(c, *o));
    for (const auto& n : stopped.done) {
      auto id = TRY(engine::container_id(c, n));
      TRY(engine::start_container(c, id, false, false));
      fmt::print("{}\n", id);
    }
    return report_item_errors(stopped.errors);
  });
}

void add_rename(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("args", *args, "CONTAINER NEW_NAME")->required()->expected(2);
  r.on(sub, [args](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::rename_container(c, (*args)[0], (*args)[1]));
    return 0;
  });
}

void add_container_prune(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  r.on(sub, [](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& id : TRY(engine::prune_containers(c))) fmt::print("{}\n", id);
    return 0;
  });
}

void add_exec(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::ExecOptions>());
  sub->set_help_flag("--help", "Print this help message and exit");
  sub->add_flag("-i,--interactive", o->interactive, "Keep STDIN open");
  sub->add_flag("-t,--tty", o->tty, "Allocate a pseudo-TTY");
  sub->add_flag("-d,--detach", o->detach, "Run the exec session in detached mode (backgrounded)");
  sub->add_option("-e,--env", o->env, "Set environment variables")->allow_extra_args(false);
  sub->add_option("-u,--user", o->user, "Sets the username or UID used and optionally the groupname or GID");
  sub->add_option("-w,--workdir", o->workdir, "Working directory inside the container");
  sub->add_flag("--privileged", o->privileged, "Give the process extended privileges");
  sub->prefix_command();
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [o, sub](engine::GlobalOptions& g) -> Result<int> {
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.size() < 2) return fail(Errc::usage, "exec requires the name or ID of a container and a command");
    if (rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    o->container = rest.front();
    o->command.assign(rest.begin() + 1, rest.end());
    auto c = TRY(engine::open_context(g));
    return engine::exec_container(c, *o);
  });
}

void add_top(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto descriptors = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("container", *name, "Container")->required();
  sub->add_option("descriptors", *descriptors, "Format descriptors (pid,user,args,... as podman's)");
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [name, descriptors](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::string out;
    for (const auto& row : TRY(engine::container_top(c, *name, *descriptors))) {
      for (size_t i = 0; i < row.size(); i++) out += (i ? "\t" : "") + row[i];
      out += "\n";
    }
    fmt::print("{}", tabulate(out.substr(0, out.size() - 1)));
    return 0;
  });
}

void add_monitor(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto id = r.keep(std::make_shared<std::string>());
  auto fd = r.keep(std::make_shared<int>(-1));
  sub->add_option("id", *id)->required();
  sub->add_option("fd", *fd)->required();
  sub->group("");  // hidden
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    return engine::monitor_main(c, *id, *fd);
  });
}

void add_healthcheck_run(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto ignore = r.keep(std::make_shared<bool>(false));
  sub->add_option("container", *name, "Container")->required();
  sub->add_flag("--ignore-result", *ignore, "Exit with code 0 regardless of the healthcheck result");
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [name, ignore](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto out = TRY(engine::run_healthcheck(c, *name));
    if (out.passed) return 0;
    // podman: a failed check prints the container's state ("unhealthy", or "starting" within
    // its start period) and exits 1.
    fmt::print("{}\n", out.status == "starting" ? "starting" : "unhealthy");
    return *ignore ? 0 : 1;
  });
}

void add_container_exists(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("container", *name, "Container")->required();
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto id = engine::container_id(c, *name);
    if (!id && id.error().code == Errc::not_found) return 1;  // podman: 0 exists, 1 not, 125 error
    if (!id) return std::unexpected(id.error());
    return 0;
  });
}

}  // namespace

void register_container_commands(CLI::App& app, Registry& r) {
  CLI::App* container = r.sub(&app, "container", "Manage containers");
  for (CLI::App* parent : {&app, container}) {
    add_run_like(r, r.sub(parent, "run", "Run a command in a new container"), true);
    add_run_like(r, r.sub(parent, "create", "Create but do not start a container"), false);
    add_start(r, r.sub(parent, "start", "Start one or more containers"));
    add_rm(r, r.sub(parent, "rm", "Remove one or more containers"));
    add_stop(r, r.sub(parent, "stop", "Stop one or more containers"));
    add_kill(r, r.sub(parent, "kill", "Kill one or more running containers with a specific signal"));
    add_wait(r, r.sub(parent, "wait", "Block on one or more containers"));
    add_logs(r, r.sub(parent, "logs", "Fetch the logs of one or more containers"));
    add_attach(r, r.sub(parent, "attach", "Attach to a running container"));
    add_restart(r, r.sub(parent, "restart", "Restart one or more containers"));
    add_rename(r, r.sub(parent, "rename", "Rename an existing container"));
    add_exec(r, r.sub(parent, "exec", "Run a process in a running container"));
    add_top(r, r.sub(parent, "top", "Display the running processes of a container"));
  }
  add_container_prune(r, r.sub(container, "prune", "Remove all non running containers"));
  add_container_exists(r, r.sub(container, "exists", "Check if a container exists in local storage"));
  add_events(r, r.sub(&app, "events", "Show berth events"));
  add_events(r, r.sub(r.group("system"), "events", "Show berth events"));
  add_inspect_command(r, r.sub(container, "inspect", "Display the configuration of a container"), "container");
  add_ps(r, r.sub(&app, "ps", "List containers"));
  add_ps(r, r.sub(container, "list", "List containers", {"ls", "ps"}));
  add_monitor(r, r.sub(&app, "__monitor", ""));
  CLI::App* health = r.sub(&app, "healthcheck", "Manage health checks on containers");
  add_healthcheck_run(r, r.sub(health, "run", "Run the health check of a container"));
  health->require_subcommand(1);
  container->require_subcommand(1);
}

}  // namespace berth::cli

// run (foreground), ps, rm.
#include <ctime>

#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/engine/run.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

void add_run_flags(CLI::App* sub, engine::RunOptions& o, std::shared_ptr<std::string> entrypoint) {
  sub->set_help_flag("--help", "Print this help message and exit");
  sub->add_flag("-i,--interactive", o.interactive, "Keep STDIN open");
  sub->add_flag("--rm", o.rm, "Remove container when it exits");
  sub->add_option("--name", o.name, "Assign a name to the container");
  sub->add_option("-e,--env", o.env, "Set environment variables in container")->allow_extra_args(false);
  sub->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
  sub->add_option("-u,--user", o.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  sub->add_option("--entrypoint", *entrypoint, "Overwrite the default ENTRYPOINT of the image");
  sub->add_option("-h,--hostname", o.hostname, "Set container hostname");
  sub->add_option("-v,--volume", o.volumes, "Bind mount a volume (SRC:DST[:ro|rw])")->allow_extra_args(false);
  sub->add_option("--cap-add", o.cap_add, "Add capabilities")->allow_extra_args(false);
  sub->add_option("--cap-drop", o.cap_drop, "Drop capabilities")->allow_extra_args(false);
  sub->add_option("--security-opt", o.security_opt, "Security options")->allow_extra_args(false);
  sub->add_option("--network,--net", o.network, "Network mode: none, host or private");
  sub->add_flag("--read-only", o.read_only, "Make the container's root filesystem read-only");
  sub->add_flag("--privileged", o.privileged, "Give extended privileges to the container");
}

void add_run(Registry& r, CLI::App* sub) {
  auto o = std::make_shared<engine::RunOptions>();
  auto entrypoint = std::make_shared<std::string>("\x01");
  add_run_flags(sub, *o, entrypoint);
  sub->prefix_command();
  r.on(sub, [o, entrypoint, sub](engine::GlobalOptions& g) -> Result<int> {
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (rest.empty()) return fail(Errc::usage, "requires at least 1 arg(s), only received 0");
    if (rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    o->image = rest.front();
    o->command.assign(rest.begin() + 1, rest.end());
    if (*entrypoint != "\x01") o->entrypoint = *entrypoint;
    auto c = TRY(engine::open_context(g));
    return engine::run_container(c, *o);
  });
}

std::string status_text(const engine::ContainerSummary& s) {
  auto now = static_cast<std::int64_t>(std::time(nullptr));
  if (s.status == "running") return "Up " + human_duration(now - s.started);
  if (s.status == "exited") return fmt::format("Exited ({}) {} ago", s.exit_code, human_duration(now - s.finished));
  return "Created";
}

void add_ps(Registry& r, CLI::App* sub) {
  auto all = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  auto no_trunc = std::make_shared<bool>(false);
  auto format = std::make_shared<std::string>();
  sub->add_flag("-a,--all", *all, "Show all the containers, default is only running containers");
  sub->add_flag("-q,--quiet", *quiet, "Print the numeric IDs of the containers only");
  sub->add_flag("--no-trunc", *no_trunc, "Display the extended information");
  sub->add_option("--format", *format, "Pretty-print containers to JSON or using a Go template");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto list = TRY(engine::list_containers(c, *all));
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
                      {"Names", s.name}, {"State", s.status}, {"Ports", ""}, {"Pid", s.pid}});
      json_rows.push_back({{"Id", s.id}, {"Image", s.image}, {"Command", s.command}, {"Created", s.created},
                           {"State", s.status}, {"Status", status_text(s)}, {"Names", Json::array({s.name})},
                           {"ExitCode", s.exit_code}, {"Pid", s.pid}, {"StartedAt", s.started}, {"ExitedAt", s.finished}});
    }
    if (*quiet) return 0;
    TRY(print_rows(rows, json_rows, *format,
                   "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Created}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
                   {{"ID", "CONTAINER ID"}, {"Created", "CREATED"}}));
    return 0;
  });
}

void add_rm(Registry& r, CLI::App* sub) {
  auto o = std::make_shared<engine::RmOptions>();
  sub->add_flag("-f,--force", o->force, "Force removal of a running container");
  sub->add_flag("-a,--all", o->all, "Remove all containers");
  sub->add_option("containers", o->containers, "Containers to remove");
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    if (o->containers.empty() && !o->all) return fail(Errc::usage, "must specify at least one container name or ID");
    auto c = TRY(engine::open_context(g));
    auto rep = TRY(engine::remove_containers(c, *o));
    for (const auto& id : rep.removed) fmt::print("{}\n", id);
    return report_item_errors(rep.errors);
  });
}

}  // namespace

void register_container_commands(CLI::App& app, Registry& r) {
  CLI::App* container = app.add_subcommand("container", "Manage containers");
  add_run(r, app.add_subcommand("run", "Run a command in a new container"));
  add_run(r, container->add_subcommand("run", "Run a command in a new container"));
  add_ps(r, app.add_subcommand("ps", "List containers"));
  add_ps(r, container->add_subcommand("list", "List containers")->alias("ls")->alias("ps"));
  add_rm(r, app.add_subcommand("rm", "Remove one or more containers"));
  add_rm(r, container->add_subcommand("rm", "Remove one or more containers"));
  container->require_subcommand(1);
}

}  // namespace berth::cli

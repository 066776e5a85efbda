// volume create/ls/inspect/rm/prune/exists/export/import/mount/unmount.
#include <fmt/format.h>

#include "berth/engine/volume.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

void add_volume_create(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::VolumeCreateOptions>());
  sub->add_option("name", o->name, "Volume name");
  sub->add_option("-d,--driver", o->driver, "Volume driver (local)");
  sub->add_option("-l,--label", o->labels, "Set metadata for a volume (key=value)")->allow_extra_args(false);
  sub->add_option("-o,--opt", o->options, "Set driver specific options (uid=, gid=)")->allow_extra_args(false);
  sub->add_flag("--ignore", o->ignore, "Do not fail if the volume already exists");
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    fmt::print("{}\n", TRY(engine::volume_create(c, *o)).name);
    return 0;
  });
}

void add_volume_ls(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto noheading = r.keep(std::make_shared<bool>(false));
  auto format = r.keep(std::make_shared<std::string>());
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_flag("-q,--quiet", *quiet, "Print volume output in quiet mode");
  sub->add_flag("-n,--noheading", *noheading, "Do not print headers");
  sub->add_option("--format", *format, "Format volume output using a Go template");
  sub->add_option("-f,--filter", *filters, "Filter volume output (name=, label=, driver=, dangling=)")
      ->allow_extra_args(false);
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    TRY(engine::check_volume_filters(*filters));
    auto c = TRY(engine::open_context(g));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    auto used = TRY(engine::volumes_in_use(c));
    for (const auto& v : TRY(engine::volume_list(c))) {
      if (!engine::volume_matches(v, *filters, !used.count(v.name))) continue;
      if (*quiet) {
        fmt::print("{}\n", v.name);
        continue;
      }
      rows.push_back(Json::parse(engine::volume_json(c.store, v).dump()));
      json_rows.push_back(rows.back());
    }
    if (*quiet) return 0;
    std::string fmt_ = *format;
    if (*noheading && fmt_.empty()) fmt_ = "{{.Driver}}\t{{.Name}}";
    TRY(print_rows(rows, json_rows, fmt_, "table {{.Driver}}\t{{.Name}}",
                   {{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}, {"Mountpoint", "MOUNTPOINT"}}));
    return 0;
  });
}

void add_volume_inspect(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto format = r.keep(std::make_shared<std::string>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_option("volume", *names, "Volumes");
  sub->add_flag("-a,--all", *all, "Inspect all volumes");
  sub->add_option("-f,--format", *format, "Format volume output using a Go template");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (names->empty() && !*all) return fail(Errc::usage, "provide one or more volume names or use --all");
    auto c = TRY(engine::open_context(g));
    std::vector<store::VolumeRecord> found;
    std::vector<Error> errors;
    if (*all) found = TRY(engine::volume_list(c));
    for (const auto& k : *names) {
      auto v = engine::volume_find(c, k);
      if (v)
        found.push_back(*v);
      else
        errors.push_back(v.error());
    }
    OrderedJson ordered = OrderedJson::array();
    std::vector<Json> rows;
    Json all_rows = Json::array();
    for (const auto& v : found) {
      ordered.push_back(engine::volume_json(c.store, v));
      rows.push_back(Json::parse(ordered.back().dump()));
      all_rows.push_back(rows.back());
    }
    if (format->empty() || *format == "json")
      fmt::print("{}\n", ordered.dump(4));
    else
      TRY(print_rows(rows, all_rows, *format, "", Json::object()));
    std::fflush(stdout);
    for (const auto& e : errors) fmt::print(stderr, "Error: {}\n", e.message);
    return errors.empty() ? 0 : 125;  // podman: 125 for a volume that is not there
  });
}

void add_volume_rm(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto o = r.keep(std::make_shared<engine::VolumeRemoveOptions>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_option("volume", *names, "Volumes");
  sub->add_flag("-a,--all", *all, "Remove all volumes");
  sub->add_flag("-f,--force", o->force, "Remove a volume by force, with the containers using it");
  sub->add_option("-t,--time", o->timeout, "Seconds to wait for running containers to stop before killing them");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (names->empty() && !*all) return fail(Errc::usage, "choose either one or more volumes or all");
    if (!names->empty() && *all) return fail(Errc::usage, "choose either one or more volumes or all");
    auto c = TRY(engine::open_context(g));
    std::vector<std::string> targets = *names;
    if (*all)
      for (const auto& v : TRY(engine::volume_list(c))) targets.push_back(v.name);
    std::vector<Error> errors;
    for (const auto& k : targets) {
      auto done = engine::volume_remove(c, {k}, *o);
      if (!done) {
        if (o->force && done.error().code == Errc::not_found) continue;  // as podman's rm --force
        errors.push_back(done.error());
        continue;
      }
      for (const auto& n : *done) fmt::print("{}\n", n);
    }
    return report_item_errors(errors);
  });
}

void add_volume_exists(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("volume", *name, "Volume")->required();
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto v = engine::volume_find(c, *name);
    if (!v && v.error().code == Errc::not_found) return 1;  // podman: 0 exists, 1 not, 125 error
    if (!v) return std::unexpected(v.error());
    return 0;
  });
}

void add_volume_prune(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto force = r.keep(std::make_shared<bool>(false));
  auto filters = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  sub->add_option("--filter", *filters, "Provide filter values (label=, name=)")->allow_extra_args(false);
  r.on(sub, [filters, force](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    if (!*force) {  // podman's prompt, naming what would go
      std::string text =
          "WARNING! This will remove all volumes not used by at least one container. The following volumes will be "
          "removed:\n";
      for (const auto& n : TRY(engine::volume_prune(c, *filters, true))) text += n + "\n";
      if (!confirm(text)) return 0;
    }
    for (const auto& n : TRY(engine::volume_prune(c, *filters))) fmt::print("{}\n", n);
    return 0;
  });
}

void add_volume_export(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto out = r.keep(std::make_shared<std::string>());
  sub->add_option("volume", *name, "Volume")->required();
  sub->add_option("-o,--output", *out, "Write to a specified file (default: stdout, which must be redirected)");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::volume_export(c, *name, *out));
    return 0;
  });
}

void add_volume_import(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto in = r.keep(std::make_shared<std::string>());
  sub->add_option("volume", *name, "Volume")->required();
  sub->add_option("source", *in, "A tar file, or - for stdin")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::volume_import(c, *name, *in));
    return 0;
  });
}

// A local volume is a directory that is always there: mount prints it, unmount has nothing to do.
void add_volume_mount(CommandTable& r, CLI::App* sub, bool mount) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("volume", *names, "Volumes")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& n : *names) {
      auto v = TRY(engine::volume_find(c, n));
      fmt::print("{}\n", mount ? store::volume_data_path(c.store, v.name) : v.name);
    }
    return 0;
  });
}

}  // namespace

void volume_commands(CLI::App& app, CommandTable& r) {
  CLI::App* vol = r.sub(&app, "volume", "Manage volumes");
  add_volume_create(r, r.sub(vol, "create", "Create a new volume"));
  add_volume_ls(r, r.sub(vol, "ls", "List volumes", {"list"}));
  add_volume_inspect(r, r.sub(vol, "inspect", "Display detailed information on one or more volumes"));
  add_volume_rm(r, r.sub(vol, "rm", "Remove one or more volumes", {"remove"}));
  add_volume_exists(r, r.sub(vol, "exists", "Check if volume exists"));
  add_volume_prune(r, r.sub(vol, "prune", "Remove all unused volumes"));
  add_volume_export(r, r.sub(vol, "export", "Export volumes"));
  add_volume_import(r, r.sub(vol, "import", "Import a tarball contents into a volume"));
  add_volume_mount(r, r.sub(vol, "mount", "Mount volume"), true);
  add_volume_mount(r, r.sub(vol, "unmount", "Unmount volume", {"umount"}), false);
  vol->require_subcommand(1);
}

}  // namespace berth::cli

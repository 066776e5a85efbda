// commit, diff, export.
#include <fmt/format.h>

#include "berth/engine/changes.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

void add_commit(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::CommitRequest>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  sub->add_option("-c,--change", o->changes, "Apply the following possible instructions to the created image")
      ->allow_extra_args(false);
  sub->add_option("-m,--message", o->message, "Set commit message for imported image");
  sub->add_option("-a,--author", o->author, "Set the author for the image committed");
  sub->add_flag("-q,--quiet", *quiet, "Suppress output");
  sub->add_flag("-p,--pause", o->pause, "Pause container during commit");
  sub->add_flag("-s,--squash", o->squash, "Squash newly built layers into a single new layer");
  sub->add_option("container", o->container, "Container")->required();
  sub->add_option("image", o->image, "Name of the new image");
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto id = TRY(engine::commit_container(c, *o));
    fmt::print("{}\n", id.hex());
    return 0;
  });
}

void add_diff(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("--format", *format, "Change the output format (json)");
  sub->add_option("name", *name, "Container or image")->required();
  r.on(sub, [name, format](engine::GlobalOptions& g) -> Result<int> {
    if (!format->empty() && *format != "json") return fail(Errc::usage, "unknown --format \"{}\": only json", *format);
    auto c = TRY(engine::open_context(g));
    auto changes = TRY(engine::diff_object(c, *name));
    if (format->empty()) {
      for (const auto& ch : changes) fmt::print("{} {}\n", ch.kind, ch.path);
      return 0;
    }
    Json j = Json::object();
    for (const auto& ch : changes) {
      const char* key = ch.kind == 'A' ? "added" : ch.kind == 'C' ? "changed" : "deleted";
      j[key].push_back(ch.path);
    }
    fmt::print("{}\n", dump_json(j, 4));
    return 0;
  });
}

void add_export(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto output = r.keep(std::make_shared<std::string>());
  sub->add_option("-o,--output", *output, "Write to a specified file (default: stdout, which must be redirected)");
  sub->add_option("container", *name, "Container")->required();
  r.on(sub, [name, output](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::export_container(c, *name, *output));
    return 0;
  });
}

void add_cp(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::CopyRequest>());
  sub->add_flag("-a,--archive", o->archive, "Chown copied files to the primary uid/gid of the destination container");
  sub->add_flag("-L,--follow-link", o->follow, "Follow a symlink given as the source");
  sub->add_option("src", o->src, "CONTAINER:PATH, a host path, or - for a tar on stdin")->required();
  sub->add_option("dst", o->dst, "CONTAINER:PATH, a host path, or - for a tar on stdout")->required();
  // Rootless: a running container is reached in its own user namespace (as exec does).
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::copy_files(c, *o));
    return 0;
  });
}

void add_mount(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("containers", *names, "Containers to mount (none: list the mounted ones)");
  r.on(sub, [names](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    if (names->empty()) {
      for (const auto& [id, path] : TRY(engine::mounted_containers(c))) fmt::print("{} {}\n", id.substr(0, 12), path);
      return 0;
    }
    for (const auto& n : *names) {
      auto path = TRY(engine::mount_container(c, n));
      if (names->size() == 1) fmt::print("{}\n", path);
      else fmt::print("{} {}\n", n, path);
    }
    return 0;
  });
}

void add_unmount(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto all = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--all", *all, "Unmount all of the currently mounted containers");
  sub->add_option("containers", *names, "Containers to unmount");
  r.on(sub, [names, all](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::vector<std::string> targets = *names;
    if (*all)
      for (const auto& [id, path] : TRY(engine::mounted_containers(c))) targets.push_back(id);
    if (targets.empty() && !*all) return fail(Errc::usage, "you must provide at least one container name or ID");
    for (const auto& n : targets) {
      TRY(engine::unmount_container(c, n));
      fmt::print("{}\n", n);
    }
    return 0;
  });
}

void add_unshare(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  sub->prefix_command();  // everything from the first non-flag on is the command and its args
  r.on(sub, [sub](engine::GlobalOptions&) -> Result<int> {
    auto rest = sub->remaining();
    if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
    if (!rest.empty() && rest.front().starts_with("-")) return fail(Errc::usage, "unknown flag: {}", rest.front());
    return engine::unshare_command(rest);
  });
}

}  // namespace

void register_change_commands(CLI::App& app, Registry& r) {
  CLI::App* container = r.group("container");
  for (CLI::App* parent : {&app, container}) {
    add_commit(r, r.sub(parent, "commit", "Create new image based on the changed container"));
    add_diff(r, r.sub(parent, "diff", "Inspect changes to the container's file systems"));
    add_export(r, r.sub(parent, "export", "Export container's filesystem contents as a tar archive"));
    add_cp(r, r.sub(parent, "cp", "Copy files/folders between a container and the local filesystem"));
    add_mount(r, r.sub(parent, "mount", "Mount a working container's root filesystem"));
    add_unmount(r, r.sub(parent, "unmount", "Unmount working container's root filesystem", {"umount"}));
  }
  add_unshare(r, r.sub(&app, "unshare", "Run a command in a modified user namespace"));
  add_diff(r, r.sub(r.group("image"), "diff", "Inspect changes to the image's file systems"));
}

}  // namespace berth::cli

// The command table: every berth command, where it sits (top level, image, container,
// system, generate, healthcheck) and the file that defines it (named after the command).
#include "commands.hpp"

namespace berth::cli {

namespace {

// images, inspect, tag, untag, rmi, history, image prune/exists, system df
void image_commands(CLI::App& app, CommandTable& r) {
  CLI::App* image = r.sub(&app, "image", "Manage images");
  add_images(app, r, r.sub(&app, "images", "List images in local storage"));
  add_images(app, r, r.sub(image, "list", "List images in local storage", {"ls"}));
  add_inspect_command(r, r.sub(&app, "inspect", "Display the configuration of an object"), "all");
  add_inspect_command(r, r.sub(image, "inspect", "Display the configuration of an image"), "image");
  add_tag(r, r.sub(&app, "tag", "Add an additional name to a local image"), false);
  add_tag(r, r.sub(image, "tag", "Add an additional name to a local image"), false);
  add_tag(r, r.sub(&app, "untag", "Remove a name from a local image"), true);
  add_tag(r, r.sub(image, "untag", "Remove a name from a local image"), true);
  add_rmi(r, r.sub(&app, "rmi", "Remove one or more images from local storage"));
  add_rmi(r, r.sub(image, "rm", "Remove one or more images from local storage"));
  add_history(r, r.sub(&app, "history", "Show history of a specified image"));
  add_history(r, r.sub(image, "history", "Show history of a specified image"));
  add_prune(r, r.sub(image, "prune", "Remove unused images"));
  add_build(r, r.sub(&app, "build", "Build an image using instructions from Containerfiles"));
  add_build(r, r.sub(image, "build", "Build an image using instructions from Containerfiles"));
  add_image_exists(r, r.sub(image, "exists", "Check if an image exists in local storage"));
  CLI::App* system = r.sub(&app, "system", "Manage berth");
  add_df(r, r.sub(system, "df", "Show berth disk usage"));
  add_system_prune(r, r.sub(system, "prune", "Remove unused data"));
  add_info(r, r.sub(system, "info", "Display berth related system information"));
  add_info(r, r.sub(&app, "info", "Display berth related system information"));
  add_system_check(r, r.sub(system, "check",
                            "Check that this user can run containers rootless, and say how to fix what is missing"));
  add_system_check(r, r.sub(&app, "doctor", "Check that this user can run containers rootless (system check)"));
  image->require_subcommand(1);
  system->require_subcommand(1);
}

// load, save, import (also under image)
void archive_commands(CLI::App& app, CommandTable& r) {
  CLI::App* image = r.group("image");
  add_load(r, r.sub(&app, "load", "Load image(s) from a tar archive"));
  add_load(r, r.sub(image, "load", "Load image(s) from a tar archive"));
  add_save(r, r.sub(&app, "save", "Save image(s) to an archive"));
  add_save(r, r.sub(image, "save", "Save image(s) to an archive"));
  add_import(r, r.sub(&app, "import", "Import a tarball to create a filesystem image"));
  add_import(r, r.sub(image, "import", "Import a tarball to create a filesystem image"));
}

// the container verbs (also under container), events, ps, healthcheck, __monitor
void container_commands(CLI::App& app, CommandTable& r) {
  CLI::App* container = r.sub(&app, "container", "Manage containers");
  for (CLI::App* parent : {&app, container}) {
    add_run_like(r, r.sub(parent, "run", "Run a command in a new container"), true);
    add_run_like(r, r.sub(parent, "create", "Create but do not start a container"), false);
    add_start(r, r.sub(parent, "start", "Start one or more containers"));
    add_rm(r, r.sub(parent, "rm", "Remove one or more containers"));
    add_stop(r, r.sub(parent, "stop", "Stop one or more containers"));
    add_kill(r, r.sub(parent, "kill", "Kill one or more running containers with a specific signal"));
    add_pause(r, r.sub(parent, "pause", "Pause all the processes in one or more containers"), true);
    add_pause(r, r.sub(parent, "unpause", "Unpause the processes in one or more containers"), false);
    add_stats(r, r.sub(parent, "stats", "Display a live stream of container resource usage statistics"));
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

// commit, diff, export, cp, mount, unmount (also under container), unshare, image diff
void change_commands(CLI::App& app, CommandTable& r) {
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

// pull, push (also under image), login, logout
void registry_commands(CLI::App& app, CommandTable& r) {
  CLI::App* image = r.group("image");
  add_pull(r, r.sub(&app, "pull", "Pull an image from a registry"));
  add_pull(r, r.sub(image, "pull", "Pull an image from a registry"));
  add_push(r, r.sub(&app, "push", "Push an image to a specified destination"));
  add_push(r, r.sub(image, "push", "Push an image to a specified destination"));
  add_login(r, r.sub(&app, "login", "Log in to a container registry"));
  add_logout(r, r.sub(&app, "logout", "Log out of a container registry"));
}

// generate systemd, systemd generate (Quadlet)
void systemd_commands(CLI::App& app, CommandTable& r) {
  CLI::App* gen = r.sub(&app, "generate", "Generate structured data based on containers");
  gen->require_subcommand(1);
  add_generate_systemd(r, r.sub(gen, "systemd", "Generate systemd units"));
  CLI::App* sd = r.sub(&app, "systemd", "systemd integration");
  sd->require_subcommand(1);
  add_quadlet(r, r.sub(sd, "generate", "Turn *.container files (Quadlet) into systemd units"));
}

}  // namespace

void register_commands(CLI::App& app, CommandTable& r) {
  image_commands(app, r);  // first: the others join its "image" and "system" groups
  archive_commands(app, r);
  container_commands(app, r);
  change_commands(app, r);
  registry_commands(app, r);
  systemd_commands(app, r);
  network_commands(app, r);
  volume_commands(app, r);
  pod_commands(app, r);
  kube_commands(app, r);  // after systemd_commands: joins its "generate" group
}

}  // namespace berth::cli

// The commands: each one's flags and action live in the file named after it (run.cpp, ps.cpp,
// logs.cpp, ...); commands.cpp is the table that names them. Every add_X defines command X's
// flags on `sub` (only when the command line names it) and the action the table runs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "berth/core/digest.hpp"
#include "berth/core/json.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/registry.hpp"
#include "berth/engine/run.hpp"
#include "command_table.hpp"

namespace berth::cli {

// ---- output.cpp: tables, templates, per-item errors, --cidfile, times

// Prints rows with --format: "json" (json_rows as one array), a Go template (one line per row),
// or a "table ..." template with a header (none with `noheading`). `default_table` is used
// when format is empty.
Result<void> print_rows(const std::vector<Json>& rows, const Json& json_rows, const std::string& format,
                        const std::string& default_table, const Json& titles, bool noheading = false);

// "Error: ..." lines for per-item errors of multi-target commands; returns Podman's exit code
// (0, 1 for "no such", 2 for "in use", 125 otherwise).
int report_item_errors(const std::vector<Error>& errors);

int print_report(const engine::MultiReport& rep);
// stop/rm --cidfile FILE and --ignore, as in podman's generated units: the ids in the files
// join the named containers; with --ignore, missing files and containers are no error.
struct CidTargets {
  std::vector<std::string> cidfiles;
  bool ignore = false;
};
void add_cid_flags(CLI::App* sub, CidTargets& t);
Result<void> read_cidfiles(const CidTargets& t, std::vector<std::string>& into);
// --ignore drops the "no such" errors; `missing_is_125`: the others say 125 for them, as
// podman's stop and kill do (rm says 1).
// Prints `text` and "Are you sure you want to continue? [y/N] ", reads a line from stdin:
// whether it is yes (podman's prune prompts).
bool confirm(const std::string& text);
int print_report_ignoring(engine::MultiReport rep, bool ignore, bool missing_is_125 = false);
Result<std::int64_t> parse_time(const std::string& s);
std::string since(std::int64_t t);
std::string display_id(const Digest& d, bool no_trunc);

// ---- create_flags.cpp: run and create, one function per flag group

constexpr const char* kUnset = "\x01";
// containers.conf's [containers] defaults under the run/create flags `sub` was given.
Result<void> apply_containers_conf(CLI::App* sub, engine::RunOptions& o);
void add_process_flags(CLI::App* sub, engine::RunOptions& o, std::shared_ptr<std::string> entrypoint);
void add_container_flags(CLI::App* sub, engine::RunOptions& o);
void add_resource_flags(CLI::App* sub, engine::RunOptions& o);
void add_security_flags(CLI::App* sub, engine::RunOptions& o);
void add_health_flags(CLI::App* sub, engine::HealthFlags& h);

// ---- client_flags.cpp: what talks to a registry

// Flags whose "unset" matters (the registries.conf default applies) are kept as text.
struct ClientFlags {
  std::string tls_verify;  // "", "true", "false"
  std::string creds;
};
Result<void> finish_client(const ClientFlags& f, registry::ClientOptions& o);
void add_client_flags(CLI::App* sub, registry::ClientOptions& o, ClientFlags& f, bool creds);
struct PlatformFlags {
  std::string platform;
};
void add_platform_flags(CLI::App* sub, engine::PullRequest& p, PlatformFlags& f);
Result<void> finish_platform(const PlatformFlags& f, engine::PullRequest& p);

// ---- pull.cpp

// run/create: --pull and the flags a pull needs.
struct RunPull {
  std::string policy = "missing";
  engine::PullRequest request;
  std::function<Result<void>(engine::PullRequest&)> finish;
};
void add_pull(CommandTable& r, CLI::App* sub);
void add_run_pull_flags(CLI::App* sub, CommandTable& r, RunPull& p);

// ---- the commands, one file each (or a small family)

void add_attach(CommandTable& r, CLI::App* sub);  // attach.cpp
void add_commit(CommandTable& r, CLI::App* sub);  // commit.cpp
void add_build(CommandTable& r, CLI::App* sub);   // build.cpp
void add_cp(CommandTable& r, CLI::App* sub);      // cp.cpp
void add_diff(CommandTable& r, CLI::App* sub);    // diff.cpp
void add_events(CommandTable& r, CLI::App* sub);  // events.cpp
void add_exec(CommandTable& r, CLI::App* sub);    // exec.cpp
void add_container_exists(CommandTable& r, CLI::App* sub);
void add_image_exists(CommandTable& r, CLI::App* sub);                                    // exists.cpp
void add_export(CommandTable& r, CLI::App* sub);                                          // export.cpp
void add_generate_systemd(CommandTable& r, CLI::App* sub);                                // generate.cpp
void add_healthcheck_run(CommandTable& r, CLI::App* sub);                                 // healthcheck.cpp
void add_history(CommandTable& r, CLI::App* sub);                                         // history.cpp
void add_images(CLI::App& app, CommandTable& r, CLI::App* sub);                           // images.cpp
void add_import(CommandTable& r, CLI::App* sub);                                          // import.cpp
void add_inspect_command(CommandTable& r, CLI::App* sub, const std::string& fixed_type);  // inspect.cpp
void add_kill(CommandTable& r, CLI::App* sub);                                            // kill.cpp
void add_pause(CommandTable& r, CLI::App* sub, bool pause);                               // pause.cpp
void add_stats(CommandTable& r, CLI::App* sub);                                           // stats.cpp
void add_pod_stats(CommandTable& r, CLI::App* sub);                                       // stats.cpp
void add_load(CommandTable& r, CLI::App* sub);                                            // load.cpp
void add_login(CommandTable& r, CLI::App* sub);
void add_logout(CommandTable& r, CLI::App* sub);   // login.cpp
void add_logs(CommandTable& r, CLI::App* sub);     // logs.cpp
void add_monitor(CommandTable& r, CLI::App* sub);  // monitor.cpp
void add_mount(CommandTable& r, CLI::App* sub);
void add_unmount(CommandTable& r, CLI::App* sub);  // mount.cpp
void add_container_prune(CommandTable& r, CLI::App* sub);
void add_prune(CommandTable& r, CLI::App* sub);  // prune.cpp
void add_ps(CommandTable& r, CLI::App* sub);
void add_port(CommandTable& r, CLI::App* sub);                // network.cpp
void network_commands(CLI::App& app, CommandTable& r);        // network.cpp
void volume_commands(CLI::App& app, CommandTable& r);         // volume.cpp
void pod_commands(CLI::App& app, CommandTable& r);            // pod.cpp
void kube_commands(CLI::App& app, CommandTable& r);           // kube.cpp
void add_push(CommandTable& r, CLI::App* sub);                // push.cpp
void add_rename(CommandTable& r, CLI::App* sub);              // rename.cpp
void add_restart(CommandTable& r, CLI::App* sub);             // restart.cpp
void add_rm(CommandTable& r, CLI::App* sub);                  // rm.cpp
void add_rmi(CommandTable& r, CLI::App* sub);                 // rmi.cpp
void add_run_like(CommandTable& r, CLI::App* sub, bool run);  // run.cpp
void add_save(CommandTable& r, CLI::App* sub);                // save.cpp
void add_start(CommandTable& r, CLI::App* sub);               // start.cpp
void add_stop(CommandTable& r, CLI::App* sub);                // stop.cpp
void add_df(CommandTable& r, CLI::App* sub);                  // system.cpp
void add_system_prune(CommandTable& r, CLI::App* sub);        // system.cpp
void add_system_check(CommandTable& r, CLI::App* sub);        // system.cpp
void add_info(CommandTable& r, CLI::App* sub);                // info.cpp
void add_version(CommandTable& r, CLI::App* sub);             // info.cpp
void add_quadlet(CommandTable& r, CLI::App* sub);
int quadlet_generator_main(int argc, char** argv, bool user);  // systemd.cpp
void add_tag(CommandTable& r, CLI::App* sub, bool untag);      // tag.cpp
void add_top(CommandTable& r, CLI::App* sub);                  // top.cpp
void add_unshare(CommandTable& r, CLI::App* sub);              // unshare.cpp
void add_wait(CommandTable& r, CLI::App* sub);                 // wait.cpp

}  // namespace berth::cli

// Containers: create, start (foreground or detached with a monitor), run, ps, rm, stop,
// kill, wait, logs, inspect.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"
#include "berth/engine/health.hpp"

namespace berth::engine {

struct RunOptions {
  std::string image;
  std::vector<std::string> command;
  std::optional<std::string> entrypoint;
  std::vector<std::string> env;
  std::string workdir;
  std::string user;
  std::string name;
  std::string hostname;
  std::vector<std::string> volumes;       // SRC:DST[:ro|rw], NAME:DST[:...], DST
  std::vector<std::string> volumes_from;  // CTR[:ro|rw]
  bool image_volumes = true;              // anonymous volumes for the image's VOLUME paths (not in build's RUN)
  std::vector<std::string> cap_add, cap_drop;
  std::vector<std::string> security_opt;
  std::string userns;                       // "", host, keep-id[:uid=N,gid=N]
  std::vector<std::string> uidmap, gidmap;  // CONTAINER:HOST:SIZE
  std::vector<std::string> labels;          // k=v
  std::vector<std::string> env_files;
  std::vector<std::string> group_add;
  std::vector<std::string> tmpfs;   // DST[:options]
  std::vector<std::string> mounts;  // type=bind|tmpfs,src=...,dst=...[,ro]
  std::string cidfile;
  std::string conmon_pidfile;  // --conmon-pidfile: the supervising process's pid (berth's monitor)
  std::string kernel_memory;   // --kernel-memory: a no-op, with podman's warning
  std::string runtime;         // --runtime: accepted; berth is its own runtime
  std::string memory;          // "64m"
  std::optional<std::int64_t> pids_limit;
  std::optional<double> cpus;
  std::vector<std::string> ulimits;  // name=soft[:hard]
  bool init = false;
  bool env_host = false;
  std::vector<std::string> default_env;                  // containers.conf env: under the image's
  std::optional<std::vector<std::string>> default_caps;  // containers.conf default_capabilities
  std::vector<std::string> unsetenv;                     // --unsetenv KEY: not from the image nor berth's defaults
  bool unsetenv_all = false;                             // --unsetenv-all: only what the flags set (and HOME)
  bool replace = false;
  std::string network = "private";   // private (lo only), none, host, bridge, NET[,NET...]
  std::vector<std::string> publish;  // -p [IP:][HOST:]CTR[/PROTO]
  bool publish_all = false;          // -P: the image's EXPOSE and --expose, on random ports
  std::vector<std::string> expose;
  std::string ip, mac;
  std::vector<std::string> aliases;
  std::vector<std::string> dns, dns_search, dns_option, add_host;
  bool no_hosts = false;
  std::string sdnotify = "conmon";          // conmon | container | ignore
  std::string restart;                      // no | on-failure[:N] | always | unless-stopped
  std::string log_driver = "k8s-file";      // k8s-file | journald | none | passthrough
  std::vector<std::string> log_opt;         // path= (k8s-file), tag= (journald)
  std::vector<std::string> create_command;  // the command line that made it (inspect, generate systemd --new)
  int create_image_index = -1;              // where IMAGE is in it
  HealthFlags health;
  std::string stop_signal;
  int stop_timeout = 10;
  bool rm = false;
  bool interactive = false;
  bool tty = false;
  bool detach = false;
  bool read_only = false;
  std::string umask;     // --umask: octal, as given
  std::string tz;        // --tz: a zone name, "local" (the host's)
  int timeout = 0;       // --timeout: seconds each run may last
  int preserve_fds = 0;  // --preserve-fds: fds 3 .. 3+N-1 of this berth go to the container
  bool privileged = false;
  std::string pod;           // --pod NAME|ID|new:NAME: join that pod (its infra's namespaces)
  std::string infra_of_pod;  // set by pod create: this is that pod's infra container
};

// Records what was asked (containers/<id>/config.json) and returns the id.
Result<std::string> create_container(Context& c, const RunOptions& o);

// Starts a created or exited container. Attached: berth is its parent and returns its exit
// code. Detached: a monitor (berth re-executed) becomes its parent, and this returns 0 once
// the container runs, or the error that kept it from starting (125/126/127).
Result<int> start_container(Context& c, const std::string& id, bool attach, bool interactive);

// create + start.
Result<int> run_container(Context& c, const RunOptions& o, std::string* id_out);

struct ExecOptions {
  std::string container;
  std::vector<std::string> command;
  std::vector<std::string> env;
  std::string user, workdir;
  bool interactive = false, tty = false, detach = false, privileged = false;
};
// Runs a command in a running container: its namespaces, capabilities and seccomp filter.
// Returns the command's exit code (0 at once with detach).
Result<int> exec_container(Context& c, const ExecOptions& o);

struct AttachOptions {
  std::string container;
  std::string detach_keys = "ctrl-p,ctrl-q";
  bool no_stdin = false;
  bool sig_proxy = true;
};
// Attaches this terminal to a detached container's output (and its stdin when it was created
// with -i) until it exits, returning its exit code, or until the detach keys (returning 0).
Result<int> attach_container(Context& c, const AttachOptions& o);

// The hidden `__monitor ID FD` command: runs the container with its output going to its log.
int monitor_main(Context& c, const std::string& id, int ready_fd);

struct ContainerSummary {
  std::string id, name, image, status;
  std::vector<std::string> command;
  std::int64_t created = 0, started = 0, finished = 0;  // unix seconds
  std::int64_t created_ns = 0;                          // for ordering
  int exit_code = 0;
  int pid = 0;
  Json labels;
  std::string image_id;
  std::string ports;               // "0.0.0.0:8080->80/tcp, ..."
  std::uint64_t size = 0;          // the writable layer, with want_size
  std::uint64_t virtual_size = 0;  // plus the image
  std::string restart_policy;      // as given: "no", "on-failure:3", ...
  std::string pod, pod_name;       // its pod, if any
  std::string health;              // running with a health check: starting, healthy, unhealthy
  bool restarting = false;         // exited; its monitor starts it again after the back-off
};
struct PsOptions {
  bool all = false;
  bool want_size = false;
  std::vector<std::string> filters;  // status= name= id= label= ancestor= exited= restart-policy= health=
};
Result<std::vector<ContainerSummary>> list_containers(Context& c, const PsOptions& o);

// Renames a container (names stay unique).
Result<void> rename_container(Context& c, const std::string& key, const std::string& new_name);
// Removes every container that is not running (but the infra containers of pods); returns their ids.
Result<std::vector<std::string>> prune_containers(Context& c);

// Resolves a name, full id or unique id prefix.
Result<std::string> container_id(Context& c, const std::string& key);

struct RmOptions {
  std::vector<std::string> containers;
  bool force = false;
  bool all = false;
  int time = 0;          // --force: seconds the stop signal gets before SIGKILL (-1: no limit)
  bool volumes = false;  // -v: also the container's anonymous volumes
  bool infra = false;    // may remove a pod's infra container (only pod rm does: it goes with its pod)
  bool depend = false;   // also the containers that join their namespaces (--network container:X ...)
};
struct MultiReport {
  std::vector<std::string> done;  // what to print, one per line
  std::vector<Error> errors;
};
Result<MultiReport> remove_containers(Context& c, const RmOptions& o);

struct StopOptions {
  std::vector<std::string> containers;
  bool all = false;
  std::optional<int> timeout;
};
Result<MultiReport> stop_containers(Context& c, const StopOptions& o);
Result<MultiReport> kill_containers(Context& c, const std::vector<std::string>& names, bool all,
                                    const std::string& signal);
// pause (true) / unpause: freezes or thaws each container's cgroup (all: every running or
// paused one). Rootless containers have no cgroup of their own here: an error, as podman's.
Result<MultiReport> pause_containers(Context& c, const std::vector<std::string>& names, bool all, bool pause);

// One sample of a container's resource use (stats). A rootful container's comes from its
// cgroup; a rootless one's (no cgroup of its own here) from /proc, summed over its processes.
struct ContainerStats {
  std::string id, name, pod;
  bool running = false;
  std::uint64_t cpu_ns = 0, mem_usage = 0, mem_limit = 0, pids = 0;
  std::uint64_t net_in = 0, net_out = 0, block_in = 0, block_out = 0;
  std::int64_t up_ns = 0;       // since it started
  std::int64_t sampled_ns = 0;  // CLOCK_MONOTONIC, for the CPU % between two samples
};
// all: every container (the stopped ones with zeros); none named: the running ones.
Result<std::vector<ContainerStats>> container_stats(Context& c, const std::vector<std::string>& names, bool all);
// Received and sent bytes in /proc/PID/net/dev text, over every interface but lo.
std::pair<std::uint64_t, std::uint64_t> parse_net_dev(const std::string& text);

// Blocks until each container has exited; reports their exit codes.
// Blocks until each container reaches one of `conditions` (default: stopped); reports its exit
// code for exited/stopped, -1 for the others, as podman wait does. Conditions: configured,
// created, running, exited, stopped; the others podman knows are refused.
Result<MultiReport> wait_containers(Context& c, const std::vector<std::string>& names,
                                    const std::vector<std::string>& conditions = {}, int interval_ms = 250);

struct LogsOptions {
  std::vector<std::string> containers;  // several: their lines merged in time order, each
                                        // after its container's short id (or name, `names`)
  bool names = false;
  bool follow = false;
  bool timestamps = false;
  std::optional<long> tail;
  std::optional<std::int64_t> since_ns, until_ns;
};
Result<void> container_logs(Context& c, const LogsOptions& o);

// `top`: the container's processes (found by its pid namespace), as rows of podman's
// default columns: USER PID PPID %CPU ELAPSED TTY TIME COMMAND.
// `descriptors`: podman's (user pid ppid pcpu etime tty time args comm group nice state vsz
// hpid huser seccomp), separate or comma-joined; empty: podman's default columns.
Result<std::vector<std::vector<std::string>>> container_top(Context& c, const std::string& key,
                                                            const std::vector<std::string>& descriptors = {});

// `generate systemd`: a unit per container, as podman generate systemd writes them.
struct GenerateSystemdOptions {
  std::vector<std::string> containers;
  bool recreate = false;  // --new: the unit creates the container (and removes it)
  bool use_name = false;  // --name: units and commands name the container, not its id
  std::optional<int> stop_timeout;
  std::string restart_policy = "on-failure";
  std::string prefix = "container";
  std::string separator = "-";
  // -e NAME[=VALUE]: Environment= lines (NAME alone: the host's value, when it has one)
  std::vector<std::string> env;
};
struct GeneratedUnit {
  std::string name;  // container-web.service
  std::string text;
};
Result<std::vector<GeneratedUnit>> generate_systemd(Context& c, const GenerateSystemdOptions& o);
// One ExecStart= argument, quoted and escaped for systemd (pure; tested).
std::string systemd_quote(std::string_view arg);
// This berth binary (resolved) with --root/--runroot when given, quoted for a unit.
std::string berth_command(const std::string& root, const std::string& runroot);

// Podman's container inspect object.
Result<Json> inspect_container(Context& c, const std::string& key);

// "TERM", "SIGTERM", "15" -> 15; unknown names are usage errors.
Result<int> parse_signal(const std::string& s);

// --restart: "no", "on-failure[:N]" (N > 0 caps the restarts), "always", "unless-stopped".
struct RestartPolicy {
  std::string name = "no";
  int max_retries = 0;  // on-failure only; 0: no limit
};
Result<RestartPolicy> parse_restart_policy(const std::string& s);
// Whether the monitor starts the container again after it exited with `code`, having
// restarted it `restarts` times; never after berth stop or kill (`stopped`).
bool should_restart(const RestartPolicy& p, int code, int restarts, bool stopped);
// The pause before restart number `restarts` + 1: 100 ms, doubling, at most 10 s.
int restart_delay_ms(int restarts);

// Docker's rule for combining image and flags into argv.
Result<std::vector<std::string>> container_argv(const Json& image_config, const std::optional<std::string>& entrypoint,
                                                const std::vector<std::string>& command);

}  // namespace berth::engine

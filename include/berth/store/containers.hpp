// The store's container wing: containers/<id>/config.json (what was asked, ContainerConfig),
// containers/<id>/state.json (what happened, ContainerState), the names index, and each
// container's directories. Every read and write of containers/<id> is here.
//
// The records are typed: every flag is parsed once, at create, into the fields below, and
// nothing downstream parses a flag's text again. The JSON codecs live here too, with a schema
// version; records written by berth before the typed records (schema 1: no "schema" key,
// volumes as "SRC:DST[:ro]" strings) still load.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/digest.hpp"
#include "berth/core/json.hpp"
#include "berth/store/store.hpp"

namespace berth::store {

// 1: the untyped records (no "schema" key); 2: these.
inline constexpr int kContainerSchema = 2;

// A bind mount of a host path (-v, --mount type=bind).
struct Volume {
  std::string source;  // absolute host path (a named volume's: its _data dir, set at create)
  std::string target;  // absolute container path, cleaned
  bool read_only = false;
  bool is_file = false;  // the source is not a directory
  std::string name;      // a named or anonymous volume of the store; empty for a bind mount
  bool nocopy = false;   // -v NAME:/dst:nocopy: no copy-up of the image's content (not kept)
  bool operator==(const Volume&) const = default;
};

// A tmpfs (--tmpfs, --mount type=tmpfs).
struct Tmpfs {
  std::string target;   // cleaned
  std::string options;  // "rw,noexec,nosuid,nodev,size=64m"
  bool operator==(const Tmpfs&) const = default;
};

// A published port (-p); host_port 0: a random one, picked at each start.
struct PortMapping {
  std::string host_ip;
  std::uint16_t host_port = 0;
  std::uint16_t container_port = 0;
  std::string protocol = "tcp";
  bool operator==(const PortMapping&) const = default;
};

// Docker's HealthConfig, resolved at create (flags over the image's HEALTHCHECK).
struct HealthCheck {
  std::vector<std::string> test;                             // {"CMD", ...} or {"CMD-SHELL", "..."}
  std::int64_t interval = 0, timeout = 0, start_period = 0;  // ns; interval 0: no timer
  int retries = 0;
  bool operator==(const HealthCheck&) const = default;
};

struct ContainerConfig {
  int schema = kContainerSchema;
  std::string id, name;
  Digest image_id;
  std::string image;                 // the name it was created from
  std::vector<std::string> command;  // argv: entrypoint and command, combined at create
  std::vector<std::string> env;      // KEY=VALUE from the flags (bare KEYs resolved at create)
  std::string workdir, user, hostname;
  std::vector<Volume> volumes;
  std::vector<Tmpfs> tmpfs;
  std::vector<std::string> group_add;
  std::optional<std::int64_t> memory, pids_limit;
  std::optional<double> cpus;
  std::vector<std::string> ulimits;  // "name=soft[:hard]", checked at create
  std::string seccomp_profile;       // the text of --security-opt seccomp=FILE
  bool init = false;
  std::vector<std::string> cap_add, cap_drop;
  std::vector<std::string> security_opt;
  std::string userns;                       // --userns as given ("" or host: the default)
  std::vector<std::string> uidmap, gidmap;  // --uidmap/--gidmap as given
  std::string network = "private";
  std::vector<std::string> networks;      // bridge mode: the networks joined (empty: the default one)
  std::vector<std::string> network_opts;  // pasta mode: pasta's own options (--network pasta:OPT,...)
  std::vector<PortMapping> ports;
  std::string ip, mac;               // --ip, --mac-address (the first network)
  std::vector<std::string> aliases;  // --network-alias
  std::vector<std::string> dns, dns_search, dns_option, add_host;
  bool no_hosts = false;
  std::string pod;        // the id of the pod it belongs to
  bool is_infra = false;  // the pod's infra container, holding its namespaces
  std::string uts, ipc;   // "container:ID": join that container's UTS / IPC namespace
  std::string pid;        // "container:ID": join its pid namespace (a pod sharing pid)
  std::string sdnotify = "conmon";
  std::string restart = "no";
  std::string log_driver = "k8s-file";
  std::vector<std::string> log_opt;
  std::vector<std::string> create_command;  // the command line that made it
  int create_image_index = -1;              // where IMAGE is in it
  std::map<std::string, std::string> labels;
  std::string stop_signal = "SIGTERM";
  int stop_timeout = 10;
  std::optional<HealthCheck> healthcheck;
  std::string health_on_failure = "none";
  int health_max_log_count = 5, health_max_log_size = 500;
  bool read_only = false, privileged = false, rm = false, interactive = false, tty = false;
  int umask = 022;             // --umask
  int timeout = 0;             // --timeout: seconds each run may last (0: no limit)
  std::string conmon_pidfile;  // --conmon-pidfile: written with the supervising process's pid at each start
  int preserve_fds = 0;
  std::vector<std::string> default_env;  // containers.conf env: under the image's
  std::vector<std::string> unsetenv;     // --unsetenv: keys dropped from the image's env and the defaults
  bool unsetenv_all = false;             // --unsetenv-all: neither the image's env nor the defaults
  std::string timezone;                  // --tz: a zone of /usr/share/zoneinfo, or "local"
  std::int64_t created = 0;              // ns since the epoch
};

struct ContainerState {
  std::string status = "created";  // created, running, exited
  int pid = 0;
  unsigned long long start_time = 0;       // of pid (/proc/PID/stat field 22): a reused pid is not it
  std::int64_t started = 0, finished = 0;  // ns
  int exit_code = 0;
  std::string error;
  int restart_count = 0;
  bool paused = false;  // running, its cgroup frozen (pause); shown as "paused"
  // Between two runs of a --restart container: its monitor, which starts it again.
  bool restarting = false;
  int monitor_pid = 0;
  unsigned long long monitor_start_time = 0;

  // Running only while the recorded pid is alive with the recorded start time.
  bool alive() const;
  // "running", "exited" or "created", a dead "running" shown as exited.
  std::string shown_status() const;
  // restarting, and the monitor that will start it is alive.
  bool restart_pending() const;
  static ContainerState running(int pid, unsigned long long start_time, std::int64_t started_ns);
  // This state, ended with `exit_code` now.
  ContainerState exited(int exit_code, const std::string& error = "") const;
  // This state marked as waiting for this process (the monitor) to restart it, or not.
  ContainerState with_restarting(bool on) const;
};

// Docker's HealthConfig object for it (inspect's Config.Healthcheck).
Json health_json(const HealthCheck& h);
Json to_json(const ContainerConfig& c);
// Decodes either schema; unknown keys are ignored, missing ones take the defaults. Errors only
// for a document that is not an object or has no valid id/image_id.
Result<ContainerConfig> container_config_from_json(const Json& j);
Json to_json(const ContainerState& s);
ContainerState container_state_from_json(const Json& j);
// "SRC:DST[:ro|rw|z|Z]" as schema 1 stored it (no stat: is_file is left false).
std::optional<Volume> legacy_volume(std::string_view s);

struct ContainerRecord {
  std::string id;
  ContainerConfig config;
  ContainerState state;
};

// A record (a schema-1 record's volumes get is_file from their source now).
Result<ContainerRecord> read_container(const Store& s, const std::string& id);
// Every readable record; a half-created or removed one is skipped.
Result<std::vector<ContainerRecord>> read_containers(const Store& s);
// The container's new config, atomically (rename); durable (fsync) unless `durable` is false.
Result<void> write_config(const Store& s, const ContainerConfig& c, bool durable = true);
Result<void> write_state(const Store& s, const std::string& id, const ContainerState& st);
// Builds containers/<id> (config.json, upper, work, merged) in tmp/ and renames it into
// place: a reader never sees half a container. `durable`: fsync the record (not for --rm).
Result<void> publish_container(const Store& s, const ContainerConfig& c, bool durable);

// By exact name, full id, or unique id prefix, over the records (podman's wording on failure).
Result<std::string> find_container(const std::vector<ContainerRecord>& all, std::string_view key);
// The names index: ROOT/container-names/NAME is a symlink to the id, so that a name is found
// and claimed without reading every container's record. A link whose container is gone is
// stale and ignored. Changed only under the store's write lock; built from the records the
// first time a writer finds it missing (a store made before it).
//
// By exact name, full id or unique id prefix, reading no record; an unknown key falls back to
// find_container over all records (a store without the index).
Result<std::string> resolve_container(const Store& s, std::string_view key);
// 64 lowercase hex digits: a whole container id.
bool is_full_id(std::string_view key);
// Podman's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]* (so a name is also a safe
// file name in the index).
Result<void> check_container_name(std::string_view name);
// Claims `name` for `id`: empty on success, else the id of the live container that has it.
Result<std::string> claim_name(const Store& s, const std::string& name, const std::string& id);
// Drops `name` from the index if it still names `id`.
void release_name(const Store& s, const std::string& name, const std::string& id);

// `berth stop` / `kill` mark a container stopped by the user (a file "stopped" in its run dir),
// so that its monitor does not restart it; `start` clears the mark.
void mark_stopped(const Store& s, const std::string& id);
void clear_stopped(const Store& s, const std::string& id);
bool was_stopped(const Store& s, const std::string& id);
// While `berth stop` waits for the container to end, a file "stopping" in its run dir: inspect
// shows the state "stopping" then, as podman's. `start` clears it too.
void mark_stopping(const Store& s, const std::string& id, bool on);
bool is_stopping(const Store& s, const std::string& id);

// Renames the container's directory into tmp/ and deletes it there (holding the write lock).
// `background`: the deletion of what is in tmp/ (no longer the container) is left to a
// detached process, so that a foreground `run --rm` returns without waiting for it; only from
// a single-threaded process, else it is done here.
Result<void> remove_container_dir(const Store& s, const std::string& id, bool background = false);
// The same in two steps, for a caller that holds the write lock only for the first: the
// rename (the container is gone from the store), then the deletion once the lock is released.
// The renamed directory stays locked in between, so no sweep of tmp/ deletes beside it.
struct TakenDir {
  sys::UniqueFd lock;
  std::string name;  // under tmp/
  std::string id;
};
Result<std::optional<TakenDir>> take_container_dir(const Store& s, const std::string& id);
void delete_taken(const Store& s, TakenDir& t);

std::string container_dir(const Store& s, const std::string& id);  // absolute
// RUNROOT/containers/ID, a tmpfs: what runs need and a reboot may lose (hostname, hosts,
// resolv.conf, the attach and notify sockets, the monitor's log, the health state, the
// stopped mark), so that a run makes and frees no disk inodes for them. `open_run_dir` makes
// it when missing.
std::string container_run_dir(const Store& s, const std::string& id);
Result<sys::UniqueFd> open_run_dir(const Store& s, const std::string& id);

std::int64_t now_ns();

}  // namespace berth::store

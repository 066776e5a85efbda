// The container records of the store (engine-private): containers/<id>/config.json is what
// was asked, state.json what happened. Both are written atomically.
#pragma once

#include <optional>

#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/store/store.hpp"
#include "berth/sys/fd.hpp"

namespace berth::engine::detail {

struct ContainerRecord {
  std::string id;
  Json config;
  Json state;
};

Result<std::vector<ContainerRecord>> read_containers(const store::Store& s);
Result<ContainerRecord> read_container(const store::Store& s, const std::string& id);
// By exact name, full id, or unique id prefix (podman's wording on failure).
Result<std::string> find_container(const std::vector<ContainerRecord>& all, std::string_view key);
Result<void> write_state(const store::Store& s, const std::string& id, const Json& state);

// The names index: ROOT/container-names/NAME is a symlink to the id, so that a name is found
// and claimed without reading every container's record (run, stop, inspect ... stay O(1) with
// a thousand containers). A link whose container is gone is stale and ignored. Changed only
// under the store's write lock; built from the records the first time a writer finds it
// missing (a store made before it).
//
// By exact name, full id or unique id prefix, as find_container, reading no record; an unknown
// key falls back to find_container over all records (a store without the index).
Result<std::string> resolve_container(const store::Store& s, std::string_view key);
// 64 lowercase hex digits: a whole container id.
bool is_full_id(std::string_view key);
// Podman's rule for container names: [a-zA-Z0-9][a-zA-Z0-9_.-]* (so a name is also a safe
// file name in the index).
Result<void> check_container_name(std::string_view name);
// Claims `name` for `id`: empty on success, else the id of the live container that has it.
Result<std::string> claim_name(const store::Store& s, const std::string& name, const std::string& id);
// Drops `name` from the index if it still names `id`.
void release_name(const store::Store& s, const std::string& name, const std::string& id);

std::int64_t now_ns();
Json running_state(int pid, unsigned long long start_time, std::int64_t started_ns);
Json exited_state(const Json& previous, int exit_code, const std::string& error = "");

// Running only while the recorded pid is alive with the recorded start time.
bool alive(const Json& state);
// `berth stop` / `kill` mark a container stopped by the user (a file "stopped" in its run dir),
// so that its monitor does not restart it; `start` clears the mark.
void mark_stopped(const store::Store& s, const std::string& id);
void clear_stopped(const store::Store& s, const std::string& id);
bool was_stopped(const store::Store& s, const std::string& id);
// "running", "exited" or "created", with a dead "running" shown as exited.
std::string status_of(const Json& state);
// Between two runs of a --restart container: its monitor (recorded in the state, pid and start
// time) is alive and will start it again after its back-off.
bool restarting(const Json& state);
// The state that says so (the exited state plus the monitor), or without it again.
Json with_restarting(const Json& state, bool on);

// Renames the container's directory into tmp/ and deletes it there (holding the write lock).
// `background`: the deletion of what is in tmp/ (no longer the container) is left to a
// detached process, so that a foreground `run --rm` returns without waiting for it; only from
// a single-threaded process, else it is done here.
Result<void> remove_container_dir(const store::Store& s, const std::string& id, bool background = false);
// The same in two steps, for a caller that holds the write lock only for the first: the
// rename (the container is gone from the store), then the deletion once the lock is released.
// The renamed directory stays locked in between, so no sweep of tmp/ deletes beside it.
struct TakenDir {
  sys::UniqueFd lock;
  std::string name;  // under tmp/
  std::string id;
};
Result<std::optional<TakenDir>> take_container_dir(const store::Store& s, const std::string& id);
void delete_taken(const store::Store& s, TakenDir& t);

std::string container_dir(const store::Store& s, const std::string& id);  // absolute
// RUNROOT/containers/ID, a tmpfs: what runs need and a reboot may lose (hostname, hosts,
// resolv.conf, the attach and notify sockets, the monitor's log, the health state, the
// stopped mark), so that a run makes and frees no disk inodes for them. `open_run_dir` makes
// it when missing.
std::string container_run_dir(const store::Store& s, const std::string& id);
Result<sys::UniqueFd> open_run_dir(const store::Store& s, const std::string& id);

}  // namespace berth::engine::detail

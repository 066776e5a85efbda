#include "container_record.hpp"

#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>

#include "berth/runtime/spec.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine::detail {

namespace {
constexpr size_t kMax = 16 << 20;
}

Result<ContainerRecord> read_container(const store::Store& s, const std::string& id) {
  auto cfg = sys::read_file_at(s.root(), "containers/" + id + "/config.json", kMax);
  if (!cfg) return fail(Errc::not_found, "no container with ID {} found in the store", id);
  auto cj = TRY(parse_json(*cfg, "container config"));
  Json sj = Json::object();
  if (auto st = sys::read_file_at(s.root(), "containers/" + id + "/state.json", kMax); st)
    if (auto p = parse_json(*st, "container state"); p) sj = *p;
  return ContainerRecord{id, cj, sj};
}

Result<std::vector<ContainerRecord>> read_containers(const store::Store& s) {
  std::vector<ContainerRecord> out;
  for (const auto& id : TRY(sys::list_dir(s.root(), "containers"))) {
    auto r = read_container(s, id);
    if (r) out.push_back(std::move(*r));  // a half-created or removed one is skipped
  }
  return out;
}

Result<std::string> find_container(const std::vector<ContainerRecord>& all, std::string_view key) {
  for (const auto& c : all)
    if (json_str(c.config, "name") == key || c.id == key) return c.id;
  std::string found;
  if (!key.empty())
    for (const auto& c : all)
      if (c.id.starts_with(key)) {
        if (!found.empty()) return fail(Errc::conflict, "more than one result for container \"{}\"", key);
        found = c.id;
      }
  if (found.empty()) return fail(Errc::not_found, "no container with name or ID \"{}\" found: no such container", key);
  return found;
}

bool is_full_id(std::string_view k) { return k.size() == 64 && is_hex(k); }

namespace {

constexpr const char* kNames = "container-names";

// The id a name's link points to ("" when there is no link).
std::string name_link(const store::Store& s, std::string_view name) {
  if (name.empty() || name.find('/') != std::string_view::npos || name == "." || name == "..") return "";
  char buf[128];
  ssize_t n = ::readlinkat(s.root(), fmt::format("{}/{}", kNames, name).c_str(), buf, sizeof buf);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf)) return "";
  return std::string(buf, static_cast<size_t>(n));
}

bool container_exists(const store::Store& s, std::string_view id) {
  return is_full_id(id) && sys::exists_at(s.root(), fmt::format("containers/{}/config.json", id));
}

// Under the write lock: the index, built from the records when the store has none yet.
Result<void> ensure_name_index(const store::Store& s) {
  struct stat st;
  if (::fstatat(s.root(), kNames, &st, AT_SYMLINK_NOFOLLOW) == 0) return {};
  auto t = TRY(s.temp("names"));
  for (const auto& r : TRY(read_containers(s))) {
    std::string name = json_str(r.config, "name");
    if (!name.empty() && name.find('/') == std::string::npos) (void)::symlinkat(r.id.c_str(), t.fd(), name.c_str());
  }
  if (::renameat(s.tmp(), t.name().c_str(), s.root(), kNames) != 0) return fail_errno("create the container names index");
  t.release();
  return {};
}

}  // namespace

Result<std::string> resolve_container(const store::Store& s, std::string_view key) {
  if (std::string id = name_link(s, key); container_exists(s, id)) return id;
  if (container_exists(s, key)) return std::string(key);
  if (!key.empty() && key.size() < 64 && is_hex(key)) {
    std::string found;
    for (const auto& id : TRY(sys::list_dir(s.root(), "containers")))
      if (std::string_view(id).starts_with(key) && container_exists(s, id)) {
        if (!found.empty()) return fail(Errc::conflict, "more than one result for container \"{}\"", key);
        found = id;
      }
    if (!found.empty()) return found;
  }
  return find_container(TRY(read_containers(s)), key);  // not indexed (an older store), or unknown
}

Result<void> check_container_name(std::string_view name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0])) ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != std::string_view::npos)
    return fail(Errc::usage, "invalid container name \"{}\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
  return {};
}

Result<std::string> claim_name(const store::Store& s, const std::string& name, const std::string& id) {
  TRY(check_container_name(name));  // never a path out of the index
  TRY(ensure_name_index(s));
  std::string link = fmt::format("{}/{}", kNames, name);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (::symlinkat(id.c_str(), s.root(), link.c_str()) == 0) return std::string();
    if (errno != EEXIST) return fail_errno("claim the container name {}", name);
    std::string holder = name_link(s, name);
    if (holder == id) return std::string();
    if (container_exists(s, holder)) return holder;
    ::unlinkat(s.root(), link.c_str(), 0);  // stale: its container is gone
  }
  return fail(Errc::conflict, "claim the container name {}: it keeps changing", name);
}

void release_name(const store::Store& s, const std::string& name, const std::string& id) {
  if (check_container_name(name) && name_link(s, name) == id) ::unlinkat(s.root(), fmt::format("{}/{}", kNames, name).c_str(), 0);
}

Result<void> write_state(const store::Store& s, const std::string& id, const Json& st) {
  auto dir = TRY(sys::open_beneath(s.root(), "containers/" + id, O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_replace(dir.get(), "state.json", dump_json(st));
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Json running_state(int pid, unsigned long long start_time, std::int64_t started_ns) {
  return {{"status", "running"}, {"pid", pid}, {"start_time", start_time}, {"started", started_ns},
          {"finished", 0}, {"exit_code", 0}, {"error", ""}};
}

Json exited_state(const Json& previous, int exit_code, const std::string& error) {
  Json st = previous.is_object() ? previous : Json::object();
  st["status"] = "exited";
  st["pid"] = 0;
  st["finished"] = now_ns();
  st["exit_code"] = exit_code;
  st["error"] = error;
  if (!st.contains("started")) st["started"] = 0;
  return st;
}

void mark_stopped(const store::Store& s, const std::string& id) {
  // No run dir: the container never ran, and nothing is there to restart it.
  int fd = ::open((container_run_dir(s, id) + "/stopped").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) ::close(fd);
}

void clear_stopped(const store::Store& s, const std::string& id) { ::unlink((container_run_dir(s, id) + "/stopped").c_str()); }

bool was_stopped(const store::Store& s, const std::string& id) {
  return ::access((container_run_dir(s, id) + "/stopped").c_str(), F_OK) == 0;
}

bool alive(const Json& state) {
  int pid = static_cast<int>(json_int(state, "pid"));
  if (json_str(state, "status") != "running" || pid <= 0) return false;
  auto recorded = static_cast<unsigned long long>(json_int(state, "start_time"));
  return runtime::process_start_time(pid) == recorded && recorded != 0;
}

bool restarting(const Json& state) {
  if (!state.value("restarting", false)) return false;
  auto mon = static_cast<pid_t>(json_int(state, "monitor_pid"));
  auto start = static_cast<unsigned long long>(json_int(state, "monitor_start_time"));
  return mon > 0 && start != 0 && runtime::process_start_time(mon) == start;
}

Json with_restarting(const Json& state, bool on) {
  Json st = state;
  if (!on) {
    st.erase("restarting");
    st.erase("monitor_pid");
    st.erase("monitor_start_time");
    return st;
  }
  st["restarting"] = true;
  st["monitor_pid"] = ::getpid();
  st["monitor_start_time"] = runtime::process_start_time(::getpid());
  return st;
}

std::string status_of(const Json& state) {
  std::string s = json_str(state, "status", "created");
  if (s == "running" && !alive(state)) return "exited";
  return s;
}

Result<std::optional<TakenDir>> take_container_dir(const store::Store& s, const std::string& id) {
  // `berth mount` may have left the overlay mounted here: never delete through it.
  // A commit reading the container holds a shared lock on its directory: wait for it.
  sys::UniqueFd dir(::openat(s.root(), ("containers/" + id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::flock(dir.get(), LOCK_EX);
  std::string merged = container_dir(s, id) + "/merged";
  for (int i = 0; i < 16 && ::umount2(merged.c_str(), MNT_DETACH) == 0; i++) {
  }
  // Renamed into tmp/ under a name of its own, its directory lock still held (sweeps of tmp/
  // skip it), then deleted there: no directory is made just to delete one.
  std::string name = "rm-" + id;  // ids are never reused
  if (::renameat(s.root(), ("containers/" + id).c_str(), s.tmp(), name.c_str()) < 0) {
    if (errno == ENOENT) return std::nullopt;
    return fail_errno("remove container {}", id);
  }
  // The name goes after the container (a crash in between leaves a stale link, never a live
  // container whose name could be claimed twice).
  if (auto cfg = sys::read_file_at(s.tmp(), name + "/config.json", kMax); cfg)
    if (auto j = parse_json(*cfg, "container config"); j) release_name(s, json_str(*j, "name"), id);
  return TakenDir{std::move(dir), name, id};
}

void delete_taken(const store::Store& s, TakenDir& t) {
  (void)sys::remove_tree(s.tmp(), t.name);  // what stays (an error) goes with a later sweep
  (void)sys::remove_tree(s.runroot(), "containers/" + t.id);  // its tmpfs files, if any
  t.lock.reset();
}

Result<void> remove_container_dir(const store::Store& s, const std::string& id, bool background) {
  auto taken = TRY(take_container_dir(s, id));
  if (!taken) return {};
  if (background && sys::thread_count() == 1) {
    // A child nobody waits for: the caller is a foreground berth about to exit (its child is
    // then reaped by init). It holds none of the caller's fds: not its output (a shell reading
    // it waits for every writer), not the store's lock (a flock lives as long as any copy of
    // its fd). It takes the directory's lock anew (once the caller's goes), so no sweep
    // deletes beside it; killed half-way, it leaves a directory the next sweep removes.
    std::string tmp = s.paths().root + "/tmp", run = s.paths().runroot, name = taken->name;
    pid_t child = ::fork();
    if (child == 0) {
      ::setsid();
      ::syscall(SYS_close_range, 0U, ~0U, 0U);
      int null = ::open("/dev/null", O_RDWR);
      for (int fd = 0; fd < 3; fd++)
        if (fd != null) ::dup2(null, fd);
      int tmp_fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      int mine = tmp_fd < 0 ? -1 : ::openat(tmp_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (mine >= 0 && ::flock(mine, LOCK_EX) == 0) (void)sys::remove_tree(tmp_fd, name);  // once the caller let go
      int run_fd = ::open(run.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (run_fd >= 0) (void)sys::remove_tree(run_fd, "containers/" + id);
      ::_exit(0);
    }
    if (child > 0) return {};
  }
  delete_taken(s, *taken);
  return {};
}

std::string container_run_dir(const store::Store& s, const std::string& id) {
  return fmt::format("{}/containers/{}", s.paths().runroot, id);
}

Result<sys::UniqueFd> open_run_dir(const store::Store& s, const std::string& id) {
  return sys::make_dirs(s.runroot(), "containers/" + id, 0700);
}

std::string container_dir(const store::Store& s, const std::string& id) {
  return fmt::format("{}/containers/{}", s.paths().root, id);
}

}  // namespace berth::engine::detail

// ps, rm, stop, kill, wait, container inspect (top is in top.cpp).
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <chrono>
#include <cstring>
#include <thread>

#include "berth/core/humanize.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/health.hpp"
#include "berth/engine/network.hpp"
#include "berth/engine/run.hpp"
#include "berth/engine/volume.hpp"
#include "berth/runtime/cgroup.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "berth/store/containers.hpp"
#include "berth/store/pods.hpp"
#include "berth/sys/process.hpp"
#include "filters.hpp"

namespace berth::engine {

namespace {

using store::ContainerRecord;

struct SignalName {
  const char* name;
  int number;
};
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},   {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"PWR", SIGPWR},   {"SYS", SIGSYS},
};

std::int64_t to_seconds(std::int64_t ns) { return ns / 1000000000; }

using sys::wait_gone;

// The container process's parent (its monitor, or a foreground berth), as a pidfd taken while
// the container still runs: that parent records the exit and then exits itself.
sys::UniqueFd parent_pidfd(int pid) {
  pid_t ppid = sys::parent_pid(pid);
  return ppid > 1 ? sys::pidfd_open(ppid) : sys::UniqueFd{};
}

// After the process is gone, its parent (monitor or foreground berth) records the exit; if that
// parent was killed too, nobody will, so record it here.
// `removed`: a fifo that hangs up when a --rm container's record is gone (see exit_fifo).
void settle(Context& c, const std::string& id, int code_if_orphan, int parent = -1, int removed = -1) {
  // Wake up the moment the parent is done rather than polling the record.
  if (parent >= 0 || removed >= 0) sys::wait_readable({parent, removed}, 10000);
  for (int i = 0; i < 1000; i++) {
    auto rec = store::read_container(c.store, id);
    if (!rec || rec->state.status != "running") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(i < 100 ? 1 : 10));
  }
  auto lock = c.store.write_lock();
  auto rec = store::read_container(c.store, id);
  if (rec && rec->state.status == "running" && !rec->state.alive())
    (void)store::write_state(c.store, id, rec->state.exited(code_if_orphan));
}

// A -d --rm container's monitor holds the write end of RUNROOT/containers/ID/exit (a fifo) and
// closes it once the container's directory is renamed away (its files are deleted after that):
// opened here, the fifo hangs up then, so berth stop need not wait for the monitor's own exit.
sys::UniqueFd exit_fifo(Context& c, const std::string& id) {
  std::string path = store::container_run_dir(c.store, id) + "/exit";
  return sys::UniqueFd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
}

// A --restart container between two runs: its monitor waits out the back-off. stop and rm -f
// end that wait (the monitor goes; nothing runs) and the record says it no longer restarts.
void end_restarting(Context& c, const std::string& id, const store::ContainerState& state) {
  if (!state.restart_pending()) return;
  int mon = state.monitor_pid;
  auto start = state.monitor_start_time;
  sys::UniqueFd fd = sys::pidfd_open(mon);
  if (fd && sys::process_start_time(mon) == start) {
    sys::pidfd_signal(fd.get(), SIGKILL);
    sys::wait_readable({fd.get()}, 5000);
  }
  auto lock = c.store.write_lock();
  if (auto cur = store::read_container(c.store, id); cur)
    (void)store::write_state(c.store, id, cur->state.with_restarting(false));
}

// Sends `sig`, gives the process `seconds` (-1: no limit) to end, then SIGKILLs it and waits for
// that; true when SIGKILL was needed (stop's warning).
// A paused container is thawed once the signal is queued, so that it can act on it.
bool end_process(pid_t pid, unsigned long long start, int sig, int seconds, bool paused) {
  (void)sys::send_signal(pid, sig);
  if (paused) (void)runtime::freeze_cgroup_of(pid, false);
  if (wait_gone(pid, start, seconds < 0 || seconds > 2000000 ? INT_MAX : seconds * 1000)) return false;
  (void)sys::send_signal(pid, SIGKILL);
  wait_gone(pid, start, 10000);
  return true;
}

Result<std::vector<std::string>> targets(Context& c, const std::vector<std::string>& names, bool all,
                                         std::vector<Error>& errors, std::vector<std::string>* labels = nullptr) {
  auto lock = TRY(c.store.read_lock());
  std::vector<std::string> ids;
  if (all)
    for (const auto& r : TRY(store::read_containers(c.store))) {
      ids.push_back(r.id);
      if (labels) labels->push_back(r.id);
    }
  for (const auto& n : names) {
    auto id = store::resolve_container(c.store, n);
    if (!id)
      errors.push_back(id.error());
    else {
      ids.push_back(*id);
      if (labels) labels->push_back(n);
    }
  }
  return ids;
}

}  // namespace

Result<RestartPolicy> parse_restart_policy(const std::string& s) {
  RestartPolicy p;
  if (s.empty() || s == "no") return p;
  if (s == "always" || s == "unless-stopped") {
    p.name = s;
    return p;
  }
  if (s == "on-failure" || s.starts_with("on-failure:")) {
    p.name = "on-failure";
    if (s.size() > 10) {
      std::string n = s.substr(11);
      char* end = nullptr;
      long v = std::strtol(n.c_str(), &end, 10);
      if (n.empty() || *end || v < 0 || v > 1000000)
        return fail(Errc::usage, "invalid restart policy \"{}\": the retry count must be a number >= 0", s);
      p.max_retries = static_cast<int>(v);
    }
    return p;
  }
  if (s.find(':') != std::string::npos)
    return fail(Errc::usage, "restart policy \"{}\": only on-failure takes a retry count", s);
  return fail(Errc::usage, "invalid restart policy \"{}\": use no, on-failure[:N], always or unless-stopped", s);
}

bool should_restart(const RestartPolicy& p, int code, int restarts, bool stopped) {
  if (stopped || p.name == "no") return false;
  if (p.name == "on-failure") return code != 0 && (p.max_retries == 0 || restarts < p.max_retries);
  return true;
}

int restart_delay_ms(int restarts) {
  int ms = 100;
  for (int i = 0; i < restarts && ms < 10000; i++) ms *= 2;
  return std::min(ms, 10000);
}

Result<int> parse_signal(const std::string& given) {
  std::string s = given.starts_with('-') ? given.substr(1) : given;  // `kill -s -HUP`, as podman
  std::string n = s;
  std::transform(n.begin(), n.end(), n.begin(), ::toupper);
  if (n.starts_with("SIG")) n = n.substr(3);
  if (!n.empty() && std::all_of(n.begin(), n.end(), ::isdigit)) {
    int v = n.size() > 3 ? 999 : std::atoi(n.c_str());
    if (v > 0 && v < 65) return v;
    if (v > 64) return fail(Errc::usage, "valid signals are 1 through 64");
  } else {
    for (const auto& sg : kSignals)
      if (n == sg.name) return sg.number;
    if (n.starts_with("RTMIN")) {
      int off = n.size() > 6 && n[5] == '+' ? std::atoi(n.c_str() + 6) : 0;
      if (off >= 0 && SIGRTMIN + off <= SIGRTMAX) return SIGRTMIN + off;
    }
  }
  return fail(Errc::usage, "invalid signal: {}", s);
}

Result<std::string> container_id(Context& c, const std::string& key) {
  auto lock = TRY(c.store.read_lock());
  return store::resolve_container(c.store, key);
}

namespace {

using PsFilter = detail::KeyFilter;

Result<std::vector<PsFilter>> parse_ps_filters(const std::vector<std::string>& raw) {
  auto out = TRY(detail::parse_key_filters(
      raw, {"status", "name", "id", "label", "ancestor", "exited", "restart-policy", "health", "pod"}));
  for (const auto& x : out) {
    if (x.key == "status" && !std::set<std::string>{"created", "running", "exited", "paused", "stopped", "stopping",
                                                    "configured", "unknown", "removing"}
                                  .count(x.value))
      return fail(Errc::usage, "invalid filter \"status={}\": not a container state", x.value);
    if (x.key == "name") {
      try {
        (void)std::regex(x.value);
      } catch (const std::regex_error&) {
        return fail(Errc::usage, "invalid filter \"name={}\": not a regular expression", x.value);
      }
    }
    if (x.key == "restart-policy" &&
        !std::set<std::string>{"no", "none", "on-failure", "always", "unless-stopped"}.count(x.value))
      return fail(Errc::usage, "{} invalid restart policy", x.value);  // podman's words
    if (x.key == "health" && !std::set<std::string>{"starting", "healthy", "unhealthy", "none"}.count(x.value))
      return fail(Errc::usage, "invalid filter \"health={}\": use starting, healthy, unhealthy or none", x.value);
    if (x.key == "exited" && (x.value.empty() || x.value.find_first_not_of("0123456789") != std::string::npos))
      return fail(Errc::usage, "invalid filter \"exited={}\": not an exit code", x.value);
  }
  return out;
}

bool ps_match(const ContainerSummary& s, const std::vector<PsFilter>& filters) {
  return detail::match_key_filters(filters, [&](const PsFilter& f) {
    if (f.key == "status") return s.status == f.value || (f.value == "stopped" && s.status == "exited");
    if (f.key == "name") return std::regex_search(s.name, std::regex(f.value));
    if (f.key == "id") return s.id.starts_with(f.value);
    if (f.key == "exited") return s.status == "exited" && std::to_string(s.exit_code) == f.value;
    if (f.key == "restart-policy") {
      std::string p = s.restart_policy.substr(0, s.restart_policy.find(':'));
      return p == f.value || (f.value == "none" && (p.empty() || p == "no"));
    }
    if (f.key == "health") return s.health == f.value || (f.value == "none" && s.health.empty());
    if (f.key == "pod") return !s.pod.empty() && (s.pod_name == f.value || s.pod.starts_with(f.value));
    if (f.key == "ancestor") {
      const std::string& v = f.value;
      return s.image == v || s.image.starts_with(v + ":") || s.image.ends_with("/" + v) ||
             s.image.find("/" + v + ":") != std::string::npos ||
             (v.size() >= 3 &&
              s.image_id.substr(s.image_id.find(':') + 1).starts_with(v.starts_with("sha256:") ? v.substr(7) : v));
    }
    auto eq = f.value.find('=');  // label
    std::string k = f.value.substr(0, eq);
    return s.labels.is_object() && s.labels.contains(k) &&
           (eq == std::string::npos ||
            (s.labels[k].is_string() && s.labels[k].get<std::string>() == f.value.substr(eq + 1)));
  });
}

}  // namespace

Result<std::vector<ContainerSummary>> list_containers(Context& c, const PsOptions& o) {
  auto filters = TRY(parse_ps_filters(o.filters));
  auto lock = TRY(c.store.read_lock());
  std::vector<ContainerSummary> out;
  std::optional<std::map<std::string, std::string>> pods;  // id -> name, read once when needed
  for (const auto& r : TRY(store::read_containers(c.store))) {
    ContainerSummary s;
    s.id = r.id;
    s.name = r.config.name;
    s.image = r.config.image;
    s.image_id = r.config.image_id.str();
    s.restart_policy = r.config.restart;
    s.pod = r.config.pod;
    if (!s.pod.empty() && !pods) {
      pods.emplace();
      for (const auto& p : TRY(store::read_pods(c.store))) (*pods)[p.id] = p.name;
    }
    if (!s.pod.empty() && pods->count(s.pod)) s.pod_name = pods->at(s.pod);
    s.command = r.config.command;
    s.created_ns = r.config.created;
    s.created = to_seconds(s.created_ns);
    s.started = to_seconds(r.state.started);
    s.finished = to_seconds(r.state.finished);
    s.exit_code = r.state.exit_code;
    s.status = r.state.shown_status();
    s.restarting = r.state.restart_pending();
    if (s.status == "running" || s.status == "paused") {
      s.pid = r.state.pid;
      s.health = health_status(c, r.id, r.config);
    }
    s.labels = r.config.labels;
    for (const auto& p : detail::published_ports(c.store, r)) s.ports += (s.ports.empty() ? "" : ", ") + port_text(p);
    // As podman: without -a only running containers, unless a status filter says otherwise.
    bool status_filter =
        std::any_of(filters.begin(), filters.end(), [](const PsFilter& f) { return f.key == "status"; });
    if (!o.all && !status_filter && s.status != "running" && s.status != "paused") continue;
    if (!ps_match(s, filters)) continue;
    if (o.want_size) {
      s.size = sys::tree_size(c.store.root(), "containers/" + r.id + "/upper");
      if (auto d = Digest::parse(s.image_id); d)
        if (auto img = c.store.image(*d); img) s.virtual_size = s.size + img->size;
    }
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_ns > b.created_ns; });
  return out;
}

Result<void> rename_container(Context& c, const std::string& key, const std::string& new_name) {
  TRY(store::check_container_name(new_name));
  auto lock = TRY(c.store.write_lock());
  auto id = TRY(store::resolve_container(c.store, key));
  if (std::string holder = TRY(store::claim_name(c.store, new_name, id)); !holder.empty())
    return fail(Errc::conflict, "the container name \"{}\" is already in use by {}: that name is already in use",
                new_name, holder);
  auto rec = TRY(store::read_container(c.store, id));
  std::string old_name = rec.config.name;
  rec.config.name = new_name;
  TRY(store::write_config(c.store, rec.config));
  if (old_name != new_name) store::release_name(c.store, old_name, id);
  return {};
}

namespace {

// The infra containers of the pods that exist (id -> pod name): they go with their pod.
Result<std::map<std::string, std::string>> pod_infras(Context& c) {
  std::map<std::string, std::string> out;
  for (const auto& p : TRY(store::read_pods(c.store)))
    if (!p.infra_id.empty()) out[p.infra_id] = p.name;
  return out;
}

// rm without o.infra: a pod's infra container is refused (named) or, with --all, left out.
Result<void> leave_infras(Context& c, RmOptions& o, MultiReport& rep) {
  auto infras = TRY(pod_infras(c));
  if (infras.empty()) return {};
  std::vector<std::string> keep;
  if (o.all) {
    for (const auto& r : TRY(store::read_containers(c.store)))
      if (!infras.contains(r.id)) keep.push_back(r.id);
    o.all = false;
  }
  for (const auto& k : o.containers) {
    auto id = store::resolve_container(c.store, k);
    if (id && infras.contains(*id)) {
      rep.errors.push_back(Error{Errc::invalid_input, 0,
                                 fmt::format("container {} is the infra container of pod {} and cannot be removed "
                                             "without removing the pod",
                                             *id, infras[*id])});
      continue;
    }
    keep.push_back(k);
  }
  o.containers = std::move(keep);
  return {};
}

// The containers that join `id`'s network, IPC, UTS or pid namespace.
std::vector<std::string> dependents_of(const std::vector<store::ContainerRecord>& all, const std::string& id) {
  std::vector<std::string> out;
  std::string mark = "container:" + id;
  for (const auto& r : all)
    if (r.id != id &&
        (r.config.network == mark || r.config.ipc == mark || r.config.uts == mark || r.config.pid == mark))
      out.push_back(r.id);
  return out;
}

// rm --depend: each named container's dependents (and theirs) come first.
Result<void> add_dependents(Context& c, RmOptions& o) {
  auto all = TRY(store::read_containers(c.store));
  std::vector<std::string> first, seen;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    for (const auto& d : dependents_of(all, id)) {
      if (std::ranges::find(seen, d) != seen.end()) continue;
      seen.push_back(d);
      visit(d);
      first.push_back(d);
    }
  };
  for (const auto& k : o.containers)
    if (auto id = store::resolve_container(c.store, k)) visit(*id);
  first.insert(first.end(), o.containers.begin(), o.containers.end());
  o.containers = std::move(first);
  return {};
}

}  // namespace

Result<std::vector<std::string>> prune_containers(Context& c) {
  auto lock = TRY(c.store.write_lock());
  std::vector<std::string> out;
  auto infras = TRY(pod_infras(c));
  for (const auto& r : TRY(store::read_containers(c.store))) {
    if (r.state.alive() || infras.contains(r.id)) continue;
    TRY(store::remove_container_dir(c.store, r.id));
    out.push_back(r.id);
  }
  return out;
}

Result<MultiReport> remove_containers(Context& c, const RmOptions& given) {
  MultiReport rep;
  RmOptions o = given;
  if (!o.infra) TRY(leave_infras(c, o, rep));
  if (o.depend) TRY(add_dependents(c, o));
  std::map<std::string, std::string> killed;  // name or key given -> id
  if (o.force) {
    // Running ones are killed first, without the store lock, and their monitors (or foreground
    // berths) given the time to record the end and exit: none is left writing to the store,
    // its events or a restart (the stopped mark) once the container is gone.
    std::vector<Error> ignored;
    std::vector<std::string> names;
    auto ids = TRY(targets(c, o.containers, o.all, ignored, &names));
    for (size_t i = 0; i < ids.size(); i++) {
      const std::string& id = ids[i];
      auto rec = store::read_container(c.store, id);
      if (rec) end_restarting(c, id, rec->state);
      if (!rec || !rec->state.alive()) continue;
      killed[names[i]] = id;
      int pid = rec->state.pid;
      store::mark_stopped(c.store, id);
      sys::UniqueFd parent = parent_pidfd(pid);
      // -t N: the stop signal first, as stop does; SIGKILL after N seconds (at once with 0)
      int sig = o.time == 0 ? SIGKILL : parse_signal(rec->config.stop_signal).value_or(SIGTERM);
      end_process(pid, rec->state.start_time, sig, o.time, rec->state.paused);
      settle(c, id, 137, parent.get());
    }
  }
  auto lock = TRY(c.store.write_lock());
  std::vector<std::pair<std::string, std::string>> ids;  // id, as given (podman prints that)
  auto records = TRY(store::read_containers(c.store));
  if (o.all)
    for (const auto& r : records) ids.emplace_back(r.id, r.id);
  for (const auto& k : o.containers) {
    auto id = store::resolve_container(c.store, k);
    if (id)
      ids.emplace_back(*id, k);
    else if (killed.count(k))
      rep.done.push_back(k);  // --rm: its berth removed it as it ended
    else
      rep.errors.push_back(id.error());
  }
  for (const auto& [id, as_given] : ids) {
    // the records read once above, under the same lock (the dependents check needs them all)
    auto it = std::ranges::find(records, id, &store::ContainerRecord::id);
    if (it == records.end()) continue;
    std::vector<std::string> left;
    for (const auto& d : dependents_of(records, id))
      if (std::ranges::find(ids, d, &std::pair<std::string, std::string>::first) == ids.end()) left.push_back(d);
    if (!left.empty()) {
      rep.errors.push_back(Error{Errc::invalid_input, 0,
                                 fmt::format("container {} has dependent containers which must be removed before it: "
                                             "{}: container already exists",
                                             id, fmt::join(left, ","))});
      continue;
    }
    if (it->state.alive()) {
      if (!o.force) {
        rep.errors.push_back(Error{Errc::conflict, 0,
                                   fmt::format("cannot remove container {} as it is running - running or paused "
                                               "containers cannot be removed without force: container state improper",
                                               id)});
        continue;
      }
      int pid = it->state.pid;
      (void)sys::send_signal(pid, SIGKILL);
      if (it->state.paused) (void)runtime::freeze_cgroup_of(pid, false);
      wait_gone(pid, it->state.start_time, 5000);
    }
    if (it->config.network == "pasta" || it->config.network == "slirp4netns")
      detail::stop_stale_helper(store::container_run_dir(c.store, id));
    TRY(store::remove_container_dir(c.store, id));
    runtime::Cgroup::remove_named("berth-" + id.substr(0, 12));  // left by a berth that was killed
    if (o.volumes) detail::drop_anonymous_volumes(c.store, it->config);
    emit_event(c.store, "container", "remove", id, it->config.name, it->config.image);
    rep.done.push_back(as_given);
    records.erase(it);  // gone: named twice, it is not removed twice
  }
  return rep;
}

Result<MultiReport> stop_containers(Context& c, const StopOptions& o) {
  MultiReport rep;
  std::vector<std::string> labels;
  auto ids = TRY(targets(c, o.containers, o.all, rep.errors, &labels));
  for (size_t i = 0; i < ids.size(); i++) {
    auto rec = store::read_container(c.store, ids[i]);
    if (!rec) continue;
    // Also between two runs of a --restart container: its monitor must not start it again.
    store::mark_stopped(c.store, ids[i]);
    end_restarting(c, ids[i], rec->state);
    if (rec->state.alive()) {
      int pid = rec->state.pid;
      auto st = rec->state.start_time;
      int sig = parse_signal(rec->config.stop_signal).value_or(SIGTERM);
      int timeout = o.timeout.value_or(rec->config.stop_timeout);
      sys::UniqueFd parent = parent_pidfd(pid);
      // --rm: the record's removal ends the wait (the monitor deletes the files after that);
      // otherwise the monitor's exit does, so that nothing of it writes after stop returns.
      sys::UniqueFd removed = rec->config.rm ? exit_fifo(c, ids[i]) : sys::UniqueFd{};
      store::mark_stopping(c.store, ids[i], true);
      bool killed = end_process(pid, st, sig, timeout, rec->state.paused);
      store::mark_stopping(c.store, ids[i], false);
      if (killed && timeout > 0)
        fmt::print(stderr,
                   "WARN[{:04d}] StopSignal {} failed to stop container {} in {} seconds, resorting to SIGKILL\n",
                   timeout, rec->config.stop_signal, rec->config.name, timeout);
      settle(c, ids[i], 137, parent.get(), removed.get());
      emit_event(c.store, "container", "stop", ids[i], rec->config.name, rec->config.image);
    }
    rep.done.push_back(labels[i]);
  }
  return rep;
}

Result<MultiReport> kill_containers(Context& c, const std::vector<std::string>& names, bool all,
                                    const std::string& signal) {
  int sig = TRY(parse_signal(signal));
  MultiReport rep;
  std::vector<std::string> labels;
  auto ids = TRY(targets(c, names, all, rep.errors, &labels));
  for (size_t i = 0; i < ids.size(); i++) {
    auto rec = store::read_container(c.store, ids[i]);
    if (!rec) continue;
    if (!rec->state.alive()) {
      if (all) continue;
      rep.errors.push_back(
          Error{Errc::system, 0,
                fmt::format("can only kill running containers. {} is in state {}: container state improper", ids[i],
                            rec->state.shown_status())});
      continue;
    }
    // A signal meant to end it counts as a stop: the restart policy no longer applies.
    int stop_sig = parse_signal(rec->config.stop_signal).value_or(SIGTERM);
    if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT || sig == SIGQUIT || sig == stop_sig)
      store::mark_stopped(c.store, ids[i]);
    if (auto k = sys::send_signal(rec->state.pid, sig); !k) {
      rep.errors.push_back(Error{Errc::system, k.error().sys_errno,
                                 fmt::format("kill {}: {}", ids[i], errno_text(k.error().sys_errno))});
      continue;
    }
    if (sig == SIGKILL && rec->state.paused) (void)runtime::freeze_cgroup_of(rec->state.pid, false);
    emit_event(c.store, "container", "kill", ids[i], rec->config.name, rec->config.image,
               {{"signal", std::to_string(sig)}});
    rep.done.push_back(labels[i]);
  }
  return rep;
}

namespace {

// podman's wait conditions as the states they wait for (stopped and exited are one).
Result<std::set<std::string>> wait_states(const std::vector<std::string>& conditions) {
  std::set<std::string> want;
  for (const auto& cond : conditions) {
    if (cond == "stopped" || cond == "exited")
      want.insert("exited");
    else if (cond == "created" || cond == "configured")
      want.insert("created");
    else if (cond == "running")
      want.insert("running");
    else if (cond == "healthy" || cond == "unhealthy")
      want.insert(cond);
    else if (cond == "paused" || cond == "initialized" || cond == "removing" || cond == "stopping")
      return fail(Errc::unsupported, "wait condition \"{}\" is not supported by berth", cond);
    else
      return fail(Errc::usage, "invalid condition \"{}\"", cond);
  }
  return want;
}

Error no_such(const std::string& id) {
  return Error{Errc::not_found, 0, fmt::format("no container with ID {} found: no such container", id)};
}

// Conditions other than stopped: polled, as podman does. "-1" for each that got there.
void wait_polled(Context& c, const std::vector<std::string>& ids, const std::set<std::string>& want, int interval_ms,
                 MultiReport& rep) {
  for (const auto& id : ids) {
    while (true) {
      auto rec = store::read_container(c.store, id);
      if (!rec) {
        rep.errors.push_back(no_such(id));
        break;
      }
      std::string status = rec->state.shown_status();
      std::string health = status == "running" ? health_status(c, id, rec->config) : "";
      if (want.count(status) || (!health.empty() && want.count(health))) {
        rep.done.push_back("-1");
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    }
  }
}

// Until each has exited: its exit code (that of its "died" event once a --rm one is gone).
void wait_exited(Context& c, const std::vector<std::string>& ids, const std::set<std::string>& want, MultiReport& rep) {
  for (const auto& id : ids) {
    auto rec = store::read_container(c.store, id);
    if (!rec) {
      if (auto code = died_exit_code(c.store, id)) rep.done.push_back(std::to_string(*code));
      continue;
    }
    std::string now = rec->state.shown_status();
    if (want.size() > 1 && now != "exited" && want.count(now)) {
      rep.done.push_back("-1");
      continue;
    }
    if (rec->state.alive()) {
      while (!wait_gone(rec->state.pid, rec->state.start_time, 1000)) {}
      settle(c, id, 137);
      rec = store::read_container(c.store, id);
    }
    if (!rec) {  // --rm: removed as it ended
      if (auto code = died_exit_code(c.store, id))
        rep.done.push_back(std::to_string(*code));
      else
        rep.errors.push_back(no_such(id));
      continue;
    }
    rep.done.push_back(std::to_string(rec->state.exit_code));
  }
}

}  // namespace

Result<MultiReport> wait_containers(Context& c, const std::vector<std::string>& names,
                                    const std::vector<std::string>& conditions, int interval_ms) {
  auto want = TRY(wait_states(conditions));
  if (interval_ms <= 0) return fail(Errc::usage, "--interval must be positive");
  MultiReport rep;
  // A --rm container that is gone already is still waited for by its full id: the exit code
  // of its "died" event (podman keeps exit codes beyond their containers too).
  std::vector<std::string> ids;
  {
    auto lock = TRY(c.store.read_lock());
    for (const auto& n : names) {
      auto id = store::resolve_container(c.store, n);
      if (id)
        ids.push_back(*id);
      else if (store::is_full_id(n) && (want.empty() || want.count("exited")) && died_exit_code(c.store, n))
        ids.push_back(n);
      else
        rep.errors.push_back(id.error());
    }
  }
  if (!want.empty() && !want.count("exited"))
    wait_polled(c, ids, want, interval_ms, rep);
  else
    wait_exited(c, ids, want, rep);
  return rep;
}

namespace {

// inspect's HostConfig: the flags that shape the container's host side, in podman's names.
// podman's HostConfig.LogConfig: the driver, its path and tag, max-size as go-units prints it.
OrderedJson log_config_json(const store::Store& s, const store::ContainerConfig& conf) {
  std::string tag, size = "0B";
  std::string path = conf.log_driver == "k8s-file" ? store::container_dir(s, conf.id) + "/ctr.log" : "";
  for (const auto& o : conf.log_opt) {
    auto eq = o.find('=');
    std::string k = o.substr(0, eq), v = eq == std::string::npos ? "" : o.substr(eq + 1);
    if (k == "path") path = v;
    if (k == "tag") tag = v;
    if (k == "max-size" || k == "max_size")
      if (auto n = parse_human_size(v)) size = human_size(static_cast<double>(*n), false, 4);
  }
  return {{"Type", conf.log_driver}, {"Config", nullptr}, {"Path", path}, {"Tag", tag}, {"Size", size}};
}

OrderedJson host_config_json(const store::Store& s, const store::ContainerConfig& conf) {
  auto policy = parse_restart_policy(conf.restart).value_or(RestartPolicy{});
  return {
      {"LogConfig", log_config_json(s, conf)},
      {"AutoRemove", conf.rm},
      {"Privileged", conf.privileged},
      {"ReadonlyRootfs", conf.read_only},
      {"NetworkMode", conf.network},
      {"CapAdd", conf.cap_add},
      {"CapDrop", conf.cap_drop},
      {"SecurityOpt", conf.security_opt},
      {"UsernsMode", conf.userns.empty() && !conf.uidmap.empty() ? "private" : conf.userns},
      {"IDMappings", {{"UidMap", conf.uidmap}, {"GidMap", conf.gidmap.empty() ? conf.uidmap : conf.gidmap}}},
      {"RestartPolicy", {{"Name", policy.name == "no" ? "" : policy.name}, {"MaximumRetryCount", policy.max_retries}}},
      {"Memory", conf.memory.value_or(0)},
      {"NanoCpus", static_cast<std::int64_t>(conf.cpus.value_or(0) * 1e9)},
      {"PidsLimit", conf.pids_limit.value_or(0)}};
}

}  // namespace

// inspect's Mounts: bind mounts, volumes and tmpfs, as podman shows them.
static Json inspect_mounts(const store::ContainerConfig& conf) {
  Json mounts = Json::array();
  for (const auto& v : conf.volumes) {
    if (v.name.empty()) {
      mounts.push_back({{"Type", "bind"},
                        {"Source", v.source},
                        {"Destination", v.target},
                        {"RW", !v.read_only},
                        {"Options", Json::array({"rbind"})}});
      continue;
    }
    mounts.push_back({{"Type", "volume"},
                      {"Name", v.name},
                      {"Source", v.source},
                      {"Destination", v.target},
                      {"Driver", "local"},
                      {"RW", !v.read_only},
                      {"Options", Json::array({"nosuid", "nodev", "rbind"})}});
  }
  for (const auto& t : conf.tmpfs)
    mounts.push_back({{"Type", "tmpfs"},
                      {"Source", "tmpfs"},
                      {"Destination", t.target},
                      {"RW", t.options.find("ro") != 0},
                      {"Options", Json::array({t.options})}});
  return mounts;
}

Result<Json> inspect_container(Context& c, const std::string& key) {
  auto lock = TRY(c.store.read_lock());
  auto id = TRY(store::resolve_container(c.store, key));
  auto rec = TRY(store::read_container(c.store, id));
  const store::ContainerConfig& conf = rec.config;
  const store::ContainerState& st = rec.state;
  std::string status = st.shown_status();
  if (status == "running" && store::is_stopping(c.store, id)) status = "stopping";
  const std::vector<std::string>& argv = conf.command;
  auto ts = [](std::int64_t ns) { return ns ? rfc3339_utc(ns / 1000000000, ns % 1000000000) : "0001-01-01T00:00:00Z"; };
  Json mounts = inspect_mounts(conf);
  OrderedJson j;
  j["Id"] = id;
  j["Created"] = ts(conf.created);
  j["Path"] = argv.empty() ? "" : argv.front();
  j["Args"] = argv.size() > 1 ? std::vector<std::string>(argv.begin() + 1, argv.end()) : std::vector<std::string>{};
  bool live = status == "running" || status == "paused";
  j["State"] = {{"Status", status},
                {"Running", live},
                {"Paused", status == "paused"},
                {"Restarting", st.restart_pending()},
                {"OOMKilled", false},
                {"Dead", false},
                {"Pid", live ? st.pid : 0},
                {"ExitCode", st.exit_code},
                {"Error", st.error},
                {"StartedAt", ts(st.started)},
                {"FinishedAt", ts(st.finished)}};
  Json hc = conf.healthcheck ? store::health_json(*conf.healthcheck) : Json(nullptr);
  if (conf.healthcheck) {
    // Docker's name and podman's: the same object.
    Json health = health_state(c, id);
    j["State"]["Health"] = health;
    j["State"]["Healthcheck"] = health;
  }
  j["Image"] = std::string(conf.image_id.hex());
  j["ImageName"] = conf.image;
  if (auto img = c.store.image(conf.image_id)) j["ImageDigest"] = img->manifest.str();
  j["Name"] = conf.name;
  j["RestartCount"] = st.restart_count;
  j["Driver"] = "overlay";
  j["Mounts"] = mounts;
  j["Config"] = {{"Hostname", conf.hostname.empty() ? id.substr(0, 12) : conf.hostname},
                 {"User", conf.user},
                 {"Env", conf.env},
                 {"Cmd", argv},
                 {"CreateCommand", conf.create_command},
                 {"Image", conf.image},
                 {"WorkingDir", conf.workdir},
                 {"Labels", conf.labels},
                 {"StopSignal", conf.stop_signal},
                 {"StopTimeout", conf.stop_timeout},
                 {"Tty", conf.tty},
                 {"Healthcheck", hc},
                 {"HealthcheckOnFailureAction", conf.health_on_failure},
                 {"HealthMaxLogCount", conf.health_max_log_count},
                 {"HealthMaxLogSize", conf.health_max_log_size},
                 {"OpenStdin", conf.interactive}};
  j["HostConfig"] = host_config_json(c.store, conf);
  j["NetworkSettings"] = detail::network_settings(c.store, rec);
  return Json::parse(dump_json(j));
}

}  // namespace berth::engine

// Pods: create/ls/inspect/start/stop/kill/rm/prune, and a member's part in create and start.
#include "berth/engine/pod.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/reference.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/image/commit.hpp"
#include "berth/image/load.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

namespace {

constexpr const char* kInfraImage = "localhost/berth-infra:latest";

// The infra image: catatonit alone, made here from the host's once (no pull), with fixed
// owners and times so that every store makes the same image.
Result<std::string> infra_image(Context& c) {
  if (resolve_image(c.store, TRY(c.store.names()), kInfraImage)) return std::string(kInfraImage);
  std::string bin;
  for (const char* p : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit"})
    if (::access(p, X_OK) == 0) bin = p;
  if (bin.empty())
    return fail(Errc::not_found,
                "pods need catatonit on the host for their infra container (apt-get install catatonit)");
  auto data = TRY(sys::read_host_file(bin, 64 << 20));
  auto tmp = TRY(c.store.temp("infra"));
  {
    sys::UniqueFd f(::openat(tmp.fd(), "catatonit", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755));
    if (!f) return fail_errno("write the infra image's catatonit");
    TRY(sys::write_all(f.get(), data));
    if (::fchmod(f.get(), 0755) != 0) return fail_errno("chmod catatonit");
  }
  image::TreeTarOptions t;
  t.owner = 0;
  t.group = 0;
  t.mtime = 0;
  std::string dir = c.store.paths().root + "/tmp/" + tmp.name();
  image::ImportOptions io{{"ENTRYPOINT [\"/catatonit\", \"-P\"]"}, "berth pod infra", kInfraImage};
  TRY(sys::through_pipe([&](int out) { return image::write_tree_tar(dir, out, t); },
                        [&](int in) -> Result<void> {
                          TRY(image::import_rootfs(c.store, in, io));
                          return {};
                        }));
  return std::string(kInfraImage);
}

std::string pod_status(const std::vector<store::ContainerRecord>& ctrs) {
  if (ctrs.empty()) return "Created";
  size_t running = 0, created = 0, paused = 0;
  for (const auto& r : ctrs) {
    if (r.state.alive() && r.state.paused) paused++;
    if (r.state.alive())
      running++;
    else if (r.state.status == "created")
      created++;
  }
  if (paused == ctrs.size()) return "Paused";
  if (running == ctrs.size()) return "Running";
  if (running > 0) return "Degraded";
  if (created == ctrs.size()) return "Created";
  return "Exited";
}

PodRow row_of(const store::PodRecord& p, const std::vector<store::ContainerRecord>& all) {
  PodRow r{p, "", {}};
  for (const auto& c : all)
    if (c.config.pod == p.id) r.containers.push_back(c);
  // the infra first, as podman lists it
  std::stable_sort(r.containers.begin(), r.containers.end(),
                   [](const auto& a, const auto& b) { return a.config.is_infra && !b.config.is_infra; });
  r.status = pod_status(r.containers);
  return r;
}

Result<std::vector<PodRow>> rows_for(Context& c, const std::vector<std::string>& keys, bool all,
                                     std::vector<Error>& errors) {
  std::vector<PodRow> out;
  if (all) return pod_list(c);
  for (const auto& k : keys) {
    auto r = pod_find(c, k);
    if (r)
      out.push_back(std::move(*r));
    else
      errors.push_back(r.error());
  }
  return out;
}

std::vector<std::string> member_ids(const PodRow& r, bool with_infra) {
  std::vector<std::string> ids;
  for (const auto& c : r.containers)
    if (with_infra || !c.config.is_infra) ids.push_back(c.id);
  return ids;
}

}  // namespace

Result<store::PodRecord> pod_create(Context& c, const PodCreateOptions& o) {
  store::PodRecord p;
  p.id = random_hex(64);
  p.name = o.name.empty() ? "pod_" + p.id.substr(0, 8) : o.name;
  if (auto old = store::find_pod(c.store, p.name); old && old->name == p.name) {
    if (!o.replace) return fail(Errc::conflict, "{}: pod already exists", p.name);
    TRY(pod_rm(c, {old->id}, false, true, 0));
  }
  for (const auto& l : o.labels)
    p.labels[l.substr(0, l.find('='))] = l.find('=') == std::string::npos ? "" : l.substr(l.find('=') + 1);
  p.share = TRY(parse_pod_share(o.share));
  if (o.exit_policy != "continue" && o.exit_policy != "stop")
    return fail(Errc::usage, "invalid pod exit policy \"{}\": continue or stop", o.exit_policy);
  p.exit_policy = o.exit_policy;
  p.hostname = o.net.hostname.empty() ? p.name : o.net.hostname;
  p.created = store::now_ns();
  if (o.infra) {
    RunOptions r = o.net;
    r.image = TRY(infra_image(c));
    r.name = o.infra_name.empty() ? p.id.substr(0, 12) + "-infra" : o.infra_name;
    r.hostname = p.hostname;
    r.infra_of_pod = p.id;
    r.health.disable = true;
    p.infra_id = TRY(create_container(c, r));
  } else if (!o.net.publish.empty() || (!o.net.network.empty() && o.net.network != "private")) {
    return fail(Errc::usage, "you must have an infra container to publish ports or set a network");
  }
  // The name is claimed under the store's lock: of two parallel creates of one name, the
  // second finds the first's record here and takes its infra container back out.
  bool taken = false;
  {
    auto lock = TRY(c.store.write_lock());
    auto other = store::find_pod(c.store, p.name);
    taken = other && other->name == p.name;
    if (!taken) TRY(store::write_pod(c.store, p));
  }
  if (taken) {
    if (!p.infra_id.empty()) (void)remove_containers(c, RmOptions{{p.infra_id}, true, false, 0, true, true});
    return fail(Errc::conflict, "{}: pod already exists", p.name);
  }
  emit_event(c.store, "pod", "create", p.id, p.name, "");
  return p;
}

Result<std::vector<std::string>> parse_pod_share(const std::string& text) {
  // "+pid": the defaults and pid, as podman; "none": nothing shared
  std::vector<std::string> out;
  std::string list = text.starts_with('+') ? "ipc,net,uts," + text.substr(1) : text;
  for (const auto& ns : split(list, ',')) {
    if (ns.empty() || ns == "none") continue;
    if (ns != "net" && ns != "uts" && ns != "ipc" && ns != "pid")
      return fail(Errc::usage, "invalid kernel namespace to share: {}: only net, uts, ipc and pid can be shared", ns);
    if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<PodRow>> pod_list(Context& c) {
  auto ctrs = TRY(store::read_containers(c.store));
  std::vector<PodRow> out;
  for (const auto& p : TRY(store::read_pods(c.store))) out.push_back(row_of(p, ctrs));
  return out;
}

Result<PodRow> pod_find(Context& c, const std::string& key) {
  auto p = TRY(store::find_pod(c.store, key));
  return row_of(p, TRY(store::read_containers(c.store)));
}

OrderedJson pod_json(const PodRow& r) {
  const auto& p = r.pod;
  OrderedJson j;
  j["Id"] = p.id;
  j["Name"] = p.name;
  j["Created"] = rfc3339_utc(p.created / 1000000000, static_cast<long>(p.created % 1000000000));
  j["CreateCommand"] = p.create_command;
  j["ExitPolicy"] = p.exit_policy;
  j["State"] = r.status;
  j["Hostname"] = p.hostname;
  j["Labels"] = p.labels;
  j["CreateInfra"] = !p.infra_id.empty();
  j["InfraContainerID"] = p.infra_id;
  j["SharedNamespaces"] = p.share;
  j["NumContainers"] = r.containers.size();
  OrderedJson ctrs = OrderedJson::array();
  for (const auto& c : r.containers)
    ctrs.push_back({{"Id", c.id}, {"Name", c.config.name}, {"State", c.state.shown_status()}});
  j["Containers"] = ctrs;
  return j;
}

Result<MultiReport> pod_start(Context& c, const std::vector<std::string>& keys, bool all) {
  MultiReport rep;
  for (const auto& r : TRY(rows_for(c, keys, all, rep.errors))) {
    std::optional<Error> failed;
    for (const auto& ctr : r.containers) {  // the infra first
      if (ctr.state.alive()) continue;
      auto st = start_container(c, ctr.id, false, false);
      if (!st && !failed) failed = st.error();
    }
    if (failed)
      rep.errors.push_back(Error{failed->code, 0, fmt::format("starting pod {}: {}", r.pod.name, failed->message)});
    else
      rep.done.push_back(r.pod.id);
  }
  return rep;
}

Result<MultiReport> pod_stop(Context& c, const std::vector<std::string>& keys, bool all, std::optional<int> timeout) {
  MultiReport rep;
  for (const auto& r : TRY(rows_for(c, keys, all, rep.errors))) {
    // the members first, the infra (holding their namespaces) last
    StopOptions so{member_ids(r, false), false, timeout};
    if (!so.containers.empty()) TRY(stop_containers(c, so));
    if (!r.pod.infra_id.empty()) TRY(stop_containers(c, StopOptions{{r.pod.infra_id}, false, timeout}));
    rep.done.push_back(r.pod.id);
  }
  return rep;
}

Result<MultiReport> pod_kill(Context& c, const std::vector<std::string>& keys, bool all, const std::string& signal) {
  MultiReport rep;
  for (const auto& r : TRY(rows_for(c, keys, all, rep.errors))) {
    std::vector<std::string> running;
    for (const auto& ctr : r.containers)
      if (ctr.state.alive()) running.push_back(ctr.id);
    if (running.empty()) {
      rep.errors.push_back(Error{Errc::conflict, 0, fmt::format("pod {} is not running", r.pod.name)});
      continue;
    }
    TRY(kill_containers(c, running, false, signal));
    rep.done.push_back(r.pod.id);
  }
  return rep;
}

Result<MultiReport> pod_pause(Context& c, const std::vector<std::string>& keys, bool all, bool pause) {
  MultiReport rep;
  for (const auto& r : TRY(rows_for(c, keys, all, rep.errors))) {
    std::vector<std::string> ids;
    for (const auto& ctr : r.containers)
      if (ctr.state.alive() && ctr.state.paused != pause) ids.push_back(ctr.id);
    if (ids.empty()) {
      if (!all)
        rep.errors.push_back(Error{Errc::system, 0,
                                   fmt::format("pod {} has no {} containers: container state improper", r.pod.name,
                                               pause ? "running" : "paused")});
      continue;
    }
    auto done = TRY(pause_containers(c, ids, false, pause));
    if (!done.errors.empty())
      rep.errors.push_back(Error{
          done.errors.front().code, 0,
          fmt::format("{} pod {}: {}", pause ? "pausing" : "unpausing", r.pod.name, done.errors.front().message)});
    else
      rep.done.push_back(r.pod.id);
  }
  return rep;
}

Result<MultiReport> pod_rm(Context& c, const std::vector<std::string>& keys, bool all, bool force, int timeout) {
  MultiReport rep;
  for (const auto& r : TRY(rows_for(c, keys, all, rep.errors))) {
    bool running = std::any_of(r.containers.begin(), r.containers.end(), [](const auto& x) { return x.state.alive(); });
    if (running && !force) {
      rep.errors.push_back(Error{Errc::conflict, 0,
                                 fmt::format("pod {} has containers that are not ready to be removed: cannot remove "
                                             "container {} as it is running - running or paused containers cannot "
                                             "be removed without force: container state improper",
                                             r.pod.id, r.containers.front().id)});
      continue;
    }
    if (!force && r.containers.size() > (r.pod.infra_id.empty() ? 0u : 1u)) {
      rep.errors.push_back(Error{Errc::conflict, 0,
                                 fmt::format("pod {} contains containers and cannot be removed: removing pod "
                                             "containers requires --force",
                                             r.pod.name)});
      continue;
    }
    // members first, then the infra
    auto members = member_ids(r, false);
    if (!members.empty()) {
      auto m = TRY(remove_containers(c, RmOptions{members, true, false, timeout, true}));
      if (!m.errors.empty()) return std::unexpected(m.errors.front());
    }
    if (!r.pod.infra_id.empty()) {
      auto m = TRY(remove_containers(c, RmOptions{{r.pod.infra_id}, true, false, timeout, true, true}));
      if (!m.errors.empty() && m.errors.front().code != Errc::not_found) return std::unexpected(m.errors.front());
    }
    auto lock = TRY(c.store.write_lock());
    TRY(store::remove_pod(c.store, r.pod.id));
    emit_event(c.store, "pod", "remove", r.pod.id, r.pod.name, "");
    rep.done.push_back(r.pod.id);
  }
  return rep;
}

Result<std::vector<std::string>> pod_prune(Context& c) {
  std::vector<std::string> stopped;
  for (const auto& r : TRY(pod_list(c)))
    if (r.status != "Running" && r.status != "Degraded") stopped.push_back(r.pod.id);
  if (stopped.empty()) return stopped;
  auto rep = TRY(pod_rm(c, stopped, false, true, 0));
  return rep.done;
}

namespace detail {

Result<void> check_pod_flags(const RunOptions& o) {
  if (o.pod.empty() || o.pod.starts_with("new:")) return {};
  if (!o.publish.empty() || o.publish_all || (!o.network.empty() && o.network != "private"))
    return fail(Errc::usage,
                "invalid config provided: published or exposed ports must be defined when the pod is created: "
                "network cannot be configured when it is shared with a pod");
  return {};
}

Result<void> join_pod(Context& c, const RunOptions& o, store::ContainerConfig& conf) {
  if (!o.infra_of_pod.empty()) {
    conf.pod = o.infra_of_pod;
    conf.is_infra = true;
    return {};
  }
  if (o.pod.empty()) return {};
  store::PodRecord p;
  if (o.pod.starts_with("new:")) {
    PodCreateOptions po;
    po.name = o.pod.substr(4);
    po.net.network = o.network;
    po.net.publish = o.publish;
    po.net.hostname = o.hostname;
    p = TRY(pod_create(c, po));
  } else {
    p = TRY(store::find_pod(c.store, o.pod));
  }
  conf.pod = p.id;
  if (p.infra_id.empty()) return {};
  auto has = [&](const char* ns) { return std::find(p.share.begin(), p.share.end(), ns) != p.share.end(); };
  std::string infra = "container:" + p.infra_id;
  if (has("net")) {
    conf.network = infra;
    conf.ports.clear();
  }
  if (has("uts")) {
    conf.uts = infra;
    conf.hostname = p.hostname;
  }
  if (has("ipc")) conf.ipc = infra;
  if (has("pid")) conf.pid = infra;
  return {};
}

void pod_member_exited(Context& c, const store::ContainerConfig& conf) {
  if (conf.pod.empty() || conf.is_infra) return;
  auto p = store::find_pod(c.store, conf.pod);
  if (!p || p->exit_policy != "stop" || p->infra_id.empty()) return;
  auto all = store::read_containers(c.store);
  if (!all) return;
  for (const auto& r : *all)
    if (r.config.pod == p->id && !r.config.is_infra && r.id != conf.id && r.state.alive()) return;
  if (auto r = stop_containers(c, StopOptions{{p->infra_id}, false, 10}); !r)
    log::warn("stop the infra container of pod {}: {}", p->name, r.error().message);
}

Result<void> ensure_infra(Context& c, const store::ContainerConfig& conf) {
  if (conf.pod.empty() || conf.is_infra) return {};
  auto p = store::find_pod(c.store, conf.pod);
  if (!p || p->infra_id.empty()) return {};
  auto infra = TRY(store::read_container(c.store, p->infra_id));
  if (infra.state.alive()) return {};
  auto st = start_container(c, p->infra_id, false, false);
  if (!st && st.error().code != Errc::conflict) return std::unexpected(st.error());  // conflict: another start won
  return {};
}

}  // namespace detail

}  // namespace berth::engine

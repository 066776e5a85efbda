// Pods (DESIGN.md "Pods"): a record and an infra container (catatonit -P in a tiny image of
// berth's own) that holds the network, UTS and IPC namespaces its members join; `pod ...`.
#pragma once

#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"
#include "berth/engine/run.hpp"
#include "berth/store/pods.hpp"

namespace berth::engine {

struct PodCreateOptions {
  std::string name;  // empty: a random one
  std::vector<std::string> labels;
  std::string share = "ipc,net,uts";
  bool infra = true;
  std::string infra_name;  // default: the first 12 of the pod id + "-infra"
  std::string exit_policy = "continue";
  bool replace = false;
  RunOptions net;  // --network, -p, --hostname, --add-host, --dns, ... for the infra
};
Result<store::PodRecord> pod_create(Context& c, const PodCreateOptions& o);
// --share: "ipc,net,uts", "+pid" (the defaults and pid), "none"; sorted, unique.
Result<std::vector<std::string>> parse_pod_share(const std::string& text);

struct PodRow {
  store::PodRecord pod;
  std::string status;  // Created, Running, Degraded, Exited
  std::vector<store::ContainerRecord> containers;
};
Result<std::vector<PodRow>> pod_list(Context& c);
Result<PodRow> pod_find(Context& c, const std::string& key);
OrderedJson pod_json(const PodRow& r);

// start/stop/kill/restart/rm: the pod ids acted on (errors per pod in the report).
Result<MultiReport> pod_start(Context& c, const std::vector<std::string>& keys, bool all);
Result<MultiReport> pod_stop(Context& c, const std::vector<std::string>& keys, bool all, std::optional<int> timeout);
Result<MultiReport> pod_kill(Context& c, const std::vector<std::string>& keys, bool all, const std::string& signal);
// pause (true) / unpause: every running (paused) container of the pod, the infra included.
Result<MultiReport> pod_pause(Context& c, const std::vector<std::string>& keys, bool all, bool pause);
Result<MultiReport> pod_rm(Context& c, const std::vector<std::string>& keys, bool all, bool force, int timeout);
Result<std::vector<std::string>> pod_prune(Context& c);

namespace detail {
// create, first: a member of an existing pod takes its network from the pod (no -p, --network).
Result<void> check_pod_flags(const RunOptions& o);
// create: a member of --pod (new:NAME makes the pod) joins the infra's namespaces.
Result<void> join_pod(Context& c, const RunOptions& o, store::ContainerConfig& conf);
// After a member's last exit (no restart): with --exit-policy stop, the infra container stops
// once no other member runs. Errors are only logged.
void pod_member_exited(Context& c, const store::ContainerConfig& conf);
// Before a member starts: its pod's infra container runs (started detached if not).
Result<void> ensure_infra(Context& c, const store::ContainerConfig& conf);
}  // namespace detail

}  // namespace berth::engine

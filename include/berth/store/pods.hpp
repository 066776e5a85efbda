// Pods: ROOT/pods/ID.json, written temp + rename under the store's write lock. A pod is its
// record plus its containers (whose config names the pod's id); its infra container holds the
// namespaces the members join.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/store/store.hpp"

namespace berth::store {

struct PodRecord {
  std::string id, name;
  std::string infra_id;            // empty: --infra=false
  std::vector<std::string> share;  // namespaces the members share: net, uts, ipc
  std::string hostname;
  std::string exit_policy = "continue";
  std::map<std::string, std::string> labels;
  std::vector<std::string> create_command;
  std::int64_t created = 0;  // ns
};

Json to_json(const PodRecord& p);
PodRecord pod_from_json(const Json& j);

Result<std::vector<PodRecord>> read_pods(const Store& s);
// By exact name, full id or unique id prefix; not_found: "no pod with name or ID KEY found".
Result<PodRecord> find_pod(const Store& s, const std::string& key);
Result<void> write_pod(const Store& s, const PodRecord& p);
Result<void> remove_pod(const Store& s, const std::string& id);

}  // namespace berth::store

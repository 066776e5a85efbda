// Networks and their address leases (DESIGN.md "Networking"): ROOT/networks/NAME.json, the
// network, and ROOT/networks/NAME.leases.json, who holds which address. Both are changed only
// under the store's write lock and written temp + rename.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/store/containers.hpp"
#include "berth/store/store.hpp"

namespace berth::store {

struct NetworkRecord {
  std::string name, id;
  std::string driver = "bridge";
  std::string interface;  // the bridge: berth0 (the default network), berth1, ...
  std::string subnet, gateway, ip_range;
  bool internal = false;
  bool dns_enabled = true;
  std::map<std::string, std::string> labels, options;
  std::int64_t created = 0;  // ns
};

Json to_json(const NetworkRecord& n);
Result<NetworkRecord> network_from_json(const Json& j);

Result<std::vector<NetworkRecord>> read_networks(const Store& s);
Result<std::optional<NetworkRecord>> read_network(const Store& s, const std::string& name);
Result<void> write_network(const Store& s, const NetworkRecord& n);
Result<void> remove_network(const Store& s, const std::string& name);

// One container's address on one network. The lease lives while its owner (the container's
// parent: the monitor or a foreground berth) or the container itself is alive; the next
// writer frees a dead one.
struct Lease {
  std::string container, name;  // id and name
  std::string ip, mac, veth;
  std::vector<std::string> aliases;
  std::vector<PortMapping> ports;  // published through this address (the first network's)
  int owner_pid = 0;
  unsigned long long owner_start = 0;
};
using Leases = std::map<std::string, Lease>;  // by container id
Json lease_json(const Lease& l);
Lease lease_from_json(const std::string& id, const Json& j);

Result<Leases> read_leases(const Store& s, const std::string& network);
Result<void> write_leases(const Store& s, const std::string& network, const Leases& l);

}  // namespace berth::store

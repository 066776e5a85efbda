// What network.cpp, network_attach.cpp and network_ops.cpp share: the records, the leases
// and the peers' /etc/hosts. Every function that changes leases runs under the store's write
// lock, which its caller holds.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "berth/engine/network.hpp"
#include "berth/net/addr.hpp"
#include "berth/net/firewall.hpp"

namespace berth::engine::detail {

// The default network, "podman": 10.88.0.0/16 on berth0, no name resolution (as podman's).
store::NetworkRecord default_record();
// By name, the default one included.
Result<store::NetworkRecord> record_of(const store::Store& s, const std::string& name);
std::vector<std::string> network_names(const store::Store& s);
// The networks a bridge container joins: those it names, else the default one.
inline std::vector<std::string> joined_networks(const store::ContainerConfig& c) {
  return c.networks.empty() ? std::vector<std::string>{kDefaultNetwork} : c.networks;
}
// The nftables elements of a lease's published ports.
std::vector<net::PortRule> rules_of(const store::Lease& l);
// Frees the leases (ports, veths) of owners and containers that are gone, and any lease `id`
// still holds; returns the live leases by network.
Result<std::map<std::string, store::Leases>> reclaim(const store::Store& s, const std::string& id);
// `want`, checked, or the lowest free address of the network's range.
Result<net::Ipv4> pick_address(const store::NetworkRecord& n, const store::Leases& leases, const std::string& want);
// A host-side veth name unique to this start.
std::string veth_name(const std::string& id, const std::string& net);
// Rewrites the peers' section of /etc/hosts of every running container on these networks.
void refresh_peers(const store::Store& s, const std::set<std::string>& touched);

}  // namespace berth::engine::detail

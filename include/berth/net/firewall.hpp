// berth's nftables table (libnftables, loaded on first use): NAT for its bridge networks and
// the published ports. berth touches no rule but its own table, `ip berth`:
//   nets       the subnets whose traffic to elsewhere is masqueraded
//   from_net   verdict map: bridge -> its chain (isolation from other berth networks;
//              internal networks reach nothing but themselves)
//   to_net     verdict map: internal bridge -> a chain that admits only its own traffic
//   dnat_any   proto . host port -> container ip . port (ports published on every address)
//   dnat_ip    host ip . proto . host port -> container ip . port
// Published ports are map elements, so adding and removing one is a single element and a
// taken port is refused by the kernel atomically (`create element`).
#pragma once

#include <string>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/net/addr.hpp"

namespace berth::net {

struct NetworkRules {
  std::string bridge;
  Subnet subnet;
  bool internal = false;
};

// The table and its base chains (idempotent), then this network's rules.
Result<void> firewall_add_network(const NetworkRules& n);
// Best effort: what is missing is skipped.
void firewall_remove_network(const NetworkRules& n);

struct PortRule {
  std::string host_ip;  // "" for every address
  std::uint16_t host_port = 0;
  std::string protocol = "tcp";
  Ipv4 ip;
  std::uint16_t container_port = 0;
};

// The table, the network's rules (when `n`) and the ports, in one transaction: all or nothing;
// a port already published is a conflict naming it.
Result<void> firewall_apply(const NetworkRules* n, const std::vector<PortRule>& ports);
// The ports alone (one small transaction); when the table or its maps are missing (a flushed
// ruleset, a first container still making them), all of firewall_apply.
Result<void> firewall_publish(const NetworkRules& n, const std::vector<PortRule>& ports);
void firewall_remove_ports(const std::vector<PortRule>& ports);

// True when berth's table exists (`network reload` re-creates what a flush removed).
bool firewall_present();

}  // namespace berth::net

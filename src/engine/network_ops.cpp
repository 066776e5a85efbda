// inspect's NetworkSettings, port, network reload, connect and disconnect. See network.hpp.
#include <fcntl.h>

#include "berth/core/log.hpp"
#include "berth/engine/network.hpp"
#include "berth/net/netlink.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "network_internal.hpp"

namespace berth::engine {

namespace detail {

OrderedJson network_settings(const store::Store& s, const store::ContainerRecord& rec) {
  const auto& c = rec.config;
  OrderedJson j;
  OrderedJson nets = OrderedJson::object();
  OrderedJson top = {{"EndpointID", ""},
                     {"Gateway", ""},
                     {"IPAddress", ""},
                     {"IPPrefixLen", 0},
                     {"IPv6Gateway", ""},
                     {"GlobalIPv6Address", ""},
                     {"GlobalIPv6PrefixLen", 0},
                     {"MacAddress", ""},
                     {"Bridge", ""},
                     {"SandboxID", ""},
                     {"HairpinMode", false},
                     {"LinkLocalIPv6Address", ""},
                     {"LinkLocalIPv6PrefixLen", 0}};
  j = top;
  OrderedJson ports = OrderedJson::object();
  for (const auto& p : published_ports(s, rec))
    ports[fmt::format("{}/{}", p.container_port, p.protocol)].push_back(
        {{"HostIp", p.host_ip}, {"HostPort", p.host_port ? std::to_string(p.host_port) : ""}});
  j["Ports"] = ports;
  j["SandboxKey"] = rec.state.alive() ? fmt::format("/proc/{}/ns/net", rec.state.pid) : "";
  if (c.network == "bridge") {
    std::vector<std::string> names = detail::joined_networks(c);
    for (const auto& name : names) {
      OrderedJson n = {{"EndpointID", ""},    {"Gateway", ""},           {"IPAddress", ""},          {"IPPrefixLen", 0},
                       {"IPv6Gateway", ""},   {"GlobalIPv6Address", ""}, {"GlobalIPv6PrefixLen", 0}, {"MacAddress", ""},
                       {"NetworkID", name},   {"DriverOpts", nullptr},   {"IPAMConfig", nullptr},    {"Links", nullptr},
                       {"Aliases", c.aliases}};
      auto rec_n = record_of(s, name);
      auto leases = store::read_leases(s, name);
      if (rec.state.alive() && rec_n && leases)
        if (auto it = leases->find(rec.id); it != leases->end()) {
          n["Gateway"] = rec_n->gateway;
          n["IPAddress"] = it->second.ip;
          n["IPPrefixLen"] = net::parse_subnet(rec_n->subnet).value_or(net::Subnet{}).prefix;
          n["MacAddress"] = it->second.mac;
          n["Aliases"] = it->second.aliases;
          if (names.size() == 1 && name == kDefaultNetwork)
            for (const char* k : {"Gateway", "IPAddress", "IPPrefixLen", "MacAddress"}) j[k] = n[k];
        }
      nets[name] = n;
    }
  }
  j["Networks"] = nets;
  return j;
}

}  // namespace detail

Result<std::vector<ContainerPorts>> container_ports(Context& c, const std::string& key, bool all) {
  std::vector<ContainerPorts> out;
  auto ctrs = TRY(store::read_containers(c.store));
  std::string id = all ? "" : TRY(store::find_container(ctrs, key));
  for (const auto& r : ctrs) {
    if (all ? !r.state.alive() : r.id != id) continue;
    out.push_back({r.id, r.config.name, detail::published_ports(c.store, r)});
  }
  return out;
}

Result<std::vector<std::string>> network_reload(Context& c, const std::vector<std::string>& keys, bool all) {
  std::vector<std::string> done;
  auto ctrs = TRY(store::read_containers(c.store));
  std::vector<store::ContainerRecord> pick;
  if (all) {
    for (auto& r : ctrs)
      if (r.state.alive()) pick.push_back(r);
  } else {
    for (const auto& k : keys) {
      auto id = TRY(store::find_container(ctrs, k));
      for (auto& r : ctrs)
        if (r.id == id) pick.push_back(r);
    }
  }
  for (const auto& r : pick) {
    if (!r.state.alive()) return fail(Errc::conflict, "container {} is not running", r.config.name);
    if (r.config.network != "bridge") continue;
    std::vector<std::string> names = detail::joined_networks(r.config);
    for (size_t i = 0; i < names.size(); i++) {
      auto n = TRY(detail::record_of(c.store, names[i]));
      TRY(net::firewall_add_network({n.interface, TRY(net::parse_subnet(n.subnet)), n.internal}));
      auto leases = TRY(store::read_leases(c.store, n.name));
      auto it = leases.find(r.id);
      if (i == 0 && it != leases.end()) {
        auto rules = detail::rules_of(it->second);
        net::firewall_remove_ports(rules);
        TRY(net::firewall_apply(nullptr, rules));
      }
    }
    done.push_back(r.id);
  }
  return done;
}

namespace {

// Plumbs `lease` on network `n` into the running container `rec` (no default route).
Result<void> plumb(const store::ContainerRecord& rec, const store::NetworkRecord& n, const store::Lease& lease) {
  auto ns = TRY(sys::open_at(AT_FDCWD, fmt::format("/proc/{}/ns/net", rec.state.pid), O_RDONLY | O_CLOEXEC));
  auto sub = TRY(net::parse_subnet(n.subnet));
  auto gw = net::parse_ipv4(n.gateway).value_or(sub.first_host());
  if (!net::link_exists(n.interface)) {
    TRY(net::ensure_bridge(n.interface, gw, sub.prefix));
    TRY(net::firewall_add_network({n.interface, sub, n.internal}));
  }
  net::Veth v;
  v.host_name = lease.veth;
  v.bridge = n.interface;
  v.netns_fd = ns.get();
  v.peer_name = net::free_ifname(ns.get());
  v.mac = lease.mac;
  v.ip = *net::parse_ipv4(lease.ip);
  v.prefix = sub.prefix;
  return net::attach_veth(v);
}

}  // namespace

Result<void> network_connect(Context& c, const NetworkConnectOptions& o) {
  auto net = TRY(network_find(c, o.network));
  auto lock = TRY(c.store.write_lock());
  auto id = TRY(store::resolve_container(c.store, o.container));
  auto rec = TRY(store::read_container(c.store, id));
  if (rec.config.network != "bridge")
    return fail(Errc::usage, "container {} uses --network {}: only containers on bridge networks can be connected",
                rec.config.name, rec.config.network);
  auto nets = detail::joined_networks(rec.config);
  if (std::find(nets.begin(), nets.end(), net.name) != nets.end())
    return fail(Errc::conflict, "container {} is already connected to network {}", rec.config.name, net.name);
  if (!o.ip.empty() && !net::parse_ipv4(o.ip)) return fail(Errc::usage, "invalid --ip \"{}\"", o.ip);
  if (rec.state.alive()) {
    auto live = TRY(detail::reclaim(c.store, ""));
    auto& leases = live[net.name];
    store::Lease l;
    l.container = id;
    l.name = rec.config.name;
    l.ip = net::to_string(TRY(detail::pick_address(net, leases, o.ip)));
    l.mac = net::mac_from_seed(id + "/" + net.name);
    l.veth = detail::veth_name(id, net.name);
    l.aliases = o.aliases;
    l.aliases.push_back(id.substr(0, 12));
    l.owner_pid = rec.state.pid;  // no monitor owns it: it lives as long as the container
    l.owner_start = rec.state.start_time;
    TRY(plumb(rec, net, l));
    leases[id] = l;
    TRY(store::write_leases(c.store, net.name, leases));
    detail::refresh_peers(c.store, {net.name});
  }
  rec.config.networks = nets;
  rec.config.networks.push_back(net.name);
  for (const auto& a : o.aliases)
    if (std::find(rec.config.aliases.begin(), rec.config.aliases.end(), a) == rec.config.aliases.end())
      rec.config.aliases.push_back(a);
  return store::write_config(c.store, rec.config, true);
}

Result<void> network_disconnect(Context& c, const std::string& network, const std::string& container) {
  auto net = TRY(network_find(c, network));
  auto lock = TRY(c.store.write_lock());
  auto id = TRY(store::resolve_container(c.store, container));
  auto rec = TRY(store::read_container(c.store, id));
  auto nets = detail::joined_networks(rec.config);
  auto it = std::find(nets.begin(), nets.end(), net.name);
  if (rec.config.network != "bridge" || it == nets.end())
    return fail(Errc::not_found, "container {} is not connected to network {}", rec.config.name, net.name);
  if (nets.size() == 1)
    return fail(Errc::usage,
                "network {} is container {}'s only network: remove the container, or connect another first", net.name,
                rec.config.name);
  auto leases = TRY(store::read_leases(c.store, net.name));
  if (auto l = leases.find(id); l != leases.end()) {
    net::firewall_remove_ports(detail::rules_of(l->second));
    if (auto r = net::delete_link(l->second.veth); !r) log::warn("{}", r.error().message);
    leases.erase(l);
    TRY(store::write_leases(c.store, net.name, leases));
    detail::refresh_peers(c.store, {net.name});
  }
  nets.erase(it);
  rec.config.networks = nets;
  return store::write_config(c.store, rec.config, true);
}

}  // namespace berth::engine

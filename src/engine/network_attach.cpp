// A container's networks at start: reserve, attach, release. See network.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "berth/core/log.hpp"
#include "berth/engine/network.hpp"
#include "berth/net/addr.hpp"
#include "berth/net/firewall.hpp"
#include "berth/net/netlink.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/socket.hpp"
#include "network_internal.hpp"

namespace berth::engine {

std::string port_text(const store::PortMapping& p) {
  return fmt::format("{}:{}->{}/{}", p.host_ip.empty() ? "0.0.0.0" : p.host_ip, p.host_port, p.container_port,
                     p.protocol);
}

namespace detail {

store::NetworkRecord default_record() {
  store::NetworkRecord n;
  n.name = kDefaultNetwork;
  n.id = "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";  // podman's, for scripts
  n.interface = "berth0";
  n.subnet = "10.88.0.0/16";
  n.gateway = "10.88.0.1";
  n.dns_enabled = false;
  return n;
}

Result<store::NetworkRecord> record_of(const store::Store& s, const std::string& name) {
  if (name == kDefaultNetwork) return default_record();
  auto n = TRY(store::read_network(s, name));
  if (!n) return fail(Errc::not_found, "unable to find network with name or ID {}: network not found", name);
  return *n;
}

std::vector<std::string> network_names(const store::Store& s) {
  std::vector<std::string> out{kDefaultNetwork};
  if (auto all = store::read_networks(s); all)
    for (const auto& n : *all)
      if (n.name != kDefaultNetwork) out.push_back(n.name);
  return out;
}

static bool lease_live(const store::Store& s, const store::Lease& l) {
  if (l.owner_pid > 0 && sys::process_start_time(l.owner_pid) == l.owner_start) return true;
  auto rec = store::read_container(s, l.container);
  return rec && rec->state.alive();
}

std::vector<net::PortRule> rules_of(const store::Lease& l) {
  std::vector<net::PortRule> out;
  auto ip = net::parse_ipv4(l.ip);
  if (!ip) return out;
  for (const auto& p : l.ports) out.push_back({p.host_ip, p.host_port, p.protocol, *ip, p.container_port});
  return out;
}

// Frees the leases (their ports, their veths) of owners and containers that are gone, and any
// lease `id` itself still holds from an earlier start. Returns every live lease, by network.
Result<std::map<std::string, store::Leases>> reclaim(const store::Store& s, const std::string& id) {
  std::map<std::string, store::Leases> live;
  for (const auto& name : network_names(s)) {
    auto leases = TRY(store::read_leases(s, name));
    bool changed = false;
    for (auto it = leases.begin(); it != leases.end();) {
      if (it->first != id && lease_live(s, it->second)) {
        ++it;
        continue;
      }
      log::debug("network {}: freeing {} of container {}", name, it->second.ip, it->first.substr(0, 12));
      net::firewall_remove_ports(rules_of(it->second));
      (void)net::delete_link(it->second.veth);
      it = leases.erase(it);
      changed = true;
    }
    if (changed) TRY(store::write_leases(s, name, leases));
    live[name] = std::move(leases);
  }
  return live;
}

Result<net::Ipv4> pick_address(const store::NetworkRecord& n, const store::Leases& leases, const std::string& want) {
  auto sub = TRY(net::parse_subnet(n.subnet));
  std::set<std::uint32_t> used;
  if (auto gw = net::parse_ipv4(n.gateway)) used.insert(gw->v);
  for (const auto& [id, l] : leases)
    if (auto ip = net::parse_ipv4(l.ip)) used.insert(ip->v);
  if (!want.empty()) {
    auto ip = net::parse_ipv4(want);
    if (!ip) return fail(Errc::usage, "invalid IP address \"{}\"", want);
    if (!sub.contains(*ip) || *ip < sub.first_host() || sub.last_host() < *ip)
      return fail(Errc::usage, "IP address {} is not in subnet {} of network {}", want, n.subnet, n.name);
    if (used.count(ip->v))
      return fail(Errc::conflict, "IP address {} is already allocated on network {}", want, n.name);
    return *ip;
  }
  net::Subnet range = sub;
  if (!n.ip_range.empty()) range = TRY(net::parse_subnet(n.ip_range));
  for (std::uint32_t a = range.first_host().v; a <= range.last_host().v; a++)
    if (!used.count(a)) return net::Ipv4{a};
  return fail(Errc::conflict, "network {} has no free address left in {}", n.name, net::to_string(range));
}

static bool same_port(const store::PortMapping& a, const store::PortMapping& b) {
  return a.protocol == b.protocol && a.host_port == b.host_port &&
         (a.host_ip.empty() || b.host_ip.empty() || a.host_ip == b.host_ip);
}

// Host ports: the asked ones checked against live leases and the host's sockets, the random
// ones (0) picked by the kernel.
static Result<std::vector<store::PortMapping>> resolve_ports(const store::ContainerConfig& c,
                                                             const std::map<std::string, store::Leases>& live) {
  std::vector<store::PortMapping> out;
  for (auto p : c.ports) {
    std::uint32_t addr = 0;
    if (!p.host_ip.empty()) addr = net::parse_ipv4(p.host_ip).value_or(net::Ipv4{}).v;
    bool random = p.host_port == 0;
    for (int attempt = 0; attempt < 20; attempt++) {
      auto got = sys::probe_port(p.protocol == "udp", addr, random ? 0 : p.host_port);
      if (!got)
        return fail(Errc::conflict, "cannot publish port {}/{}: {}", p.host_port, p.protocol,
                    errno_text(got.error().sys_errno));
      p.host_port = *got;
      bool taken = false;
      for (const auto& [net, leases] : live)
        for (const auto& [id, l] : leases)
          for (const auto& q : l.ports)
            if (same_port(p, q)) {
              if (!random)
                return fail(Errc::conflict, "port {}/{} is already published by container {}", p.host_port, p.protocol,
                            l.name);
              taken = true;
            }
      for (const auto& q : out) taken = taken || same_port(p, q);
      if (!taken) break;
      if (!random) return fail(Errc::conflict, "port {}/{} is published twice", p.host_port, p.protocol);
    }
    out.push_back(p);
  }
  return out;
}

// Unique per start: the veth of an earlier start may still be on its way out with its
// namespace (the kernel removes it once the namespace is gone; berth does not wait for that).
std::string veth_name(const std::string& id, const std::string& net) {
  std::string seed = fmt::format("{}/{}/{}/{}", id, net, ::getpid(), store::now_ns());
  return fmt::format("veth{:011x}", net::fnv1a(seed) & 0xfffffffffffull);
}

constexpr std::string_view kPeersMark = "# berth: containers on the same networks\n";

// The hosts file's own part (up to the peers section) with `peers` after it, written in place:
// it is bind-mounted into the container, so a rename would not reach it.
static void rewrite_peers(const store::Store& s, const std::string& id, const std::string& peers) {
  auto dir = store::open_run_dir(s, id);
  if (!dir) return;
  auto text = sys::read_file_at(dir->get(), "hosts", 1 << 20);
  if (!text) return;
  std::string out = text->substr(0, text->find(kPeersMark));
  if (!peers.empty()) out += std::string(kPeersMark) + peers;
  if (out == *text) return;
  auto fd = sys::open_beneath(dir->get(), "hosts", O_WRONLY | O_CLOEXEC, 0, true);
  if (!fd || !sys::write_all(fd->get(), out) || ::ftruncate(fd->get(), static_cast<off_t>(out.size())) != 0)
    log::warn("update /etc/hosts of container {}: {}", id.substr(0, 12), errno_text(errno));
}

// Name resolution without a daemon: every running container on a network with DNS enabled has
// the others on it in its /etc/hosts (name, aliases, short id), rewritten whenever one comes
// or goes. Holding the store's write lock.
void refresh_peers(const store::Store& s, const std::set<std::string>& touched) {
  std::map<std::string, store::Leases> live;
  std::map<std::string, std::set<std::string>> nets_of;  // container -> its DNS networks
  for (const auto& name : network_names(s)) {
    auto rec = record_of(s, name);
    if (!rec || !rec->dns_enabled) continue;
    auto leases = store::read_leases(s, name);
    if (!leases) continue;
    for (const auto& [id, l] : *leases) nets_of[id].insert(name);
    live[name] = std::move(*leases);
  }
  for (const auto& [id, nets] : nets_of) {
    bool affected = false;
    for (const auto& n : nets) affected = affected || touched.count(n);
    if (!affected) continue;
    std::string peers;
    std::set<std::string> seen;
    for (const auto& n : nets)
      for (const auto& [other, l] : live[n]) {
        if (other == id || !seen.insert(other + "/" + n).second) continue;
        peers += fmt::format("{}\t{}", l.ip, l.name);
        for (const auto& a : l.aliases) peers += " " + a;
        peers += "\n";
      }
    rewrite_peers(s, id, peers);
  }
}

Result<NetPlan> net_reserve(const store::Store& s, const store::ContainerRecord& rec) {
  NetPlan plan;
  const auto& c = rec.config;
  if (c.network == "pasta" || c.network == "slirp4netns") {
    plan.helper = c.network;
    plan.helper_opts = c.network_opts;
    plan.run_dir = store::container_run_dir(s, rec.id);
    plan.rootless = s.rootless();
    stop_stale_helper(plan.run_dir);
    plan.ports = TRY(resolve_ports(c, {}));
    // The ports it got (random ones resolved), for `port` and `ps`.
    store::Lease l;
    l.ports = plan.ports;
    auto dir = TRY(store::open_run_dir(s, rec.id));
    TRY(sys::write_replace(dir.get(), "ports.json", dump_json(store::lease_json(l)), 0600));
    return plan;
  }
  if (c.network != "bridge") return plan;
  if (s.rootless())
    return fail(Errc::unsupported, "bridge networks need root: rootless containers use --network pasta");
  std::vector<std::string> names = joined_networks(c);
  auto lock = TRY(s.write_lock());
  auto live = TRY(reclaim(s, rec.id));
  plan.ports = TRY(resolve_ports(c, live));
  int owner = ::getpid();
  unsigned long long owner_start = sys::process_start_time(owner);
  for (size_t i = 0; i < names.size(); i++) {
    NetPlan::Link link;
    link.net = TRY(record_of(s, names[i]));
    link.prefix = TRY(net::parse_subnet(link.net.subnet)).prefix;
    link.first = i == 0;
    auto& leases = live[link.net.name];
    store::Lease& l = link.lease;
    l.container = rec.id;
    l.name = c.name;
    l.ip = net::to_string(TRY(pick_address(link.net, leases, i == 0 ? c.ip : "")));
    l.mac = i == 0 && !c.mac.empty() ? c.mac : net::mac_from_seed(rec.id + "/" + link.net.name);
    l.veth = veth_name(rec.id, link.net.name);
    l.aliases = c.aliases;
    l.aliases.push_back(rec.id.substr(0, 12));
    if (link.first) l.ports = plan.ports;
    l.owner_pid = owner;
    l.owner_start = owner_start;
    leases[rec.id] = l;
    TRY(store::write_leases(s, link.net.name, leases));
    plan.links.push_back(std::move(link));
  }
  return plan;
}

Result<void> net_write_hosts(const store::Store& s, const store::ContainerRecord& rec, const NetPlan& p,
                             const std::string& hostname) {
  if (p.links.empty() || rec.config.no_hosts) return {};
  std::string names = rec.config.name;
  if (!hostname.empty() && hostname != rec.config.name) names += " " + hostname;
  std::string lines;
  for (const auto& l : p.links) lines += fmt::format("{}\t{}\n", l.lease.ip, names);
  lines += fmt::format("{}\thost.containers.internal\n", p.links.front().net.gateway);
  auto dir = TRY(store::open_run_dir(s, rec.id));
  std::string hosts = TRY(sys::read_file_at(dir.get(), "hosts", 1 << 20));
  TRY(sys::write_replace(dir.get(), "hosts", hosts + lines, 0644));
  std::set<std::string> nets;
  for (const auto& l : p.links) nets.insert(l.net.name);
  auto lock = TRY(s.write_lock());
  refresh_peers(s, nets);
  return {};
}

Result<void> net_attach(NetPlan& p, pid_t pid) {
  if (p.helper == "pasta") return start_pasta(p, pid);
  if (p.helper == "slirp4netns") return start_slirp(p, pid);
  if (p.empty()) return {};
  auto ns = TRY(sys::open_at(AT_FDCWD, fmt::format("/proc/{}/ns/net", pid), O_RDONLY | O_CLOEXEC));
  for (size_t i = 0; i < p.links.size(); i++) {
    const auto& l = p.links[i];
    auto sub = TRY(net::parse_subnet(l.net.subnet));
    auto gw = net::parse_ipv4(l.net.gateway).value_or(sub.first_host());
    // A network's bridge and rules are made by its first container; `network reload` makes
    // them again after someone removed them.
    if (!net::link_exists(l.net.interface)) {
      TRY(net::ensure_bridge(l.net.interface, gw, sub.prefix));
      TRY(net::firewall_add_network({l.net.interface, sub, l.net.internal}));
    }
    net::Veth v;
    v.host_name = l.lease.veth;
    v.bridge = l.net.interface;
    v.netns_fd = ns.get();
    v.peer_name = fmt::format("eth{}", i);
    v.mac = l.lease.mac;
    v.ip = *net::parse_ipv4(l.lease.ip);
    v.prefix = sub.prefix;
    if (l.first && !l.net.internal) v.gateway = gw;
    TRY(net::attach_veth(v));
  }
  // The ports: their elements alone, or, when the table is not whole (flushed since, or another
  // berth still making it), the first network's rules with them in one transaction.
  const auto& first = p.links.front();
  if (!p.ports.empty()) {
    net::NetworkRules n{first.net.interface, TRY(net::parse_subnet(first.net.subnet)), first.net.internal};
    TRY(net::firewall_publish(n, rules_of(first.lease)));
  }
  return {};
}

// The veths go with the container's network namespace: deleting one here would wait for the
// kernel's RCU grace periods (some 15 ms) for nothing.
void net_release(const store::Store& s, NetPlan& p, const std::string& id) {
  if (!p.helper.empty()) stop_helper(p);
  if (p.links.empty()) return;
  net::firewall_remove_ports(rules_of(p.links.front().lease));
  auto lock = s.write_lock();
  if (!lock) return;  // the next writer reclaims them
  std::set<std::string> nets;
  for (const auto& l : p.links) {
    auto leases = store::read_leases(s, l.net.name);
    if (!leases) continue;
    auto it = leases->find(id);
    if (it == leases->end() || it->second.owner_pid != l.lease.owner_pid) continue;
    leases->erase(it);
    (void)store::write_leases(s, l.net.name, *leases);
    nets.insert(l.net.name);
  }
  refresh_peers(s, nets);
}

std::vector<store::PortMapping> published_ports(const store::Store& s, const store::ContainerRecord& rec) {
  const auto& c = rec.config;
  if (c.network == "bridge" && rec.state.alive()) {
    std::string first = c.networks.empty() ? kDefaultNetwork : c.networks.front();
    if (auto leases = store::read_leases(s, first); leases)
      if (auto it = leases->find(rec.id); it != leases->end()) return it->second.ports;
  }
  if ((c.network == "pasta" || c.network == "slirp4netns") && rec.state.alive())
    if (auto text = sys::read_host_file(store::container_run_dir(s, rec.id) + "/ports.json", 1 << 20); text)
      if (auto j = parse_json(*text, "ports"); j) return store::lease_from_json(rec.id, *j).ports;
  return c.ports;
}

}  // namespace detail

}  // namespace berth::engine

// `berth network create/ls/inspect/rm/prune/reload`. See network.hpp.
#include "berth/engine/network.hpp"

#include <random>
#include <set>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/run.hpp"
#include "berth/net/addr.hpp"
#include "berth/net/firewall.hpp"
#include "berth/net/netlink.hpp"
#include "berth/store/containers.hpp"
#include "network_internal.hpp"

namespace berth::engine {

namespace {

std::string random_id() {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<unsigned long>(::getpid()));
  std::string out;
  while (out.size() < 64) out += fmt::format("{:016x}", rng());
  return out;
}

Result<std::map<std::string, std::string>> key_values(const std::vector<std::string>& in, std::string_view what) {
  std::map<std::string, std::string> m;
  for (const auto& kv : in) {
    auto eq = kv.find('=');
    if (eq == 0 || kv.empty()) return fail(Errc::usage, "invalid {} \"{}\": want KEY=VALUE", what, kv);
    m[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return m;
}

// The subnet: as given (no overlap with another network), else the first free 10.89.N.0/24.
Result<net::Subnet> pick_subnet(const std::string& given, const std::vector<store::NetworkRecord>& all) {
  std::vector<net::Subnet> used;
  for (const auto& n : all)
    if (auto s = net::parse_subnet(n.subnet); s) used.push_back(*s);
  auto taken = [&](const net::Subnet& s) -> const net::Subnet* {
    for (const auto& u : used)
      if (u.overlaps(s)) return &u;
    return nullptr;
  };
  if (!given.empty()) {
    auto s = TRY(net::parse_subnet(given));
    if (const auto* u = taken(s))
      return fail(Errc::conflict, "subnet {} is already used by another network ({})", given, net::to_string(*u));
    return s;
  }
  for (std::uint32_t i = 0; i < 256; i++) {
    net::Subnet s{net::Ipv4{(10u << 24) | (89u << 16) | (i << 8)}, 24};
    if (!taken(s)) return s;
  }
  return fail(Errc::conflict, "no free subnet left in 10.89.0.0/16: give one with --subnet");
}

Result<void> fill_addresses(store::NetworkRecord& n, const NetworkCreateOptions& o, const net::Subnet& sub) {
  n.subnet = net::to_string(sub);
  net::Ipv4 gw = sub.first_host();
  if (!o.gateway.empty()) {
    auto g = net::parse_ipv4(o.gateway);
    if (!g) return fail(Errc::usage, "invalid gateway \"{}\": want an IPv4 address", o.gateway);
    if (!sub.contains(*g) || *g < sub.first_host() || sub.last_host() < *g)
      return fail(Errc::usage, "gateway {} is not a host address in subnet {}", o.gateway, n.subnet);
    gw = *g;
  }
  n.gateway = net::to_string(gw);
  if (!o.ip_range.empty()) {
    auto r = TRY(net::parse_subnet(o.ip_range));
    if (!sub.contains(r.base) || r.prefix < sub.prefix)
      return fail(Errc::usage, "ip range {} is not inside subnet {}", o.ip_range, n.subnet);
    n.ip_range = net::to_string(r);
  }
  return {};
}

std::string free_interface(const std::vector<store::NetworkRecord>& all) {
  std::set<std::string> used;
  for (const auto& n : all) used.insert(n.interface);
  for (int i = 1;; i++)
    if (!used.count(fmt::format("berth{}", i))) return fmt::format("berth{}", i);
}

std::string free_name(const std::vector<store::NetworkRecord>& all) {
  std::set<std::string> used;
  for (const auto& n : all) used.insert(n.name);
  for (int i = 1;; i++)
    if (!used.count(fmt::format("podman{}", i))) return fmt::format("podman{}", i);
}

Result<void> check_options(const std::map<std::string, std::string>& opts) {
  for (const auto& [k, v] : opts) {
    if (k == "mtu") {
      if (v.empty() || v.size() > 5 || !all_digits(v) || std::stoi(v) < 68)
        return fail(Errc::usage, "invalid mtu \"{}\": want a number of at least 68", v);
    } else if (k != "isolate" && k != "metric") {
      return fail(Errc::usage, "unsupported bridge network option {}", k);
    }
  }
  return {};
}

std::vector<std::string> users_of(const std::vector<store::ContainerRecord>& all, const std::string& net) {
  std::vector<std::string> ids;
  for (const auto& r : all)
    for (const auto& n : r.config.networks)
      if (n == net) ids.push_back(r.id);
  return ids;
}

}  // namespace

Result<std::vector<store::NetworkRecord>> network_list(Context& c) {
  std::vector<store::NetworkRecord> out{detail::default_record()};
  auto stored = TRY(store::read_networks(c.store));
  std::sort(stored.begin(), stored.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& n : stored)
    if (n.name != kDefaultNetwork) out.push_back(std::move(n));
  return out;
}

Result<store::NetworkRecord> network_find(Context& c, const std::string& key) {
  auto all = TRY(network_list(c));
  for (const auto& n : all)
    if (n.name == key || n.id == key) return n;
  const store::NetworkRecord* hit = nullptr;
  for (const auto& n : all)
    if (key.size() >= 3 && n.id.starts_with(key)) {
      if (hit) return fail(Errc::conflict, "more than one network matches ID prefix {}", key);
      hit = &n;
    }
  if (hit) return *hit;
  return fail(Errc::not_found, "unable to find network with name or ID {}: network not found", key);
}

Result<store::NetworkRecord> network_create(Context& c, const NetworkCreateOptions& o) {
  if (o.driver != "bridge")
    return fail(Errc::unsupported, "unsupported driver {}: berth makes bridge networks", o.driver);
  if (o.ipv6) return fail(Errc::unsupported, "IPv6 networks are not supported by berth yet");
  if (!o.name.empty()) TRY(net::check_network_name(o.name));
  store::NetworkRecord n;
  n.labels = TRY(key_values(o.labels, "label"));
  n.options = TRY(key_values(o.options, "option"));
  TRY(check_options(n.options));
  auto lock = TRY(c.store.write_lock());
  auto all = TRY(network_list(c));
  n.name = o.name.empty() ? free_name(all) : o.name;
  for (const auto& e : all)
    if (e.name == n.name) {
      if (o.ignore) return e;
      return fail(Errc::conflict, "network name {} already used: network already exists", n.name);
    }
  TRY(fill_addresses(n, o, TRY(pick_subnet(o.subnet, all))));
  n.id = random_id();
  n.interface = free_interface(all);
  n.internal = o.internal;
  n.dns_enabled = !o.disable_dns;
  n.created = store::now_ns();
  TRY(store::write_network(c.store, n));
  return n;
}

OrderedJson network_json(const store::NetworkRecord& n) {
  OrderedJson j;
  j["name"] = n.name;
  j["id"] = n.id;
  j["driver"] = n.driver;
  j["network_interface"] = n.interface;
  j["created"] = n.created ? rfc3339_utc(n.created / 1000000000, static_cast<long>(n.created % 1000000000))
                           : "0001-01-01T00:00:00Z";
  OrderedJson sub = {{"subnet", n.subnet}, {"gateway", n.gateway}};
  if (!n.ip_range.empty()) {
    auto r = net::parse_subnet(n.ip_range);
    if (r)
      sub["lease_range"] = {{"start_ip", net::to_string(r->first_host())}, {"end_ip", net::to_string(r->last_host())}};
  }
  j["subnets"] = OrderedJson::array({sub});
  j["ipv6_enabled"] = false;
  j["internal"] = n.internal;
  j["dns_enabled"] = n.dns_enabled;
  j["labels"] = n.labels;
  j["options"] = n.options;
  j["ipam_options"] = {{"driver", "host-local"}};
  return j;
}

Result<std::vector<std::string>> network_remove(Context& c, const std::vector<std::string>& names,
                                                const NetworkRemoveOptions& o) {
  std::vector<std::string> done;
  for (const auto& key : names) {
    auto n = TRY(network_find(c, key));
    if (n.name == kDefaultNetwork) return fail(Errc::usage, "default network {} cannot be removed", n.name);
    auto users = users_of(TRY(store::read_containers(c.store)), n.name);
    if (!users.empty() && !o.force)
      return fail(Errc::conflict,
                  "\"{}\" has associated containers with it. Use -f to forcibly delete containers and pods: network "
                  "is being used",
                  n.name);
    if (!users.empty()) {
      auto r = TRY(remove_containers(c, RmOptions{users, true, false, o.timeout}));
      if (!r.errors.empty()) return std::unexpected(r.errors.front());
    }
    auto lock = TRY(c.store.write_lock());
    if (!users_of(TRY(store::read_containers(c.store)), n.name).empty())
      return fail(Errc::conflict, "network {} gained a container while it was removed: network is being used", n.name);
    // The bridge and the network's rules are made together by its first container.
    if (net::link_exists(n.interface)) {
      net::firewall_remove_network({n.interface, TRY(net::parse_subnet(n.subnet)), n.internal});
      if (auto r = net::delete_link(n.interface); !r) log::warn("{}", r.error().message);
    }
    TRY(store::remove_network(c.store, n.name));
    done.push_back(n.name);
  }
  return done;
}

Result<std::vector<std::string>> network_prune(Context& c) {
  auto all = TRY(network_list(c));
  auto ctrs = TRY(store::read_containers(c.store));
  std::vector<std::string> unused;
  for (const auto& n : all)
    if (n.name != kDefaultNetwork && users_of(ctrs, n.name).empty()) unused.push_back(n.name);
  if (unused.empty()) return unused;
  return network_remove(c, unused, {});
}

}  // namespace berth::engine

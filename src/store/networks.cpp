#include "berth/store/networks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "berth/sys/file.hpp"

namespace berth::store {

namespace {

constexpr size_t kMax = 4 << 20;

}  // namespace

Json lease_json(const Lease& l) {
  Json ports = Json::array();
  for (const auto& p : l.ports)
    ports.push_back({{"host_ip", p.host_ip},
                     {"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol}});
  return {{"name", l.name},
          {"ip", l.ip},
          {"mac", l.mac},
          {"veth", l.veth},
          {"aliases", l.aliases},
          {"ports", ports},
          {"owner_pid", l.owner_pid},
          {"owner_start", l.owner_start}};
}

Lease lease_from_json(const std::string& id, const Json& j) {
  Lease l;
  l.container = id;
  l.name = json_str(j, "name");
  l.ip = json_str(j, "ip");
  l.mac = json_str(j, "mac");
  l.veth = json_str(j, "veth");
  l.aliases = json_strings(json_obj(j, "aliases"));
  for (const auto& p : json_obj(j, "ports"))
    l.ports.push_back(PortMapping{json_str(p, "host_ip"), static_cast<std::uint16_t>(json_int(p, "host_port")),
                                  static_cast<std::uint16_t>(json_int(p, "container_port")),
                                  json_str(p, "protocol", "tcp")});
  l.owner_pid = static_cast<int>(json_int(j, "owner_pid"));
  l.owner_start = static_cast<unsigned long long>(json_int(j, "owner_start"));
  return l;
}

namespace {

bool is_record_file(const std::string& f) {
  return f.size() > 5 && f.ends_with(".json") && !f.ends_with(".leases.json");
}

}  // namespace

Json to_json(const NetworkRecord& n) {
  return {{"name", n.name},
          {"id", n.id},
          {"driver", n.driver},
          {"interface", n.interface},
          {"subnet", n.subnet},
          {"gateway", n.gateway},
          {"ip_range", n.ip_range},
          {"internal", n.internal},
          {"dns_enabled", n.dns_enabled},
          {"labels", n.labels},
          {"options", n.options},
          {"created", n.created}};
}

Result<NetworkRecord> network_from_json(const Json& j) {
  if (!j.is_object()) return fail(Errc::invalid_input, "a network record is not a JSON object");
  NetworkRecord n;
  n.name = json_str(j, "name");
  n.id = json_str(j, "id");
  n.driver = json_str(j, "driver", "bridge");
  n.interface = json_str(j, "interface");
  n.subnet = json_str(j, "subnet");
  n.gateway = json_str(j, "gateway");
  n.ip_range = json_str(j, "ip_range");
  n.internal = j.value("internal", false);
  n.dns_enabled = j.value("dns_enabled", true);
  n.labels = json_string_map(json_obj(j, "labels"));
  n.options = json_string_map(json_obj(j, "options"));
  n.created = json_int(j, "created");
  if (n.name.empty() || n.interface.empty() || n.subnet.empty())
    return fail(Errc::invalid_input, "network record {} lacks a name, interface or subnet", n.name);
  return n;
}

Result<std::vector<NetworkRecord>> read_networks(const Store& s) {
  std::vector<NetworkRecord> out;
  auto files = sys::list_dir(s.root(), "networks");
  if (!files) return out;  // none made yet
  for (const auto& f : *files) {
    if (!is_record_file(f)) continue;
    auto text = sys::read_file_at(s.root(), "networks/" + f, kMax);
    if (!text) continue;
    auto j = parse_json(*text, "network " + f);
    if (!j) continue;
    if (auto n = network_from_json(*j); n) out.push_back(std::move(*n));
  }
  return out;
}

Result<std::optional<NetworkRecord>> read_network(const Store& s, const std::string& name) {
  auto text = sys::read_file_at(s.root(), "networks/" + name + ".json", kMax);
  if (!text) return std::optional<NetworkRecord>();
  return std::optional<NetworkRecord>(TRY(network_from_json(TRY(parse_json(*text, "network " + name)))));
}

Result<void> write_network(const Store& s, const NetworkRecord& n) {
  TRY(sys::ensure_dir(s.root(), "networks", 0700));
  auto dir = TRY(sys::open_beneath(s.root(), "networks", O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_atomic(dir.get(), n.name + ".json", dump_json(to_json(n)));
}

Result<void> remove_network(const Store& s, const std::string& name) {
  auto dir = TRY(sys::open_beneath(s.root(), "networks", O_RDONLY | O_DIRECTORY, 0, true));
  ::unlinkat(dir.get(), (name + ".leases.json").c_str(), 0);
  if (::unlinkat(dir.get(), (name + ".json").c_str(), 0) != 0 && errno != ENOENT)
    return fail_errno("remove network {}", name);
  return {};
}

Result<Leases> read_leases(const Store& s, const std::string& network) {
  Leases out;
  auto text = sys::read_file_at(s.root(), "networks/" + network + ".leases.json", kMax);
  if (!text) return out;
  auto j = TRY(parse_json(*text, "leases of network " + network));
  if (j.is_object())
    for (const auto& [id, l] : j.items()) out[id] = lease_from_json(id, l);
  return out;
}

Result<void> write_leases(const Store& s, const std::string& network, const Leases& l) {
  TRY(sys::ensure_dir(s.root(), "networks", 0700));
  auto dir = TRY(sys::open_beneath(s.root(), "networks", O_RDONLY | O_DIRECTORY, 0, true));
  if (l.empty()) {
    if (::unlinkat(dir.get(), (network + ".leases.json").c_str(), 0) != 0 && errno != ENOENT)
      return fail_errno("remove the leases of network {}", network);
    return {};
  }
  Json j = Json::object();
  for (const auto& [id, lease] : l) j[id] = lease_json(lease);
  // write_replace: a lease outlives no reboot (the containers holding it do not either).
  return sys::write_replace(dir.get(), network + ".leases.json", dump_json(j));
}

}  // namespace berth::store

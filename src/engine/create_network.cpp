// create/run: --network, -p, -P, --expose, --ip, --mac-address, --network-alias, --dns*,
// --add-host, --no-hosts. See network.hpp.
#include <unistd.h>

#include <fmt/format.h>

#include "berth/core/strings.hpp"
#include "berth/engine/network.hpp"
#include "berth/image/config.hpp"
#include "berth/net/addr.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

std::string default_network_mode(bool publishing) {
  if (!publishing) return "private";
  if (!sys::rootless()) return "bridge";
  return sys::find_executable("pasta").empty() && !sys::find_executable("slirp4netns").empty() ? "slirp4netns"
                                                                                               : "pasta";
}

}  // namespace berth::engine

namespace berth::engine::detail {

namespace {

bool bridge_like(const std::string& mode) { return mode == "bridge" || mode == "pasta" || mode == "slirp4netns"; }

Result<void> add_ports(const net::PortSpec& p, store::ContainerConfig& c) {
  for (unsigned i = 0; i < p.range; i++) {
    store::PortMapping m{p.host_ip, static_cast<std::uint16_t>(p.host_port ? p.host_port + i : 0),
                         static_cast<std::uint16_t>(p.container_port + i), p.protocol};
    for (const auto& q : c.ports)
      if (q.protocol == m.protocol && m.host_port != 0 && q.host_port == m.host_port && q.host_ip == m.host_ip)
        return fail(Errc::usage, "host port {}/{} is published twice", m.host_port, m.protocol);
    c.ports.push_back(m);
  }
  return {};
}

Result<void> network_mode(const std::string& given, bool publishing, store::ContainerConfig& c) {
  std::string mode = given.empty() ? default_network_mode(publishing) : given;
  if (mode == "private" || mode == "none" || mode == "host" || mode == "bridge") {
    c.network = mode;
    return {};
  }
  for (std::string helper : {"pasta", "slirp4netns"})
    if (mode == helper || mode.starts_with(helper + ":")) {
      c.network = helper;
      // podman's pasta:OPT,OPT (pasta's own options); slirp4netns: its long options, given
      // without their dashes as podman takes them (mtu=1500 -> --mtu=1500)
      if (mode.size() > helper.size() + 1)
        for (const auto& o : split(mode.substr(helper.size() + 1), ','))
          c.network_opts.push_back(helper == "pasta" || o.starts_with("-") ? o : "--" + o);
      return {};
    }
  if (mode.starts_with("container:") || mode.starts_with("ns:")) {
    if (mode.size() == (mode[0] == 'c' ? 10u : 3u)) return fail(Errc::usage, "--network {} names nothing", mode);
    c.network = mode;  // container: resolved to an id once the store is open
    return {};
  }
  if (mode.starts_with("bridge:"))
    return fail(Errc::unsupported, "network mode \"{}\" is not supported by berth yet", mode);
  c.network = "bridge";
  for (const auto& n : split(mode, ',')) {
    TRY(net::check_network_name(n));
    for (const auto& have : c.networks)
      if (have == n) return fail(Errc::usage, "network {} is given twice", n);
    c.networks.push_back(n);
  }
  return {};
}

Result<void> check_dns(const RunOptions& o) {
  for (const auto& d : o.dns)
    if (!net::parse_ipv4(d) && d != "none") return fail(Errc::usage, "invalid --dns \"{}\": want an IPv4 address", d);
  for (const auto& h : o.add_host) {
    auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0 || !net::parse_ipv4(h.substr(colon + 1)))
      return fail(Errc::usage, "invalid --add-host \"{}\": want HOST:IP", h);
  }
  return {};
}

}  // namespace

Result<void> network_flags(const RunOptions& o, store::ContainerConfig& c) {
  TRY(network_mode(o.network, !o.publish.empty() || o.publish_all, c));
  for (const auto& p : o.publish) TRY(add_ports(TRY(net::parse_port_spec(p)), c));
  for (const auto& e : o.expose) TRY(net::parse_expose(e));
  bool bridge = bridge_like(c.network);
  if ((!c.ports.empty() || o.publish_all) && (c.network == "host" || c.network.starts_with("container:"))) {
    // podman's words and behaviour: the ports are the host's (or that container's) already
    fmt::print(stderr,  // podman prints it so, without a log prefix
               "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in "
               "use\n");
    c.ports.clear();
  } else if ((!c.ports.empty() || o.publish_all) && !bridge) {
    return fail(Errc::usage, "-p/--publish needs a bridge, pasta or slirp4netns network, not --network {}", c.network);
  }
  bool own_bridge = c.network == "bridge";
  if (!o.ip.empty()) {
    if (!own_bridge) return fail(Errc::usage, "--ip needs a bridge network, not --network {}", c.network);
    if (c.networks.size() > 1)
      return fail(Errc::usage, "--ip is for one network: the container joins {}", c.networks.size());
    if (!net::parse_ipv4(o.ip)) return fail(Errc::usage, "invalid --ip \"{}\": want an IPv4 address", o.ip);
    c.ip = o.ip;
  }
  if (!o.mac.empty()) {
    if (!own_bridge) return fail(Errc::usage, "--mac-address needs a bridge network, not --network {}", c.network);
    c.mac = TRY(net::parse_mac(o.mac));
  }
  if (!o.aliases.empty() && (!own_bridge || c.networks.empty()))
    return fail(Errc::usage, "--network-alias is only supported on user-defined networks");
  c.aliases = o.aliases;
  TRY(check_dns(o));
  if (o.no_hosts && !o.add_host.empty()) return fail(Errc::usage, "--no-hosts and --add-host conflict");
  c.dns = o.dns;
  c.dns_search = o.dns_search;
  c.dns_option = o.dns_option;
  c.add_host = o.add_host;
  c.no_hosts = o.no_hosts;
  return {};
}

Result<void> network_image_ports(const store::Store& s, const RunOptions& o, const Json& image_config,
                                 store::ContainerConfig& c) {
  if (c.network.starts_with("container:")) {
    auto id = store::resolve_container(s, c.network.substr(10));
    if (!id) return fail(Errc::not_found, "--network {}: {}", c.network, id.error().message);
    c.network = "container:" + *id;
  }
  if (c.network.starts_with("ns:") && ::access(c.network.substr(3).c_str(), F_OK) != 0)
    return fail(Errc::not_found, "--network {}: {}", c.network, errno_text(errno));
  for (const auto& n : c.networks)
    if (n != kDefaultNetwork && !TRY(store::read_network(s, n)))
      return fail(Errc::not_found, "unable to find network with name or ID {}: network not found", n);
  if (!o.publish_all) return {};
  std::vector<std::string> exposed = image::decode_image_config(image_config).exposed_ports;
  exposed.insert(exposed.end(), o.expose.begin(), o.expose.end());
  for (const auto& e : exposed) {
    auto spec = net::parse_expose(e);
    if (!spec) continue;  // the image's EXPOSE is untrusted: a bad entry publishes nothing
    bool have = false;
    for (const auto& p : c.ports)
      have = have || (p.container_port == spec->container_port && p.protocol == spec->protocol);
    if (!have) TRY(add_ports(*spec, c));
  }
  return {};
}

}  // namespace berth::engine::detail

// IPv4 addresses, subnets and published-port specs: pure parsing and arithmetic (no sockets).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::net {

struct Ipv4 {
  std::uint32_t v = 0;  // host byte order
  bool operator==(const Ipv4&) const = default;
  auto operator<=>(const Ipv4&) const = default;
};

std::optional<Ipv4> parse_ipv4(std::string_view s);
std::string to_string(Ipv4 a);

struct Subnet {
  Ipv4 base;  // masked
  int prefix = 0;
  bool operator==(const Subnet&) const = default;
  std::uint32_t mask() const { return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix); }
  bool contains(Ipv4 a) const { return (a.v & mask()) == base.v; }
  bool overlaps(const Subnet& o) const;
  Ipv4 first_host() const { return Ipv4{base.v + 1}; }
  Ipv4 last_host() const { return Ipv4{(base.v | ~mask()) - 1}; }
};

// "10.88.0.0/16"; a base with host bits set ("10.88.0.1/16") is refused, as podman does.
Result<Subnet> parse_subnet(std::string_view s);
std::string to_string(const Subnet& s);

// One published port range as -p gives it: [IP:][HOST[-HOST]:]CTR[-CTR][/tcp|udp].
// host_port 0: a random free host port for each container port.
struct PortSpec {
  std::string host_ip;  // "" for every address
  std::uint16_t host_port = 0;
  std::uint16_t container_port = 0;
  std::uint16_t range = 1;  // how many consecutive ports
  std::string protocol = "tcp";
  bool operator==(const PortSpec&) const = default;
};

Result<PortSpec> parse_port_spec(std::string_view s);
// "80/tcp", "53/udp", "8000-8010" (EXPOSE, --expose): container ports only.
Result<PortSpec> parse_expose(std::string_view s);

// A network name: podman's rule, [a-zA-Z0-9][a-zA-Z0-9_.-]*.
Result<void> check_network_name(std::string_view name);

// FNV-1a, 64 bits: names and MACs derived from ids (no crypto library to load on the run path).
std::uint64_t fnv1a(std::string_view s);
// A locally administered, unicast MAC from `seed` bytes, "aa:bb:..." text; parse checks one.
std::string mac_from_seed(std::string_view seed);
Result<std::string> parse_mac(std::string_view s);

}  // namespace berth::net

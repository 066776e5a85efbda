#include "berth/net/addr.hpp"

#include <charconv>

#include "berth/core/strings.hpp"

namespace berth::net {

namespace {

std::optional<unsigned> number(std::string_view s, unsigned max) {
  if (s.empty() || s.size() > 10 || !all_digits(s)) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

// "80", "8000-8010" -> first port and count.
Result<std::pair<std::uint16_t, std::uint16_t>> port_range(std::string_view s, std::string_view whole) {
  auto dash = s.find('-');
  auto lo = number(s.substr(0, dash), 65535);
  if (!lo || *lo == 0) return fail(Errc::usage, "invalid port \"{}\" in \"{}\": a port is 1 to 65535", s, whole);
  if (dash == std::string_view::npos) return std::pair<std::uint16_t, std::uint16_t>(*lo, 1);
  auto hi = number(s.substr(dash + 1), 65535);
  if (!hi || *hi < *lo)
    return fail(Errc::usage, "invalid port range \"{}\" in \"{}\": the end must be a port at or after the start", s,
                whole);
  return std::pair<std::uint16_t, std::uint16_t>(*lo, *hi - *lo + 1);
}

Result<std::string> protocol_of(std::string_view& s, std::string_view whole) {
  auto slash = s.rfind('/');
  if (slash == std::string_view::npos) return std::string("tcp");
  std::string proto(s.substr(slash + 1));
  s = s.substr(0, slash);
  if (proto != "tcp" && proto != "udp")
    return fail(Errc::usage, "invalid protocol \"{}\" in \"{}\": use tcp or udp", proto, whole);
  return proto;
}

}  // namespace

std::optional<Ipv4> parse_ipv4(std::string_view s) {
  auto parts = split(s, '.');
  if (parts.size() != 4) return std::nullopt;
  std::uint32_t v = 0;
  for (const auto& p : parts) {
    if (p.size() > 1 && p[0] == '0') return std::nullopt;
    auto n = number(p, 255);
    if (!n) return std::nullopt;
    v = v << 8 | *n;
  }
  return Ipv4{v};
}

std::string to_string(Ipv4 a) {
  return fmt::format("{}.{}.{}.{}", a.v >> 24, (a.v >> 16) & 255, (a.v >> 8) & 255, a.v & 255);
}

bool Subnet::overlaps(const Subnet& o) const {
  int p = std::min(prefix, o.prefix);
  std::uint32_t m = p == 0 ? 0 : ~std::uint32_t{0} << (32 - p);
  return (base.v & m) == (o.base.v & m);
}

Result<Subnet> parse_subnet(std::string_view s) {
  auto slash = s.find('/');
  auto ip = parse_ipv4(s.substr(0, slash));
  unsigned prefix = 99;
  if (slash != std::string_view::npos) prefix = number(s.substr(slash + 1), 32).value_or(99);
  if (!ip || prefix == 99) return fail(Errc::usage, "invalid subnet \"{}\": want an IPv4 CIDR such as 10.89.0.0/24", s);
  if (prefix < 8 || prefix > 30)
    return fail(Errc::usage, "invalid subnet \"{}\": the prefix length must be 8 to 30", s);
  Subnet n{*ip, static_cast<int>(prefix)};
  if ((ip->v & n.mask()) != ip->v)
    return fail(Errc::usage, "invalid subnet \"{}\": host bits are set (did you mean {}?)", s,
                to_string(Subnet{Ipv4{ip->v & n.mask()}, n.prefix}));
  return n;
}

std::string to_string(const Subnet& s) { return fmt::format("{}/{}", to_string(s.base), s.prefix); }

Result<PortSpec> parse_port_spec(std::string_view whole) {
  std::string_view s = whole;
  PortSpec p;
  p.protocol = TRY(protocol_of(s, whole));
  // The IP may be bracketed ([::1]) or plain; the container part is always the last field.
  auto last = s.rfind(':');
  auto ctr = TRY(port_range(last == std::string_view::npos ? s : s.substr(last + 1), whole));
  p.container_port = ctr.first;
  p.range = ctr.second;
  if (last == std::string_view::npos) return p;
  std::string_view front = s.substr(0, last);
  auto colon = front.rfind(':');
  std::string_view host = colon == std::string_view::npos ? front : front.substr(colon + 1);
  if (colon != std::string_view::npos) {
    std::string_view ip = front.substr(0, colon);
    if (!ip.empty() && !parse_ipv4(ip))
      return fail(Errc::usage, "invalid IP address \"{}\" in \"{}\": want an IPv4 address", ip, whole);
    p.host_ip = ip;
  }
  if (host.empty()) return p;
  auto h = TRY(port_range(host, whole));
  if (h.second != p.range && h.second != 1)
    return fail(Errc::usage, "invalid port mapping \"{}\": the host range has {} ports, the container range {}", whole,
                h.second, p.range);
  if (h.second == 1 && p.range != 1)
    return fail(Errc::usage, "invalid port mapping \"{}\": a container range needs a host range of the same size",
                whole);
  if (static_cast<unsigned>(h.first) + p.range - 1 > 65535)
    return fail(Errc::usage, "invalid port mapping \"{}\": the host range goes past 65535", whole);
  p.host_port = h.first;
  return p;
}

Result<PortSpec> parse_expose(std::string_view whole) {
  std::string_view s = whole;
  PortSpec p;
  p.protocol = TRY(protocol_of(s, whole));
  auto r = TRY(port_range(s, whole));
  p.container_port = r.first;
  p.range = r.second;
  return p;
}

Result<void> check_network_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 200 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  if (!ok) return fail(Errc::usage, "network name \"{}\" invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
  return {};
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string mac_from_seed(std::string_view seed) {
  std::uint64_t h = fnv1a(seed);
  unsigned b[6];
  for (int i = 0; i < 6; i++) b[i] = static_cast<unsigned>((h >> (8 * i)) & 0xff);
  b[0] = (b[0] & 0xfe) | 0x02;  // unicast, locally administered
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3], b[4], b[5]);
}

Result<std::string> parse_mac(std::string_view s) {
  auto parts = split(s, ':');
  bool ok = parts.size() == 6;
  std::string out;
  for (const auto& p : parts) {
    ok = ok && p.size() == 2 && std::isxdigit(static_cast<unsigned char>(p[0])) &&
         std::isxdigit(static_cast<unsigned char>(p[1]));
    if (!out.empty()) out += ':';
    for (char c : p) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!ok) return fail(Errc::usage, "invalid MAC address \"{}\": want six hex pairs such as 02:42:ac:11:00:02", s);
  if (std::stoul(out.substr(0, 2), nullptr, 16) & 1)
    return fail(Errc::usage, "MAC address {} is a multicast address", s);
  return out;
}

}  // namespace berth::net

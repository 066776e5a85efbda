#include <catch2/catch.hpp>

#include "berth/net/addr.hpp"

using namespace berth;
using namespace berth::net;

TEST_CASE("IPv4 addresses parse strictly") {
  CHECK(to_string(*parse_ipv4("10.88.0.1")) == "10.88.0.1");
  CHECK(parse_ipv4("255.255.255.255")->v == 0xffffffffu);
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "a.b.c.d", "01.2.3.4", "1..2.3", " 1.2.3.4"})
    CHECK_FALSE(parse_ipv4(bad));
}

TEST_CASE("subnets: CIDR, host bits, prefix limits, overlap") {
  auto s = parse_subnet("10.89.0.0/24");
  REQUIRE(s);
  CHECK(to_string(*s) == "10.89.0.0/24");
  CHECK(to_string(s->first_host()) == "10.89.0.1");
  CHECK(to_string(s->last_host()) == "10.89.0.254");
  CHECK(s->contains(*parse_ipv4("10.89.0.200")));
  CHECK_FALSE(s->contains(*parse_ipv4("10.89.1.1")));
  auto host_bits = parse_subnet("10.88.0.1/16");
  REQUIRE_FALSE(host_bits);
  CHECK(host_bits.error().message.find("did you mean 10.88.0.0/16") != std::string::npos);
  for (const char* bad : {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/4", "10.0.0.0/31", "x/24", "10.0.0.0/2a"})
    CHECK_FALSE(parse_subnet(bad));
  CHECK(parse_subnet("10.88.0.0/16")->overlaps(*parse_subnet("10.88.5.0/24")));
  CHECK(parse_subnet("10.88.5.0/24")->overlaps(*parse_subnet("10.88.0.0/16")));
  CHECK_FALSE(parse_subnet("10.89.0.0/24")->overlaps(*parse_subnet("10.89.1.0/24")));
}

TEST_CASE("-p specs: ip, host and container ports, ranges, protocols") {
  auto p = parse_port_spec("8080:80");
  REQUIRE(p);
  CHECK(p->host_port == 8080);
  CHECK(p->container_port == 80);
  CHECK(p->protocol == "tcp");
  CHECK(p->host_ip.empty());
  p = parse_port_spec("127.0.0.1:8080:80/udp");
  REQUIRE(p);
  CHECK(p->host_ip == "127.0.0.1");
  CHECK(p->protocol == "udp");
  p = parse_port_spec("80");
  REQUIRE(p);
  CHECK(p->host_port == 0);
  CHECK(p->container_port == 80);
  p = parse_port_spec("127.0.0.1::80");
  REQUIRE(p);
  CHECK(p->host_port == 0);
  CHECK(p->host_ip == "127.0.0.1");
  p = parse_port_spec("8000-8010:80-90");
  REQUIRE(p);
  CHECK(p->range == 11);
  CHECK(p->host_port == 8000);
  p = parse_port_spec("80-82");
  REQUIRE(p);
  CHECK(p->range == 3);
  for (const char* bad : {"", "abc", "70000", "0", "8000-8010:80-85", "8000:80-85", "80/sctp", "1.2.3:80:80",
                          "65535-65536:1-2", "90-80", "65535-65535:1-2"})
    CHECK_FALSE(parse_port_spec(bad));
}

TEST_CASE("--expose, network names, MAC addresses") {
  CHECK(parse_expose("53/udp")->protocol == "udp");
  CHECK(parse_expose("8000-8002")->range == 3);
  CHECK_FALSE(parse_expose("1.2.3.4:80"));
  CHECK(check_network_name("net1.a_b-c"));
  for (const char* bad : {"", "a/b", "-x", ".x", "a b", "a:b"}) CHECK_FALSE(check_network_name(bad));
  CHECK(*parse_mac("02:42:AC:11:00:02") == "02:42:ac:11:00:02");
  CHECK_FALSE(parse_mac("01:00:00:00:00:00"));  // multicast
  CHECK_FALSE(parse_mac("02:42:ac:11:00"));
  CHECK_FALSE(parse_mac("zz:42:ac:11:00:02"));
  std::string m = mac_from_seed("container/net");
  CHECK(parse_mac(m));
  CHECK(m == mac_from_seed("container/net"));
  CHECK(m != mac_from_seed("container/other"));
}

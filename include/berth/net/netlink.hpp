// Links, addresses and routes over rtnetlink (libmnl): the rootful bridge plumbing. No process
// is executed; each call is a few netlink messages in the caller's network namespace, or in a
// container's (a socket opened there by a brief setns).
#pragma once

#include <optional>
#include <string>

#include "berth/core/error.hpp"
#include "berth/net/addr.hpp"

namespace berth::net {

// The bridge `name` with `gateway`/`prefix` on it, up, forwarding on, and route_localnet so
// that ports published on 127.0.0.1 reach it. Idempotent (parallel callers may race: fine).
Result<void> ensure_bridge(const std::string& name, Ipv4 gateway, int prefix);

// Removes a link; a missing one is not an error.
Result<void> delete_link(const std::string& name);
bool link_exists(const std::string& name);

struct Veth {
  std::string host_name;  // the end on the bridge, in this namespace
  std::string bridge;
  int netns_fd = -1;  // the container's network namespace
  std::string peer_name = "eth0";
  std::string mac;  // "aa:bb:cc:dd:ee:ff"
  Ipv4 ip;
  int prefix = 16;
  std::optional<Ipv4> gateway;  // the default route, for the container's first network
};

// Creates the pair with its peer directly in the container's namespace, and configures it
// there (address, up, default route). On failure nothing is left (the host end is removed).
Result<void> attach_veth(const Veth& v);

// The first of eth0, eth1, ... that the namespace does not have yet.
std::string free_ifname(int netns_fd);

// The container side of `netns_fd`: brings "lo" up (a namespace berth made).
Result<void> loopback_up(int netns_fd);

}  // namespace berth::net

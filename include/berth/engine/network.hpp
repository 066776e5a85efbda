// Networks (DESIGN.md "Networking"): `berth network ...`, and what a container's start does
// with them: reserve addresses and ports under the store lock, plumb the container's network
// namespace before it runs, release all of it when the container is gone.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"
#include "berth/engine/run.hpp"
#include "berth/store/networks.hpp"

namespace berth::engine {

inline constexpr const char* kDefaultNetwork = "podman";

struct NetworkCreateOptions {
  std::string name;  // empty: the first free berthN... name podman picks (podman1, podman2, ...)
  std::string driver = "bridge";
  std::string subnet, gateway, ip_range;
  bool internal = false, disable_dns = false, ignore = false, ipv6 = false;
  std::vector<std::string> labels, options;  // KEY=VALUE
};
Result<store::NetworkRecord> network_create(Context& c, const NetworkCreateOptions& o);

// The default network first, then the stored ones by name.
Result<std::vector<store::NetworkRecord>> network_list(Context& c);
// By name, full id or id prefix; the default network too.
Result<store::NetworkRecord> network_find(Context& c, const std::string& key);
// Podman's `network inspect` object.
OrderedJson network_json(const store::NetworkRecord& n);

struct NetworkRemoveOptions {
  bool force = false;
  int timeout = 10;  // seconds the containers -f stops get before SIGKILL
};
// Removes the networks (with -f their containers first); returns the names removed.
Result<std::vector<std::string>> network_remove(Context& c, const std::vector<std::string>& names,
                                                const NetworkRemoveOptions& o);
// Networks no container names; returns their names.
Result<std::vector<std::string>> network_prune(Context& c);
// Re-applies the firewall rules (table, networks, published ports) of the running containers
// given (all with `all`); returns the ids done.
Result<std::vector<std::string>> network_reload(Context& c, const std::vector<std::string>& containers, bool all);

struct ContainerPorts {
  std::string id, name;
  std::vector<store::PortMapping> ports;
};
// The network of a container (or pod) whose --network was not given: loopback only
// ("private"), unless it publishes ports: then the default bridge as root, pasta rootless
// (slirp4netns when pasta is not installed), as podman's defaults are.
std::string default_network_mode(bool publishing);

// `port`: one container's published ports (as running: random host ports resolved), or every
// running container's with `all`.
Result<std::vector<ContainerPorts>> container_ports(Context& c, const std::string& key, bool all);

struct NetworkConnectOptions {
  std::string network, container, ip;
  std::vector<std::string> aliases;
};
// Joins a container to one more network: recorded for its next starts and, when it runs,
// plumbed now (an interface ethN, no default route) and named in the peers' /etc/hosts.
Result<void> network_connect(Context& c, const NetworkConnectOptions& o);
// Takes it off a network (its interface there goes at once when it runs).
Result<void> network_disconnect(Context& c, const std::string& network, const std::string& container);

// A published port as `port` and `ps` print it: "0.0.0.0:8080->80/tcp".
std::string port_text(const store::PortMapping& p);

namespace detail {

// create/run: the network mode and what goes with it (-p, --ip, --dns, ...), checked.
Result<void> network_flags(const RunOptions& o, store::ContainerConfig& c);
// -P: the image's EXPOSE and --expose on random host ports; and the named networks exist.
Result<void> network_image_ports(const store::Store& s, const RunOptions& o, const Json& image_config,
                                 store::ContainerConfig& c);

// What one start of a container attaches: reserved by net_reserve, plumbed by net_attach
// between clone and exec, undone by net_release.
struct NetPlan {
  struct Link {
    store::NetworkRecord net;
    store::Lease lease;
    int prefix = 16;
    bool first = false;  // carries the default route and the published ports
  };
  std::vector<Link> links;
  std::vector<store::PortMapping> ports;  // host ports resolved
  // pasta: a user-mode network for the container (rootless), started by net_attach and
  // stopped by net_release.
  std::string helper;
  std::vector<std::string> helper_opts;
  std::string run_dir;  // the container's run dir (the helper's pid file)
  bool rootless = false;
  int helper_pid = 0;
  unsigned long long helper_start = 0;
  int helper_exit_fd = -1;  // slirp4netns exits once this (write end of its --exit-fd) closes
  bool empty() const { return links.empty() && helper.empty(); }
};

// pasta for the namespace of `pid`, with the plan's ports; records the daemon in the plan.
Result<void> start_pasta(NetPlan& p, pid_t pid);
// slirp4netns likewise; ports through its API socket.
Result<void> start_slirp(NetPlan& p, pid_t pid);
void stop_helper(NetPlan& p);
// The helper a dead container's run dir names (its monitor killed): stopped.
void stop_stale_helper(const std::string& run_dir);

// For a container in bridge mode: leases on each of its networks and its host ports, under the
// store's write lock (dead containers' leases are reclaimed first). Empty for other modes.
Result<NetPlan> net_reserve(const store::Store& s, const store::ContainerRecord& rec);
// Adds the container's addresses to its /etc/hosts ("10.88.0.2\tNAME HOSTNAME").
Result<void> net_write_hosts(const store::Store& s, const store::ContainerRecord& rec, const NetPlan& p,
                             const std::string& hostname);
// Plumbs the namespace of `pid` (before it runs): bridges, veths, addresses, routes, ports.
Result<void> net_attach(NetPlan& p, pid_t pid);
// Removes the ports and the leases (and a veth the kernel has not removed yet).
void net_release(const store::Store& s, NetPlan& p, const std::string& id);
// inspect's NetworkSettings for a container.
OrderedJson network_settings(const store::Store& s, const store::ContainerRecord& rec);
// The published ports of a running container (its first network's lease), else its config's.
std::vector<store::PortMapping> published_ports(const store::Store& s, const store::ContainerRecord& rec);

}  // namespace detail

}  // namespace berth::engine

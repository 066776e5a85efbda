// rtnetlink through libmnl. See netlink.hpp.
#include "berth/net/netlink.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <vector>

#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"

namespace berth::net {

namespace {

class Socket {
 public:
  static Result<Socket> open() {
    Socket s;
    s.nl_ = ::mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!s.nl_) return fail_errno("open a netlink socket");
    if (::mnl_socket_bind(s.nl_, 0, MNL_SOCKET_AUTOPID) < 0) return fail_errno("bind a netlink socket");
    s.portid_ = ::mnl_socket_get_portid(s.nl_);
    return s;
  }
  Socket() = default;
  Socket(Socket&& o) noexcept : nl_(std::exchange(o.nl_, nullptr)), portid_(o.portid_), seq_(o.seq_) {}
  Socket& operator=(Socket&&) = delete;
  ~Socket() {
    if (nl_) ::mnl_socket_close(nl_);
  }

  nlmsghdr* start(std::uint16_t type, std::uint16_t flags) {
    buf_.assign(MNL_SOCKET_BUFFER_SIZE, 0);
    nlmsghdr* h = ::mnl_nlmsg_put_header(buf_.data());
    h->nlmsg_type = type;
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    h->nlmsg_seq = ++seq_;
    return h;
  }

  // Sends the message and waits for its ACK; returns 0 or the kernel's errno. `cb` sees
  // replies (RTM_GETLINK).
  int transact(nlmsghdr* h, mnl_cb_t cb = nullptr, void* data = nullptr) {
    if (::mnl_socket_sendto(nl_, h, h->nlmsg_len) < 0) return errno;
    std::vector<char> rb(MNL_SOCKET_BUFFER_SIZE);
    while (true) {
      ssize_t n = ::mnl_socket_recvfrom(nl_, rb.data(), rb.size());
      if (n < 0) return errno;
      int r = ::mnl_cb_run(rb.data(), static_cast<size_t>(n), h->nlmsg_seq, portid_, cb, data);
      if (r < 0) return errno;
      if (r == MNL_CB_STOP) return 0;
    }
  }

 private:
  mnl_socket* nl_ = nullptr;
  unsigned portid_ = 0;
  unsigned seq_ = static_cast<unsigned>(::time(nullptr));
  std::vector<char> buf_;
};

ifinfomsg* put_ifinfo(nlmsghdr* h) {
  auto* ifi = static_cast<ifinfomsg*>(::mnl_nlmsg_put_extra_header(h, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  return ifi;
}

Result<void> check(int err, std::string_view what) {
  if (err == 0) return {};
  errno = err;
  return fail_errno("{}", what);
}

Result<void> set_up(Socket& s, const std::string& name) {
  nlmsghdr* h = s.start(RTM_NEWLINK, 0);
  ifinfomsg* ifi = put_ifinfo(h);
  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = IFF_UP;
  ::mnl_attr_put_strz(h, IFLA_IFNAME, name.c_str());
  return check(s.transact(h), fmt::format("set link {} up", name));
}

Result<void> add_address(Socket& s, int ifindex, Ipv4 ip, int prefix, std::string_view dev) {
  nlmsghdr* h = s.start(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE);
  auto* ifa = static_cast<ifaddrmsg*>(::mnl_nlmsg_put_extra_header(h, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = static_cast<unsigned char>(prefix);
  ifa->ifa_index = static_cast<unsigned>(ifindex);
  std::uint32_t be = htonl(ip.v);
  ::mnl_attr_put_u32(h, IFA_LOCAL, be);
  ::mnl_attr_put_u32(h, IFA_ADDRESS, be);
  return check(s.transact(h), fmt::format("add address {}/{} to {}", to_string(ip), prefix, dev));
}

Result<void> add_default_route(Socket& s, Ipv4 gw) {
  nlmsghdr* h = s.start(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
  auto* rt = static_cast<rtmsg*>(::mnl_nlmsg_put_extra_header(h, sizeof(rtmsg)));
  rt->rtm_family = AF_INET;
  rt->rtm_table = RT_TABLE_MAIN;
  rt->rtm_protocol = RTPROT_BOOT;
  rt->rtm_scope = RT_SCOPE_UNIVERSE;
  rt->rtm_type = RTN_UNICAST;
  ::mnl_attr_put_u32(h, RTA_GATEWAY, htonl(gw.v));
  return check(s.transact(h), fmt::format("add the default route via {}", to_string(gw)));
}

bool mac_bytes(const std::string& mac, unsigned char out[6]) {
  return mac.size() == 17 && std::sscanf(mac.c_str(), "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &out[0], &out[1], &out[2],
                                         &out[3], &out[4], &out[5]) == 6;
}

Result<void> create_veth(Socket& s, const Veth& v, unsigned bridge_index) {
  nlmsghdr* h = s.start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  put_ifinfo(h);
  ::mnl_attr_put_strz(h, IFLA_IFNAME, v.host_name.c_str());
  ::mnl_attr_put_u32(h, IFLA_MASTER, bridge_index);
  nlattr* info = ::mnl_attr_nest_start(h, IFLA_LINKINFO);
  ::mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
  nlattr* data = ::mnl_attr_nest_start(h, IFLA_INFO_DATA);
  nlattr* peer = ::mnl_attr_nest_start(h, VETH_INFO_PEER);
  h->nlmsg_len += sizeof(ifinfomsg);  // the peer's own (zeroed) ifinfomsg
  ::mnl_attr_put_strz(h, IFLA_IFNAME, v.peer_name.c_str());
  ::mnl_attr_put_u32(h, IFLA_NET_NS_FD, static_cast<std::uint32_t>(v.netns_fd));
  unsigned char mac[6];
  if (mac_bytes(v.mac, mac)) ::mnl_attr_put(h, IFLA_ADDRESS, 6, mac);
  ::mnl_attr_nest_end(h, peer);
  ::mnl_attr_nest_end(h, data);
  ::mnl_attr_nest_end(h, info);
  return check(s.transact(h), fmt::format("create veth pair {}", v.host_name));
}

// A netlink socket in the namespace `netns_fd` (this process steps in and back out).
Result<Socket> socket_in(int netns_fd) {
  auto self = TRY(sys::open_at(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  TRY(context(sys::join_namespace(netns_fd, CLONE_NEWNET), "enter the container's network namespace"));
  auto s = Socket::open();
  TRY(context(sys::join_namespace(self.get(), CLONE_NEWNET), "return to berth's network namespace"));
  return s;
}

int index_in(int netns_fd, const std::string& name) {
  auto self = sys::open_at(AT_FDCWD, "/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (!self || !sys::join_namespace(netns_fd, CLONE_NEWNET)) return 0;
  int i = static_cast<int>(::if_nametoindex(name.c_str()));
  (void)sys::join_namespace(self->get(), CLONE_NEWNET);
  return i;
}

Result<void> configure_peer(const Veth& v) {
  auto s = TRY(socket_in(v.netns_fd));
  int idx = index_in(v.netns_fd, v.peer_name);
  if (idx == 0) return fail(Errc::system, "the container's {} did not appear", v.peer_name);
  TRY(add_address(s, idx, v.ip, v.prefix, v.peer_name));
  TRY(set_up(s, v.peer_name));
  if (v.gateway) TRY(add_default_route(s, *v.gateway));
  return {};
}

}  // namespace

bool link_exists(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

Result<void> ensure_bridge(const std::string& name, Ipv4 gateway, int prefix) {
  auto s = TRY(Socket::open());
  if (!link_exists(name)) {
    nlmsghdr* h = s.start(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
    put_ifinfo(h);
    ::mnl_attr_put_strz(h, IFLA_IFNAME, name.c_str());
    nlattr* info = ::mnl_attr_nest_start(h, IFLA_LINKINFO);
    ::mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
    ::mnl_attr_nest_end(h, info);
    int err = s.transact(h);
    if (err != 0 && err != EEXIST) TRY(check(err, fmt::format("create bridge {}", name)));
  }
  int idx = static_cast<int>(::if_nametoindex(name.c_str()));
  if (idx == 0) return fail(Errc::system, "bridge {} vanished while it was set up", name);
  TRY(add_address(s, idx, gateway, prefix, name));
  TRY(set_up(s, name));
  // Forwarding, and 127.0.0.1 as a source that may be routed to the bridge (DNAT of ports
  // published on the host's loopback).
  TRY(sys::write_host_file("/proc/sys/net/ipv4/ip_forward", "1"));
  TRY(sys::write_host_file(fmt::format("/proc/sys/net/ipv4/conf/{}/route_localnet", name), "1"));
  return {};
}

Result<void> delete_link(const std::string& name) {
  if (!link_exists(name)) return {};
  auto s = TRY(Socket::open());
  nlmsghdr* h = s.start(RTM_DELLINK, 0);
  put_ifinfo(h);
  ::mnl_attr_put_strz(h, IFLA_IFNAME, name.c_str());
  int err = s.transact(h);
  if (err == ENODEV) return {};
  return check(err, fmt::format("delete link {}", name));
}

Result<void> attach_veth(const Veth& v) {
  unsigned br = ::if_nametoindex(v.bridge.c_str());
  if (br == 0) return fail(Errc::system, "bridge {} is missing", v.bridge);
  auto s = TRY(Socket::open());
  TRY(create_veth(s, v, br));
  auto r = set_up(s, v.host_name);
  if (r) r = configure_peer(v);
  if (!r) (void)delete_link(v.host_name);
  return r;
}

std::string free_ifname(int netns_fd) {
  for (int i = 0;; i++) {
    std::string name = fmt::format("eth{}", i);
    if (index_in(netns_fd, name) == 0) return name;
  }
}

Result<void> loopback_up(int netns_fd) {
  auto s = TRY(socket_in(netns_fd));
  return set_up(s, "lo");
}

}  // namespace berth::net

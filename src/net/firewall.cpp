// nftables through libnftables. See firewall.hpp.
#include "berth/net/firewall.hpp"

#include <dlfcn.h>

#include <mutex>

#include "berth/core/log.hpp"

namespace berth::net {

namespace {

// libnftables, dlopen'ed by soname on first use: it pulls in libnftnl, libjansson, libgmp and
// libxtables, which a berth process that publishes nothing should not pay to relocate.
struct Nft {
  void* (*ctx_new)(unsigned);
  void (*ctx_free)(void*);
  int (*buffer_output)(void*);
  int (*buffer_error)(void*);
  const char* (*get_error)(void*);
  int (*run)(void*, const char*);
  std::string error;
  bool ok = false;

  Nft() {
    void* h = ::dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      error = fmt::format("cannot load libnftables.so.1 (Debian package libnftables1): {}", ::dlerror());
      return;
    }
    ok = sym(h, "nft_ctx_new", ctx_new) && sym(h, "nft_ctx_free", ctx_free) &&
         sym(h, "nft_ctx_buffer_output", buffer_output) && sym(h, "nft_ctx_buffer_error", buffer_error) &&
         sym(h, "nft_ctx_get_error_buffer", get_error) && sym(h, "nft_run_cmd_from_buffer", run);
  }
  template <class F>
  bool sym(void* h, const char* name, F& f) {
    void* p = ::dlsym(h, name);
    if (!p) error = fmt::format("libnftables.so.1 has no {}", name);
    f = reinterpret_cast<F>(p);
    return p != nullptr;
  }
};

const Nft& nft() {
  static Nft n;
  return n;
}

// Runs one nft script as one transaction; the error is nft's own first line.
Result<void> run(const std::string& script, std::string_view what) {
  const Nft& n = nft();
  if (!n.ok) return fail(Errc::unsupported, "{}: {}", what, n.error);
  // One context for the process, never freed: libnftables 1.0.6 (Debian 12) reads freed memory
  // when a second context runs after a first was freed (a SIGBUS under MALLOC_PERTURB_).
  static void* ctx = nullptr;
  if (!ctx) {
    ctx = n.ctx_new(0);
    if (!ctx) return fail(Errc::system, "{}: cannot create an nftables context", what);
    n.buffer_output(ctx);
    n.buffer_error(ctx);
  }
  log::debug("nft: {}", script);
  int rc = n.run(ctx, script.c_str());
  std::string err = n.get_error(ctx);  // this run's (the buffer starts anew with each)
  if (rc == 0) return {};
  auto at = err.rfind("Error: ");
  std::string first = err.substr(at == std::string::npos ? 0 : at);
  first = first.substr(0, first.find('\n'));
  if (first.rfind("Error: ", 0) == 0) first = first.substr(7);
  Errc code = first.find("File exists") != std::string::npos ? Errc::conflict : Errc::system;
  return fail(code, "{}: {}", what, first.empty() ? "nftables refused the change" : first);
}

constexpr const char* kBase = R"(add table ip berth
add set ip berth nets { type ipv4_addr; flags interval; }
add map ip berth dnat_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
add map ip berth dnat_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
add map ip berth from_net { type ifname : verdict; }
add map ip berth to_net { type ifname : verdict; }
add chain ip berth ports
add chain ip berth prerouting { type nat hook prerouting priority dstnat; policy accept; }
add chain ip berth output { type nat hook output priority -100; policy accept; }
add chain ip berth postrouting { type nat hook postrouting priority srcnat; policy accept; }
add chain ip berth forward { type filter hook forward priority filter; policy accept; }
flush chain ip berth ports
flush chain ip berth prerouting
flush chain ip berth output
flush chain ip berth postrouting
flush chain ip berth forward
add rule ip berth ports dnat ip to ip daddr . meta l4proto . th dport map @dnat_ip
add rule ip berth ports dnat ip to meta l4proto . th dport map @dnat_any
add rule ip berth prerouting fib daddr type local jump ports
add rule ip berth output fib daddr type local jump ports
add rule ip berth postrouting ip saddr @nets ip daddr != @nets masquerade
add rule ip berth postrouting ip saddr 127.0.0.0/8 oifname "berth*" masquerade
add rule ip berth forward iifname vmap @from_net
add rule ip berth forward oifname vmap @to_net
)";

std::string element(const PortRule& p) {
  std::string target = fmt::format("{} . {}", to_string(p.ip), p.container_port);
  if (p.host_ip.empty()) return fmt::format("dnat_any {{ {} . {} : {} }}", p.protocol, p.host_port, target);
  return fmt::format("dnat_ip {{ {} . {} . {} : {} }}", p.host_ip, p.protocol, p.host_port, target);
}

}  // namespace

bool firewall_present() { return run("list table ip berth", "list berth's nftables table").has_value(); }

namespace {

std::string network_script(const NetworkRules& n) {
  const std::string& b = n.bridge;
  std::string s = fmt::format("add chain ip berth from_{0}\nflush chain ip berth from_{0}\n", b);
  s += fmt::format("add rule ip berth from_{0} oifname \"{0}\" accept\n", b);
  if (n.internal) {
    s += fmt::format("add rule ip berth from_{} drop\n", b);
    s += fmt::format("add chain ip berth to_{0}\nflush chain ip berth to_{0}\n", b);
    s += fmt::format("add rule ip berth to_{0} iifname \"{0}\" accept\nadd rule ip berth to_{0} drop\n", b);
    s += fmt::format("add element ip berth to_net {{ \"{0}\" : jump to_{0} }}\n", b);
  } else {
    s += fmt::format("add rule ip berth from_{} oifname \"berth*\" drop\n", b);
    s += fmt::format("add element ip berth nets {{ {} }}\n", to_string(n.subnet));
  }
  s += fmt::format("add element ip berth from_net {{ \"{0}\" : jump from_{0} }}\n", b);
  return s;
}

std::string ports_text(const std::vector<PortRule>& ports) {
  std::string which;
  for (const auto& p : ports)
    which += fmt::format("{}{}{}/{}", which.empty() ? "" : ", ", p.host_ip.empty() ? "" : p.host_ip + ":", p.host_port,
                         p.protocol);
  return which;
}

}  // namespace

Result<void> firewall_add_network(const NetworkRules& n) { return firewall_apply(&n, {}); }

Result<void> firewall_apply(const NetworkRules* n, const std::vector<PortRule>& ports) {
  std::string s = kBase;
  if (n) s += network_script(*n);
  for (const auto& p : ports) s += "create element ip berth " + element(p) + "\n";
  auto r = run(s, ports.empty() ? fmt::format("set up the firewall for {}", n ? n->bridge : "berth")
                                : std::string("publish the ports"));
  if (!r && r.error().code == Errc::conflict)
    return fail(Errc::conflict, "port {} is already published by another container", ports_text(ports));
  return r;
}

Result<void> firewall_publish(const NetworkRules& n, const std::vector<PortRule>& ports) {
  if (ports.empty()) return {};
  std::string s;
  for (const auto& p : ports) s += "create element ip berth " + element(p) + "\n";
  auto r = run(s, "publish the ports");
  if (r) return r;
  if (r.error().code == Errc::conflict)
    return fail(Errc::conflict, "port {} is already published by another container", ports_text(ports));
  log::debug("berth's nftables table is incomplete ({}): making it", r.error().message);
  return firewall_apply(&n, ports);
}

// One transaction of deletes in an order that holds (the jump before its chain). The error
// path of libnftables 1.0.6 (Debian 12) reads freed memory (a SIGBUS seen under
// MALLOC_PERTURB_): removals name only what berth made, and an add-then-delete of an interval
// set's element in one transaction fails, so neither is done.
void firewall_remove_network(const NetworkRules& n) {
  const std::string& b = n.bridge;
  std::string s = fmt::format("delete element ip berth from_net {{ \"{0}\" }}\n", b);
  s += fmt::format("flush chain ip berth from_{0}\ndelete chain ip berth from_{0}\n", b);
  if (n.internal) {
    s += fmt::format("delete element ip berth to_net {{ \"{0}\" }}\n", b);
    s += fmt::format("flush chain ip berth to_{0}\ndelete chain ip berth to_{0}\n", b);
  } else {
    s += fmt::format("delete element ip berth nets {{ {} }}\n", to_string(n.subnet));
  }
  if (auto r = run(s, "remove the network's rules"); !r) log::warn("{}", r.error().message);
}

void firewall_remove_ports(const std::vector<PortRule>& ports) {
  if (ports.empty()) return;
  std::string s;
  for (const auto& p : ports) {
    std::string e = element(p);
    s += "delete element ip berth " + e.substr(0, e.find(" : ")) + " }\n";
  }
  if (auto r = run(s, "unpublish the ports"); !r) log::warn("{}", r.error().message);
}

}  // namespace berth::net

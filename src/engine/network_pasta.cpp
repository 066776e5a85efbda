// pasta (Debian's passt) and slirp4netns: user-mode networks for rootless containers. See
// network.hpp.
//
// berth starts one pasta per container once its network namespace exists, with the published
// ports as pasta's own forwards (which keep the client's source address), and waits for it to
// have configured the namespace (pasta's launcher exits then, the daemon stays). The daemon's
// pid goes to the container's run dir; berth stops it when the container is gone, and a later
// start or rm of the container stops one its killed monitor left.
#include <fcntl.h>
#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#include "berth/core/log.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/network.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/mount.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/socket.hpp"

namespace berth::engine::detail {

namespace {

// -t/-u specs: "[ADDR/]HOST:CTR" per port, or "none".
std::vector<std::string> forwards(const std::vector<store::PortMapping>& ports) {
  std::vector<std::string> args;
  for (const char* proto : {"tcp", "udp"}) {
    std::string spec;
    for (const auto& p : ports)
      if (p.protocol == proto)
        spec += fmt::format("{}{}{}:{}", spec.empty() ? "" : ",", p.host_ip.empty() ? "" : p.host_ip + "/", p.host_port,
                            p.container_port);
    args.push_back(std::string(proto) == "tcp" ? "-t" : "-u");
    args.push_back(spec.empty() ? "none" : spec);
  }
  return args;
}

// What pasta said, without its complaints about a missing syslog and about IPv6 (berth's
// networks are IPv4).
std::string pasta_says(const std::string& s) {
  std::string out;
  for (const auto& line : split(s, '\n'))
    if (!line.empty() && line.find("syslog") == std::string::npos && line.find("IPv6") == std::string::npos)
      out += (out.empty() ? "" : "; ") + line;
  return out;
}

void unbind(const std::string& run_dir) {
  std::string nsfile = run_dir + "/netns";
  (void)sys::unmount(nsfile, true);
  ::unlink(nsfile.c_str());
}

// The container's namespace bound to RUN_DIR/netns, as the helpers want it: pasta keeps no
// capability that would let it open /proc/PID/ns/net of a process with more of them, and it
// quits by itself once this file is gone (stop_helper, or the next start of the container).
Result<std::string> bind_netns(const NetPlan& p, pid_t pid) {
  std::string nsfile = p.run_dir + "/netns";
  (void)sys::unmount(nsfile, true);
  // Rootless, berth's mount namespace is the host's, where it may not mount: a private one
  // (once per process), which the helper inherits.
  static bool private_ns = false;
  if (::geteuid() != 0 || p.rootless) {
    if (!private_ns) TRY(context(sys::private_mount_namespace(), "a mount namespace for the network helper's"));
    private_ns = true;
  }
  if (int fd = ::open(nsfile.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600); fd >= 0)
    ::close(fd);
  else
    return fail_errno("create {}", nsfile);
  TRY(sys::bind_file(fmt::format("/proc/{}/ns/net", pid), nsfile));
  return nsfile;
}

}  // namespace

Result<void> start_pasta(NetPlan& p, pid_t pid) {
  std::string bin = sys::find_executable("pasta");
  if (bin.empty()) return fail(Errc::not_found, "pasta not found: install Debian's passt package for --network pasta");
  std::string pidfile = p.run_dir + "/pasta.pid";
  ::unlink(pidfile.c_str());
  std::string nsfile = TRY(bind_netns(p, pid));
  // --runas 0: berth is root in its namespace (rootless: the user itself); pasta would otherwise
  // become "nobody" there first, who may not open the container's namespace.
  std::vector<std::string> argv = {"pasta", "--config-net", "--quiet", "--no-map-gw", "--runas",
                                   "0:0",   "-T",           "none",    "-U",          "none"};
  for (auto& a : forwards(p.ports)) argv.push_back(std::move(a));
  for (const auto& o : p.helper_opts) argv.push_back(o);
  argv.insert(argv.end(), {"-P", pidfile, "--netns", nsfile});
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) return fail_errno("pipe");
  sys::UniqueFd rd(fds[0]), wr(fds[1]);
  sys::SpawnOptions so;
  so.fds = {{2, wr.get()}};
  so.reset_signals = true;
  pid_t launcher = TRY(sys::spawn(bin, argv, so));
  wr.reset();
  int code = TRY(sys::wait_child(launcher));
  std::string err = sys::read_all(rd.get(), 1 << 16).value_or("");
  log::debug("pasta: exit code {}: {}", code, err);
  if (code != 0)
    return fail(Errc::system, "pasta failed to set up the container's network: {}",
                pasta_says(err).empty() ? fmt::format("exit code {}", code) : pasta_says(err));
  auto text = sys::read_host_file(pidfile, 64);
  if (text) p.helper_pid = std::atoi(text->c_str());
  if (p.helper_pid > 0) p.helper_start = sys::process_start_time(p.helper_pid);
  return {};
}

namespace {

// One slirp4netns API request ({"execute": ...}); fails with what slirp4netns answered.
Result<void> slirp_request(const std::string& run_dir, const Json& req) {
  auto dir = TRY(sys::open_at(AT_FDCWD, run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto sock = TRY(sys::connect_unix(dir.get(), "slirp.sock", sys::SocketKind::stream));
  TRY(sys::write_all(sock.get(), dump_json(req)));
  ::shutdown(sock.get(), SHUT_WR);
  auto answer = TRY(sys::read_all(sock.get(), 1 << 16));
  auto j = parse_json(answer, "slirp4netns's answer");
  if (!j || !j->is_object() || j->contains("error"))
    return fail(Errc::conflict, "slirp4netns refused {}: {}", dump_json(req["arguments"]), answer);
  return {};
}

}  // namespace

Result<void> start_slirp(NetPlan& p, pid_t pid) {
  std::string bin = sys::find_executable("slirp4netns");
  if (bin.empty())
    return fail(Errc::not_found,
                "slirp4netns not found: install Debian's slirp4netns package for --network slirp4netns");
  std::string nsfile = TRY(bind_netns(p, pid));
  ::unlink((p.run_dir + "/slirp.sock").c_str());
  int ready[2], exitp[2], errp[2];
  if (::pipe2(ready, O_CLOEXEC) < 0 || ::pipe2(exitp, O_CLOEXEC) < 0 || ::pipe2(errp, O_CLOEXEC | O_NONBLOCK) < 0)
    return fail_errno("pipe");
  sys::UniqueFd ready_r(ready[0]), ready_w(ready[1]), exit_r(exitp[0]), exit_w(exitp[1]), err_r(errp[0]),
      err_w(errp[1]);
  // The API socket by a relative name, in the run dir (its cwd): sun_path holds 107 bytes.
  std::vector<std::string> argv = {"slirp4netns",      "--configure", "--mtu=65520",  "--disable-host-loopback",
                                   "--ready-fd=3",     "--exit-fd=4", "--api-socket", "slirp.sock",
                                   "--netns-type=path"};
  for (const auto& o : p.helper_opts) argv.push_back(o);
  argv.insert(argv.end(), {nsfile, "tap0"});
  sys::SpawnOptions so;
  so.fds = {{2, err_w.get()}, {3, ready_w.get()}, {4, exit_r.get()}};
  so.reset_signals = true;
  so.cwd = p.run_dir;
  pid_t child = TRY(sys::spawn(bin, argv, so));
  ready_w.reset();
  exit_r.reset();
  err_w.reset();
  p.helper_pid = child;
  p.helper_start = sys::process_start_time(child);
  p.helper_exit_fd = exit_w.release();
  char c = 0;
  if (::read(ready_r.get(), &c, 1) != 1) {
    std::string err = sys::read_all(err_r.get(), 1 << 16).value_or("");
    stop_helper(p);
    return fail(Errc::system, "slirp4netns failed to set up the container's network: {}",
                trim(err).empty() ? "it exited" : std::string(trim(err)));
  }
  for (const auto& port : p.ports) {
    Json req = {{"execute", "add_hostfwd"},
                {"arguments",
                 {{"proto", port.protocol},
                  {"host_addr", port.host_ip.empty() ? "0.0.0.0" : port.host_ip},
                  {"host_port", port.host_port},
                  {"guest_port", port.container_port}}}};
    if (auto r = slirp_request(p.run_dir, req); !r) {
      stop_helper(p);
      return r;
    }
  }
  return {};
}

void stop_helper(NetPlan& p) {
  unbind(p.run_dir);
  if (p.helper_exit_fd >= 0) {  // slirp4netns: our child, which goes when its exit fd closes
    ::close(p.helper_exit_fd);
    p.helper_exit_fd = -1;
    if (p.helper_pid > 0 && !sys::wait_gone(p.helper_pid, p.helper_start, 2000))
      (void)sys::send_signal(p.helper_pid, SIGKILL);
    if (p.helper_pid > 0) (void)sys::wait_child(p.helper_pid);
    p.helper_pid = 0;
    return;
  }
  if (p.helper_pid <= 0) return;
  // Waited for: the ports it held are free when the container's stop returns (a pod played
  // again at once publishes the same ones).
  if (sys::process_start_time(p.helper_pid) == p.helper_start && sys::send_signal(p.helper_pid, SIGTERM))
    (void)sys::wait_gone(p.helper_pid, p.helper_start, 2000);
  ::unlink((p.run_dir + "/pasta.pid").c_str());
  p.helper_pid = 0;
}

void stop_stale_helper(const std::string& run_dir) {
  unbind(run_dir);
  auto text = sys::read_host_file(run_dir + "/pasta.pid", 64);
  if (!text) return;
  int pid = std::atoi(text->c_str());
  // Only a pasta still serving this container's (dead) namespace: its command line names it.
  auto cmd = sys::read_host_file(fmt::format("/proc/{}/cmdline", pid), 4096);
  if (pid > 0 && cmd && cmd->starts_with(std::string("pasta") + '\0')) {
    log::debug("stopping pasta {} left by a dead container", pid);
    auto start = sys::process_start_time(pid);
    if (sys::send_signal(pid, SIGTERM)) (void)sys::wait_gone(pid, start, 2000);
  }
  ::unlink((run_dir + "/pasta.pid").c_str());
}

}  // namespace berth::engine::detail

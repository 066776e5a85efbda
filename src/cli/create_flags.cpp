// run and create: their flags, one function per group (STYLE.md 2.10).

#include <algorithm>

#include "berth/engine/containers_conf.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

Result<void> apply_containers_conf(CLI::App* sub, engine::RunOptions& o) {
  auto conf = TRY(engine::load_containers_conf());
  auto given = [&](const char* flag) { return sub->count(flag) > 0; };
  auto put_first = [](std::vector<std::string>& to, const std::vector<std::string>& from) {
    to.insert(to.begin(), from.begin(), from.end());
  };
  put_first(o.ulimits, conf.default_ulimits);  // a --ulimit of the same name comes later: it wins
  // the file's volumes, except where a -v of the command line mounts the same destination
  auto dest = [](const std::string& v) {
    auto a = v.find(':');
    if (a == std::string::npos) return v;
    auto b = v.find(':', a + 1);
    return v.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  };
  std::vector<std::string> conf_volumes;
  for (const auto& v : conf.volumes)
    if (std::ranges::none_of(o.volumes, [&](const std::string& mine) { return dest(mine) == dest(v); }))
      conf_volumes.push_back(v);
  put_first(o.volumes, conf_volumes);
  o.default_env = conf.env;
  o.default_caps = conf.default_capabilities;
  if (!given("--dns") && !conf.dns_servers.empty()) o.dns = conf.dns_servers;
  if (!given("--dns-search") && !conf.dns_searches.empty()) o.dns_search = conf.dns_searches;
  if (!given("--dns-option") && !conf.dns_options.empty()) o.dns_option = conf.dns_options;
  if (conf.log_driver && !given("--log-driver")) o.log_driver = *conf.log_driver;
  if (conf.tz && !given("--tz")) o.tz = *conf.tz;
  if (conf.umask && !given("--umask")) o.umask = *conf.umask;
  // no --network: the file's, else berth's default ("": loopback only, or the default
  // publishing network with -p/-P; see default_network_mode)
  // (podman's "private" there is its default: a network of the container's own, so berth's own
  // default too - loopback only, the default bridge or pasta when it publishes ports)
  if (!given("--network")) o.network = conf.netns.value_or("") == "private" ? "" : conf.netns.value_or("");
  if (conf.init && !given("--init")) o.init = *conf.init;
  if (conf.no_hosts && !given("--no-hosts")) o.no_hosts = *conf.no_hosts;
  if (conf.pids_limit && !given("--pids-limit")) o.pids_limit = *conf.pids_limit;
  return {};
}

// run/create flags, one function per group (STYLE.md 2.10).
void add_process_flags(CLI::App* sub, engine::RunOptions& o, std::shared_ptr<std::string> entrypoint) {
  sub->add_flag("-i,--interactive", o.interactive, "Keep STDIN open");
  sub->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY");
  sub->add_option("-e,--env", o.env, "Set environment variables in container")->allow_extra_args(false);
  sub->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
  sub->add_option("-u,--user", o.user, "Username or UID (format: <name|uid>[:<group|gid>])");
  sub->add_option("--env-file", o.env_files, "Read in a file of environment variables")->allow_extra_args(false);
  sub->add_flag("--env-host", o.env_host, "Use all current host environment variables in container");
  sub->add_option("--unsetenv", o.unsetenv, "Unset environment default variables in container")
      ->allow_extra_args(false);
  sub->add_flag("--unsetenv-all", o.unsetenv_all, "Unset all default environment variables in container");
  sub->add_option("--group-add", o.group_add, "Add additional groups to the primary container process")
      ->allow_extra_args(false);
  sub->add_option("--entrypoint", *entrypoint, "Overwrite the default ENTRYPOINT of the image");
}

void add_container_flags(CLI::App* sub, engine::RunOptions& o) {
  sub->add_flag("--rm", o.rm, "Remove container when it exits");
  sub->add_option("--name", o.name, "Assign a name to the container");
  sub->add_option("-h,--hostname", o.hostname, "Set container hostname");
  sub->add_option("-v,--volume", o.volumes, "Bind mount a volume (SRC:DST[:ro|rw], NAME:DST, DST)")
      ->allow_extra_args(false);
  sub->add_option("--volumes-from", o.volumes_from, "Mount the volumes of the specified container(s)")
      ->allow_extra_args(false);
  sub->add_option("-l,--label", o.labels, "Set metadata on the container (key=value)")->allow_extra_args(false);
  sub->add_option("--tmpfs", o.tmpfs, "Mount a temporary filesystem (DST[:OPTIONS])")->allow_extra_args(false);
  sub->add_option("--mount", o.mounts, "Attach a filesystem mount (type=bind|tmpfs,...)")->allow_extra_args(false);
  sub->add_option("--cidfile", o.cidfile, "Write the container ID to the file");
  sub->add_flag("--replace", o.replace, "If a container with the same name exists, replace it");
  sub->add_option("--pod", o.pod, "Run container in an existing pod, or a new one (new:NAME)");
  sub->add_option("--stop-signal", o.stop_signal, "Signal to stop the container (default SIGTERM)");
  sub->add_option("--stop-timeout", o.stop_timeout, "Seconds to wait before killing the container when stopping");
  sub->add_flag("--read-only", o.read_only, "Make the container's root filesystem read-only");
  sub->add_option("--umask", o.umask, "Set umask in container (default 0022)");
  sub->add_option("--timeout", o.timeout, "Seconds the container may run before it is killed (exit code -1)");
  sub->add_option("--tz", o.tz, "Set timezone in container (a zone name, or local for the host's)");
  sub->add_option("--network,--net", o.network,
                  "Network mode: private (loopback only), none, host, bridge, or network names (NET[,NET...])");
  sub->add_option("-p,--publish", o.publish, "Publish a container's port to the host ([IP:][HOST:]CTR[/PROTO])")
      ->allow_extra_args(false);
  sub->add_flag("-P,--publish-all", o.publish_all, "Publish all exposed ports to random ports on the host");
  sub->add_option("--expose", o.expose, "Expose a port or a range of ports")->allow_extra_args(false);
  sub->add_option("--ip", o.ip, "Specify a static IPv4 address for the container");
  sub->add_option("--mac-address", o.mac, "Container MAC address (e.g. 92:d0:c6:0a:29:33)");
  sub->add_option("--network-alias", o.aliases, "Add a network-scoped alias for the container")
      ->allow_extra_args(false);
  sub->add_option("--dns", o.dns, "Set custom DNS servers")->allow_extra_args(false);
  sub->add_option("--dns-search", o.dns_search, "Set custom DNS search domains")->allow_extra_args(false);
  sub->add_option("--dns-option", o.dns_option, "Set custom DNS options")->allow_extra_args(false);
  sub->add_option("--add-host", o.add_host, "Add a custom host-to-IP mapping (host:ip)")->allow_extra_args(false);
  sub->add_flag("--no-hosts", o.no_hosts, "Do not create /etc/hosts within the container");
  sub->add_option("--sdnotify", o.sdnotify, "Control sd-notify behavior (conmon, container, ignore)");
  sub->add_option("--log-driver", o.log_driver,
                  "Logging driver for the container (k8s-file, journald, none, passthrough)");
  sub->add_option("--log-opt", o.log_opt, "Logging driver options (path=FILE, tag=NAME)")->allow_extra_args(false);
  sub->add_option("--restart", o.restart,
                  "Restart policy to apply when a container exits (no, on-failure[:N], always, unless-stopped)");
}

void add_resource_flags(CLI::App* sub, engine::RunOptions& o) {
  sub->add_option("-m,--memory", o.memory, "Memory limit (format: <number>[<unit>], where unit = b, k, m or g)");
  sub->add_option("--pids-limit", o.pids_limit, "Tune container pids limit (set -1 for unlimited)");
  sub->add_option("--cpus", o.cpus, "Number of CPUs. The default is 0.000 which means no limit");
  sub->add_option("--ulimit", o.ulimits, "Ulimit options (name=soft[:hard])")->allow_extra_args(false);
  sub->add_flag("--init", o.init, "Run an init inside the container that forwards signals and reaps processes");
  sub->add_option("--kernel-memory", o.kernel_memory, "No longer supported: a no-op, with a warning");
  sub->add_option("--conmon-pidfile", o.conmon_pidfile, "Write the pid of the container's monitor to this file");
  sub->add_option("--runtime", o.runtime, "OCI runtime (accepted; berth runs containers itself)");
}

void add_security_flags(CLI::App* sub, engine::RunOptions& o) {
  sub->add_option("--cap-add", o.cap_add, "Add capabilities")->allow_extra_args(false);
  sub->add_option("--cap-drop", o.cap_drop, "Drop capabilities")->allow_extra_args(false);
  sub->add_option("--security-opt", o.security_opt, "Security options")->allow_extra_args(false);
  sub->add_flag("--privileged", o.privileged, "Give extended privileges to the container");
  sub->add_option("--userns", o.userns, "User namespace to use (host, keep-id[:uid=N,gid=N], nomap, auto[:size=N])");
  sub->add_option("--uidmap", o.uidmap, "UID map for the user namespace (CONTAINER_ID:HOST_ID:SIZE)")
      ->allow_extra_args(false);
  sub->add_option("--gidmap", o.gidmap, "GID map for the user namespace (CONTAINER_ID:HOST_ID:SIZE)")
      ->allow_extra_args(false);
}

void add_health_flags(CLI::App* sub, engine::HealthFlags& h) {
  sub->add_option("--health-cmd", h.cmd, "Set a healthcheck command for the container ('none' disables the image's)");
  sub->add_option("--health-interval", h.interval,
                  "Set an interval for the healthchecks (a value of disable results in no automatic timer setup)");
  sub->add_option("--health-retries", h.retries,
                  "The number of retries allowed before a healthcheck is considered to be unhealthy");
  sub->add_option("--health-timeout", h.timeout,
                  "The maximum time allowed to complete the healthcheck before an interval is considered failed");
  sub->add_option("--health-start-period", h.start_period,
                  "The initialization time needed for a container to bootstrap");
  sub->add_option("--health-on-failure", h.on_failure,
                  "Action to take once the container turns unhealthy (none, kill, restart, stop)");
  sub->add_option("--health-max-log-count", h.max_log_count,
                  "Set maximum number of attempts in the HealthCheck log (0: no limit)");
  sub->add_option("--health-max-log-size", h.max_log_size,
                  "Set maximum length in characters of stored HealthCheck log (0: no limit)");
  sub->add_flag("--no-healthcheck", h.disable, "Disable healthchecks on container");
}

}  // namespace berth::cli

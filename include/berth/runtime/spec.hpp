// What a container is, fully resolved: absolute host paths, numeric ids, no names left to
// look up. engine builds it; runtime compiles it into a ChildPlan and launches it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "berth/core/error.hpp"
#include "berth/runtime/cgroup.hpp"

namespace berth::runtime {

struct BindMount {
  std::string source;  // absolute host path
  std::string target;  // absolute container path, cleaned
  bool read_only = false;
  bool is_file = false;
  // A volume the user asked for (not berth's own /etc/hosts and the like): mounted after
  // berth's own, parents first; refused where it would land on procfs or sysfs, and nothing
  // is ever created inside its host directory.
  bool user = false;
};

struct Spec {
  // rootfs
  std::vector<std::string> lowers;  // absolute layer diff dirs, top first
  std::string layers_dir;           // their common parent (for the relative fallback)
  std::string upper, work, merged;
  bool userxattr = false;
  // The upper dir need not survive a crash (a --rm container): overlay's "volatile" skips
  // its syncs (the syncfs of the whole upper filesystem at every unmount), as podman does.
  bool volatile_upper = false;
  bool read_only = false;
  // process
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd = "/";
  bool create_cwd = true;  // made when missing (the image's WORKDIR); false: -w's must exist (podman)
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool stdin_open = false;
  int listen_fds = 0;  // socket activation: berth's fds 3.. (from systemd) are the container's too
  // isolation
  std::string hostname;
  bool rootless = false;
  bool full_idmap = true;  // false: only one id mapped (no devpts gid, no setgroups)
  // Non-empty: the container gets a user namespace of its own with these /proc/PID/uid_map and
  // gid_map texts (--userns=keep-id, --uidmap), written by berth before the child goes on.
  std::string uid_map, gid_map;
  bool net_host = false;
  // A network namespace to join instead of a new one (--network container:CTR, ns:PATH).
  std::string net_join;
  // The same for the UTS and IPC namespaces (a pod's members join its infra container's).
  std::string uts_join, ipc_join;
  std::string pid_join;
  unsigned umask = 022;  // the container is not its pid namespace's init: a pod's infra is
  bool privileged = false;
  bool no_new_privs = false;
  bool seccomp = true;
  std::string seccomp_profile;  // Docker-format JSON; empty: berth's default filter
  std::string seccomp_cache;    // where the default filter's BPF is cached (RUNROOT), or empty
  std::uint64_t caps = 0;
  std::vector<std::string> masked;
  std::vector<std::string> readonly_paths;
  std::vector<BindMount> binds;  // /etc/hosts etc. and volumes
  struct Tmpfs {
    std::string target;   // absolute container path
    std::string options;  // "rw,noexec,nosuid,nodev,size=64m"
  };
  std::vector<Tmpfs> tmpfs;
  CgroupLimits limits;
  struct Rlimit {
    int resource;
    unsigned long long soft, hard;
    std::string text;  // as given, for messages
  };
  std::vector<Rlimit> rlimits;  // set on the child before it execs (lowering always works)
  std::string cgroup_name;      // berth/<name> in each controller used
};

// "nofile=1024:2048", "nproc=512" -> an Rlimit; unknown names and bad numbers are usage errors.
Result<Spec::Rlimit> parse_ulimit(const std::string& s);

// Podman's default capability set (containers.conf default_capabilities).
std::uint64_t default_caps();
// A mask as podman's info prints it: "CAP_CHOWN,CAP_DAC_OVERRIDE,..." in name order.
std::string cap_names(std::uint64_t mask);
// "CAP_NET_ADMIN", "net_admin", "ALL" -> bit mask; unknown names are usage errors.
Result<std::uint64_t> cap_mask(const std::string& name);
// Docker's masked and read-only /proc and /sys paths.
std::vector<std::string> default_masked_paths();
std::vector<std::string> default_readonly_paths();

struct Started {
  pid_t pid;
  unsigned long long start_time;  // /proc/PID/stat field 22: tells a reused pid apart
};

// Where the container's fds 0-2 come from. -1: stdin is /dev/null, stdout/stderr inherited.
struct Stdio {
  int in = -1;
  int out = -1;
  int err = -1;
  int tty = -1;  // a pty slave: the container's controlling terminal on 0, 1 and 2
};

// An fd the supervisor polls while the container runs (log pipes, a pty master, stdin).
// The callback returns false once the fd is done (EOF); it is then no longer polled.
struct Relay {
  int fd;
  std::function<bool(int fd)> on_readable;
  bool drain_after_exit = true;  // read what is left once the container has exited
};

struct Supervision {
  Stdio stdio;
  // -t: the container gets a terminal of its own devpts; berth receives the master and
  // these relays are added for it.
  std::function<std::vector<Relay>(int master)> console;
  unsigned short console_rows = 0, console_cols = 0;
  std::vector<Relay> relays;
  std::function<void(const Started&)> on_started;
  // Called once the container process exists, before it goes on to exec (its network
  // namespace is plumbed here); an error kills it and fails the start.
  std::function<Result<void>(pid_t pid)> on_created;
  // Signals arriving while the container runs; return true when handled (not forwarded).
  std::function<bool(int sig)> on_signal;
  // --timeout: SIGKILL after this many seconds (0: none); the exit code is then -1, as
  // podman's (conmon's) --timeout reports it.
  int timeout_s = 0;
};

// Runs the container: clone, wait for exec, forward SIGTERM/SIGINT/SIGHUP/SIGQUIT/SIGUSR1/
// SIGUSR2/SIGWINCH to it, relay fds, reap it. Returns its exit code (128+N for a signal).
// Errors before exec: 125, 126 (cannot invoke) or 127 (not found) categories.
Result<int> run_container_process(const Spec& spec, const Supervision& sup);

// `exec`: the running container to join.
struct JoinTarget {
  pid_t pid;
  unsigned long long start_time;
  bool detach = false;  // return once the command runs; it outlives berth
};
// Runs a process inside a running container's namespaces, with the confinement of `spec`
// (capabilities, seccomp, user, no_new_privs; mounts and rootfs are the container's).
Result<int> exec_container_process(const Spec& spec, const JoinTarget& target, const Supervision& sup);

// The start time of a process (field 22 of /proc/PID/stat), 0 when it is gone.
unsigned long long process_start_time(pid_t pid);

}  // namespace berth::runtime

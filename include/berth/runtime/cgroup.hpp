// cgroup limits for a container (--memory, --pids-limit, --cpus), on cgroup v2, v1 and
// hybrid hosts. Where no cgroup can be written (rootless without delegation) berth warns and
// goes on, as podman does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::runtime {

struct CgroupLimits {
  std::optional<std::int64_t> memory;  // bytes
  std::optional<std::int64_t> pids;    // -1: unlimited
  std::optional<double> cpus;
  bool any() const { return memory || pids || cpus; }
};

// "64m", "1g", "512k", "1048576" -> bytes (binary units, as docker/podman).
Result<std::int64_t> parse_memory(const std::string& s);

// Where the cgroup hierarchies are mounted.
struct CgroupMounts {
  std::string v2;                                       // the cgroup2 mount point, or ""
  std::vector<std::pair<std::string, std::string>> v1;  // (mount options, mount point)
  // This host's, from /proc/self/mountinfo. When /sys/fs/cgroup is itself a cgroup2 mount
  // (a v2 host, as runc and crun decide it) that is the only hierarchy; otherwise each v1
  // controller's mount, plus the unified one of a hybrid host.
  static CgroupMounts host();
};

// What `stats` reads of a container's cgroups (absent: that controller is not there).
struct CgroupStats {
  std::optional<std::uint64_t> memory;        // bytes in use, less the inactive page cache (as docker)
  std::optional<std::uint64_t> memory_limit;  // bytes; none: unlimited
  std::optional<std::uint64_t> cpu_ns;        // CPU time used
  std::optional<std::uint64_t> pids;          // processes and threads
  std::uint64_t block_read = 0, block_write = 0;
};

// "key value" lines (memory.stat, cpu.stat) as a map; lines that do not parse are skipped.
std::map<std::string, std::uint64_t> parse_keyed(const std::string& text);
// Bytes read and written: v1 blkio.throttle.io_service_bytes ("8:0 Read 4096") or v2 io.stat
// ("8:0 rbytes=4096 wbytes=0 ..."), summed over devices.
std::pair<std::uint64_t, std::uint64_t> parse_block_io(const std::string& text);
// A memory limit file's value: "max" or v1's "no limit" (a page-rounded INT64_MAX) are none.
std::optional<std::uint64_t> parse_memory_limit(const std::string& text);

class Cgroup {
 public:
  // Creates berth/<name> under each controller that a limit needs and writes the limits.
  // Controllers that cannot be used produce one warning each and are left out. Rootless:
  // one warning, no cgroup.
  static Cgroup create(const std::string& name, const CgroupLimits& limits);
  // The same in the given hierarchies (a v1 controller's own hierarchy wins over v2).
  static Cgroup create_in(const CgroupMounts& m, const std::string& name, const CgroupLimits& limits);
  // A rootful container's cgroup in the controllers pause and stats use (freezer, memory,
  // cpuacct, pids, blkio; on a v2 host, one directory), as well as those its limits need.
  // Rootless: create() alone (no cgroup can be written without delegation).
  static Cgroup create_for_container(const std::string& name, const CgroupLimits& limits);
  // The berth cgroups a running container's process is in (for exec to join them too).
  static Cgroup of_process(pid_t pid);
  // Moves `pid` into every cgroup created (before the container execs).
  void add(pid_t pid) const;
  // Removes the cgroup directories (after the container exited).
  void remove() const;
  // SIGKILLs what is left in them and waits (up to a second) until they are empty: a pod
  // member sharing the pod's pid namespace leaves its other processes behind when it ends.
  void kill_all() const;
  const std::vector<std::string>& dirs() const { return dirs_; }
  // Removes berth/<name> wherever it is left (a container whose berth was killed).
  static void remove_named(const std::string& name);

 private:
  std::vector<std::string> dirs_;
};

// The berth cgroup directory holding `pid` for `controller` (its v1 hierarchy's, else the
// unified one), or "" when it is in none.
std::string berth_cgroup_of(pid_t pid, const std::string& controller);
// Freezes (true) or thaws the processes of the berth cgroup `pid` is in, and waits until the
// kernel reports it done. Fails when there is no such cgroup (a rootless container).
Result<void> freeze_cgroup_of(pid_t pid, bool frozen);
// Whether that cgroup is frozen now.
bool cgroup_frozen(pid_t pid);
// The stats of the berth cgroups `pid` is in.
CgroupStats cgroup_stats_of(pid_t pid);

}  // namespace berth::runtime

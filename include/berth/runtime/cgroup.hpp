// cgroup limits for a container (--memory, --pids-limit, --cpus), on cgroup v2, v1 and
// hybrid hosts. Where no cgroup can be written (rootless without delegation) berth warns and
// goes on, as podman does.
#pragma once

#include <sys/types.h>

#include <cstdint>
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

class Cgroup {
 public:
  // Creates berth/<name> under each controller that a limit needs and writes the limits.
  // Controllers that cannot be used produce one warning each and are left out. Rootless:
  // one warning, no cgroup.
  static Cgroup create(const std::string& name, const CgroupLimits& limits);
  // The same in the given hierarchies (a v1 controller's own hierarchy wins over v2).
  static Cgroup create_in(const CgroupMounts& m, const std::string& name, const CgroupLimits& limits);
  // The berth cgroups a running container's process is in (for exec to join them too).
  static Cgroup of_process(pid_t pid);
  // Moves `pid` into every cgroup created (before the container execs).
  void add(pid_t pid) const;
  // Removes the cgroup directories (after the container exited).
  void remove() const;
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;
};

}  // namespace berth::runtime

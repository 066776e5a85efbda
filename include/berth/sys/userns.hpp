// Rootless: the store and containers live in a user namespace mapping 0 to the user and
// 1, 2, ... to every subordinate id range of the user (newuidmap/newgidmap), as Podman does,
// kept by a pause process for the next commands.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include "berth/core/error.hpp"

namespace berth::sys {

struct IdRange {
  std::uint32_t start = 0;
  std::uint32_t count = 0;
};

// Every "name:start:count" or "uid:start:count" range of the user in an /etc/subuid-format
// text, in file order (podman maps them all, one after the other); bad lines are skipped.
std::vector<IdRange> find_subids(std::string_view text, std::string_view user, uid_t uid);
// The newuidmap/newgidmap arguments after the pid for these ranges: the user's own id as 0,
// then each range at the next free id inside ("0 ID 1 1 S1 C1 1+C1 S2 C2 ...").
std::vector<std::string> idmap_args(unsigned id, const std::vector<IdRange>& ranges);

// True when this process runs in berth's rootless user namespace (set by enter_rootless).
bool rootless();

// First thing in main for a non-root user, while single-threaded: join the user's pause
// process's user namespace when it maps what /etc/subuid and /etc/subgid give now; else unshare
// a user namespace, map it (subid ranges via newuidmap/newgidmap, else the user alone with a
// warning), start a pause process (catatonit -P) that keeps it for the next commands, and become
// root inside. A no-op for root.
Result<void> enter_rootless();
// Whether a /proc/PID/uid_map text maps exactly what `want` ("inside outside count" lines)
// says, whatever the spacing.
bool same_id_map(std::string_view proc_map, std::string_view want);

// For commands that act inside one running container (exec): marks the process rootless
// without creating a user namespace of its own, so that join_userns_of can join the
// container's. A no-op for root.
void defer_rootless();
// True when `pid` is in another user namespace than this process (a container with one of its own).
bool other_userns(pid_t pid);
// Writes the uid and gid maps of `pid`'s new user namespace (a child this process cloned with
// CLONE_NEWUSER): texts as /proc/PID/uid_map takes them, ids of this process's namespace.
Result<void> write_id_maps(pid_t pid, const std::string& uid_map, const std::string& gid_map);
// Joins the user namespace of `pid` (its owner, the user, may) and becomes root in it.
Result<void> join_userns_of(pid_t pid);
// True when defer_rootless ran and no namespace was joined yet.
bool rootless_pending();
// After defer_rootless, when there is no container to join after all (it is not running):
// enter a user namespace of our own as enter_rootless does. A no-op otherwise.
Result<void> enter_deferred_rootless();

// Number of threads of this process (from /proc/self/stat); 0 if unknown.
int thread_count();

}  // namespace berth::sys

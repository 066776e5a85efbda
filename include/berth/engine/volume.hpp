// Named volumes (DESIGN.md "Volumes"): `berth volume ...`, and what create and rm do with them:
// make a named volume on first use, an anonymous one for the image's VOLUME paths, copy the
// image's content into a new volume once, remove anonymous volumes with rm -v and run --rm.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"
#include "berth/store/containers.hpp"
#include "berth/store/volumes.hpp"

namespace berth::engine {

// The name a parsed -v /dst or --mount type=volume without a source carries until create
// gives it one (no volume can be called this).
inline constexpr const char* kAnonymous = "<anonymous>";

struct VolumeCreateOptions {
  std::string name;  // empty: a random one
  std::string driver = "local";
  std::vector<std::string> labels, options;  // key=value
  bool ignore = false;                       // an existing volume is not an error
};
Result<store::VolumeRecord> volume_create(Context& c, const VolumeCreateOptions& o);
Result<std::vector<store::VolumeRecord>> volume_list(Context& c);
// Error (not_found): "no such volume NAME".
Result<store::VolumeRecord> volume_find(Context& c, const std::string& name);
// podman's inspect shape.
OrderedJson volume_json(const store::Store& s, const store::VolumeRecord& v);
// `filters`: name=, label=KEY[=VALUE], driver=, dangling=true|false. Checked first.
Result<void> check_volume_filters(const std::vector<std::string>& filters);
bool volume_matches(const store::VolumeRecord& v, const std::vector<std::string>& filters, bool dangling);
// The names of the volumes some container mounts (one read of the containers).
Result<std::set<std::string>> volumes_in_use(Context& c);
// Ids of the containers that mount `name`.
Result<std::vector<std::string>> volume_users(Context& c, const std::string& name);

struct VolumeRemoveOptions {
  bool force = false;  // remove the containers using it first
  int timeout = 10;
};
// The names removed. A volume in use without force: Errc::conflict (exit 2), as podman.
Result<std::vector<std::string>> volume_remove(Context& c, const std::vector<std::string>& names,
                                               const VolumeRemoveOptions& o);
// The unused volumes matching `filters`, removed (or with `dry_run` only named).
Result<std::vector<std::string>> volume_prune(Context& c, const std::vector<std::string>& filters,
                                              bool dry_run = false);
// A tar of the volume's content to `out` ("-" or empty: stdout); from `in` ("-": stdin) into it.
Result<void> volume_export(Context& c, const std::string& name, const std::string& out);
Result<void> volume_import(Context& c, const std::string& name, const std::string& in);

namespace detail {
// create: gives every named or anonymous volume of `conf` its volume (made when missing) and
// its source; adds an anonymous volume for each of the image's VOLUME paths no mount covers.
// The caller holds the store's write lock.
Result<void> resolve_volumes(const store::Store& s, store::ContainerConfig& conf,
                             const std::vector<std::string>& image_volumes);
// After the container exists: copies the image's content at each volume's path into the
// volumes that were never mounted and are empty (podman's copy-up). Caller holds the write lock.
Result<void> copy_up_volumes(Context& c, const store::ContainerConfig& conf);
// rm -v, run --rm: removes the anonymous volumes of `conf` no other container uses (the caller
// holds the write lock and has removed the container).
void drop_anonymous_volumes(const store::Store& s, const store::ContainerConfig& conf);
}  // namespace detail

}  // namespace berth::engine

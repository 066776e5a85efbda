// Named volumes (DESIGN.md "Volumes"): ROOT/volumes/NAME/ holds volume.json, the record, and
// _data/, the content containers see. A volume appears whole or not at all: it is made in a
// tmp/ dir and renamed in, and removed by a rename into tmp/ before its content is deleted;
// both renames happen under the store's write lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/store/store.hpp"

namespace berth::store {

struct VolumeRecord {
  std::string name;
  std::string driver = "local";
  std::map<std::string, std::string> labels, options;
  std::int64_t created = 0;   // ns
  bool anonymous = false;     // made for one container (image VOLUME, -v /dst): goes with rm -v / --rm
  bool needs_copy_up = true;  // the first container to mount it copies the image's content in
};

Json to_json(const VolumeRecord& v);
VolumeRecord volume_from_json(const Json& j);

// A volume name as podman takes it: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool valid_volume_name(std::string_view name);
// ROOT/volumes/NAME/_data, absolute.
std::string volume_data_path(const Store& s, const std::string& name);

Result<std::vector<VolumeRecord>> read_volumes(const Store& s);
Result<std::optional<VolumeRecord>> read_volume(const Store& s, const std::string& name);
// Creates `v` (the caller holds the write lock); false when a volume of that name exists.
Result<bool> create_volume(const Store& s, const VolumeRecord& v);
// Rewrites the record of an existing volume (the caller holds the write lock).
Result<void> update_volume(const Store& s, const VolumeRecord& v);
// Takes the volume out of the store and deletes its content (the caller holds the write lock).
Result<void> remove_volume(const Store& s, const std::string& name);

}  // namespace berth::store

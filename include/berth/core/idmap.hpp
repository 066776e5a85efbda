// User namespace id maps: podman's --uidmap/--gidmap syntax, --userns=keep-id's map, and the
// two directions through a map (pure; unit-tested).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

namespace berth {

// Ids [container, container+size) inside are [host, host+size) in the parent namespace (the
// user's rootless namespace when rootless, the host's as root).
struct IdRange {
  std::uint32_t container = 0, host = 0, size = 0;
  bool operator==(const IdRange&) const = default;
};
using IdMap = std::vector<IdRange>;

// "CONTAINER:HOST:SIZE", as podman's --uidmap/--gidmap, one range per value. Errors (usage):
// not three numbers, a size of 0, an id past 2^32-1, ranges that overlap on either side.
Result<IdMap> parse_idmap(const std::vector<std::string>& values, std::string_view flag);
// The map of a /proc/PID/uid_map text; empty when it cannot be read.
IdMap parse_proc_idmap(std::string_view text);
// How many ids a namespace with this map has from 0 on without a gap (its usable size).
std::uint32_t contiguous_size(const IdMap& m);

// podman's --userns=keep-id in a namespace of `size` ids whose id 0 is the user: `id` inside is
// 0 outside (the user), 0..id-1 are 1..id, and id+1.. are id+1.. up to size-1.
IdMap keep_id_map(std::uint32_t id, std::uint32_t size);

// The kernel takes a range only when its outside ids lie in one range of the parent's own map:
// `m` with every range cut where `parent`'s ranges (their inside ids) end.
IdMap split_at(const IdMap& m, const IdMap& parent);

std::optional<std::uint32_t> to_host(const IdMap& m, std::uint32_t container_id);
std::optional<std::uint32_t> to_container(const IdMap& m, std::uint32_t host_id);

// --userns=auto: the lowest start of `size` outside ids that lie in one range of `pool`
// (outside ids: host, size) and touch none of `taken` (outside ids of the other containers'
// ranges). Nothing when no such block is left.
std::optional<std::uint32_t> free_block(const IdMap& pool, const IdMap& taken, std::uint32_t size);

// "C H N\n" per range: what /proc/PID/uid_map takes.
std::string proc_idmap_text(const IdMap& m);
// "C:H:N,C:H:N": for messages, records and the mapped layer directory's key.
std::string idmap_string(const IdMap& m);

}  // namespace berth

// Finding an image from what a user typed, as Podman does locally: a full or short name
// ("bb" matches localhost/bb:latest and docker.io/library/bb:latest), name@digest, a full id,
// "sha256:<id>" or a unique id prefix.
#pragma once

#include <string>

#include "berth/store/store.hpp"

namespace berth::engine {

struct ResolvedImage {
  Digest id;
  std::string name;  // the name that matched, or empty when found by id
};

Result<ResolvedImage> resolve_image(const store::Store& s, const store::NameMap& names, std::string_view input);

}  // namespace berth::engine

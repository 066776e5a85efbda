// Writing images out of the store with their original blobs, so digests survive
// save -> load -> save.
#pragma once

#include <string>
#include <vector>

#include "berth/store/store.hpp"

namespace berth::image {

enum class SaveFormat { docker_archive, oci_archive, oci_dir };

// "docker-archive", "oci-archive", "oci-dir" (also podman's "docker-dir" is refused).
Result<SaveFormat> parse_save_format(std::string_view s);

struct SaveItem {
  Digest id;
  std::vector<std::string> names;  // full names to record (RepoTags / ref.name)
};

// Archive formats write a tar to `out_fd`; oci-dir writes into `dir` (created if missing).
Result<void> save_images(const store::Store& s, const std::vector<SaveItem>& items, SaveFormat f, int out_fd,
                         const std::string& dir);

}  // namespace berth::image

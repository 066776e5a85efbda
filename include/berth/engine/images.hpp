// Image verbs: images, tag, untag, rmi, inspect, history, prune, system df, load, save, import.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"

namespace berth::engine {

struct ImageSummary {
  Digest id;
  std::vector<std::string> names;
  Digest digest;  // manifest digest
  std::int64_t created = 0;
  std::uint64_t size = 0;
  int containers = 0;
  Json labels;  // filled only when a filter or format needs it
};

struct ImagesOptions {
  std::vector<std::string> filters;  // key=value
  bool want_labels = false;
  bool all = false;  // also the intermediate images (untagged, with a child: build's steps)
};
Result<std::vector<ImageSummary>> list_images(Context& c, const ImagesOptions& o);

Result<void> tag_image(Context& c, const std::string& image, const std::vector<std::string>& names);
// No names: remove every name of the image.
Result<void> untag_image(Context& c, const std::string& image, const std::vector<std::string>& names);

struct RmiOptions {
  std::vector<std::string> images;
  bool force = false;
  bool all = false;
};
struct RmiReport {
  std::vector<std::string> untagged;
  std::vector<Digest> deleted;
  std::vector<Error> errors;  // per image; the command goes on with the others
};
Result<RmiReport> remove_images(Context& c, const RmiOptions& o);

// Podman's image inspect object.
Result<Json> inspect_image(Context& c, const std::string& image);
// `image exists`: false when no image has that name or id (other failures are errors).
Result<bool> image_exists(Context& c, const std::string& image);

struct HistoryEntry {
  std::string id;  // image id for the top entry, "<missing>" below
  std::int64_t created = 0;
  std::string created_by;
  std::uint64_t size = 0;
  std::string comment;
};
Result<std::vector<HistoryEntry>> image_history(Context& c, const std::string& image);

// Removes dangling images (all unused ones with `all`); returns their ids.
Result<std::vector<Digest>> prune_images(Context& c, bool all);

struct DfRow {
  std::string type;
  int total = 0;
  int active = 0;
  std::uint64_t size = 0;
  std::uint64_t reclaimable = 0;
};
Result<std::vector<DfRow>> system_df(Context& c);

// load / save / import
struct LoadRequest {
  std::string input;  // file, OCI layout dir, or "" for stdin
  bool progress = false;
};
Result<std::vector<std::string>> load_images(Context& c, const LoadRequest& r);  // "Loaded image: ..." names

struct SaveRequest {
  std::vector<std::string> images;
  std::string output;  // file or dir; "" = stdout
  std::string format = "docker-archive";
};
Result<void> save_images(Context& c, const SaveRequest& r);

struct ImportRequest {
  std::string input;  // file or "-"
  std::string reference;
  std::vector<std::string> changes;
  std::string message;
};
Result<Digest> import_image(Context& c, const ImportRequest& r);

}  // namespace berth::engine

// The JSON records of the store (DESIGN.md "The store"). Written only through write_atomic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/digest.hpp"
#include "berth/core/json.hpp"

namespace berth::store {

struct LayerRecord {
  ChainId chain;
  DiffId diff;
  std::optional<ChainId> parent;
  Digest blob;  // the blob exactly as received (compressed or not)
  std::uint64_t blob_size = 0;
  std::string media_type;  // OCI layer media type of the blob
  std::uint64_t size = 0;  // unpacked bytes
};

struct ImageRecord {
  Digest id;                    // = config digest
  Digest manifest;              // digest of the stored manifest blob
  std::string manifest_type;    // media type of that manifest
  std::vector<ChainId> layers;  // bottom first
  std::int64_t created = 0;     // from the config, unix seconds
  std::int64_t loaded = 0;      // when it entered this store
  std::uint64_t size = 0;       // sum of the unpacked layer sizes
  std::vector<Digest> digests;  // other manifest digests naming it (the index it was pulled through)
};

// Names map "docker.io/library/debian:latest" -> image id (one file, names.json).
using NameMap = std::map<std::string, Digest>;

Json to_json(const LayerRecord& r);
Result<LayerRecord> layer_from_json(const Json& j);
Json to_json(const ImageRecord& r);
Result<ImageRecord> image_from_json(const Json& j);
Json to_json(const NameMap& m);
Result<NameMap> names_from_json(const Json& j);

}  // namespace berth::store

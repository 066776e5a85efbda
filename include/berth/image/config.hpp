// Manifest, index and config codecs; Dockerfile-style --change instructions.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "berth/core/digest.hpp"
#include "berth/core/json.hpp"

namespace berth::image {

inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// The most bytes of a manifest, index or config berth reads from an archive or a registry
// before parsing it (containers/image caps them the same way): a bigger one is refused.
inline constexpr size_t kDocumentMax = 4 << 20;

struct Descriptor {
  std::string media_type;
  Digest digest;
  long long size = -1;
  Json annotations;
  Json platform;
};

// Validates digest (sha256 only) and size; never throws.
Result<Descriptor> descriptor_from_json(const Json& j, std::string_view what);
Json descriptor_to_json(const Descriptor& d);

struct Manifest {
  Descriptor config;
  std::vector<Descriptor> layers;
};
// A manifest, strictly: schemaVersion 2, a config descriptor of a container image config
// type, layer descriptors of a type berth can apply (tar, tar+gzip, tar+zstd; OCI or Docker).
// Unknown or missing media types are refused (unsupported), never guessed.
Result<Manifest> parse_manifest(const Json& j);
// True for the layer media types berth applies.
bool known_layer_type(std::string_view media_type);

enum class DocKind { manifest, index };
// What a document fetched as "a manifest" is, from its own mediaType, the type it was
// served or described as (`hint`; "" or a generic type such as application/json when none)
// and its fields. Ambiguous documents are refused (CVE-2021-41190): one with both
// layers/config and manifests, or whose own type and hint disagree; so are unknown types.
Result<DocKind> classify_document(const Json& j, std::string_view hint);
// A deterministic OCI manifest (same input, same bytes, same digest).
std::string make_manifest(const Descriptor& config, const std::vector<Descriptor>& layers,
                          const std::map<std::string, std::string>& annotations = {});

// The manifest `bytes` (of media type `type`; "" is OCI) in Docker's v2 schema 2 form or OCI's,
// with the same config and layers: its bytes and media type (the same when it is in that form).
// A zstd layer has no Docker form: an error.
Result<std::pair<std::string, std::string>> convert_manifest(const std::string& bytes, const std::string& type,
                                                             bool want_docker);

// Picks the manifest for os/arch(/variant) from an index, or fails with the platforms offered.
Result<Descriptor> select_platform(const Json& index, std::string_view os, std::string_view arch,
                                   std::string_view variant);
// "amd64", "arm64", ... for this build.
std::string host_arch();

// What a container takes from its image's config ("config" in the config blob), decoded once.
// Every field is untrusted input (docs/SECURITY.md): a field of the wrong JSON type is empty.
struct ImageConfig {
  std::string user, workdir, stop_signal;
  std::vector<std::string> env, entrypoint, cmd;
  Json healthcheck;  // Docker's HealthConfig as the image has it, or null
  std::map<std::string, std::string> labels;
  std::vector<std::string> volumes, exposed_ports;
};
ImageConfig decode_image_config(const Json& config_blob);

// Checks a config enough to use it (OCI image-spec config.md MUSTs): an object with os and
// architecture, rootfs.type "layers", rootfs.diff_ids sha256 digests.
Result<std::vector<DiffId>> config_diff_ids(const Json& config);

// Applies one Dockerfile-style instruction ("CMD ["sh"]", "ENV A=b", "WORKDIR /x", ...) to
// config["config"]. Unknown instructions and bad syntax are usage errors.
Result<void> apply_change(Json& config, std::string_view change);

// HEALTHCHECK's argument: "[--interval=D] [--timeout=D] [--start-period=D] [--retries=N] CMD
// ..." or "NONE" -> Docker's HealthConfig (durations in ns; unset ones left out).
Result<Json> parse_healthcheck(std::string_view arg);

// A shell-form or JSON-form command: ["a","b"] stays, `a b` becomes ["/bin/sh","-c","a b"].
Result<Json> parse_command(std::string_view s);

}  // namespace berth::image

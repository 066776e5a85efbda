// Quadlet: `*.container`, `*.kube`, `*.volume` and `*.network` files (Podman's podman-systemd.unit(5) format) become
// systemd services. berth runs as a systemd generator when called as `berth-generator` (or `berth-user-generator`) from
// a generator directory, or as `berth systemd generate DIR`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::engine {

// Splits a value the way systemd splits ExecStart= words: whitespace-separated, with "..."
// and '...' quoting and backslash escapes. Unterminated quotes are an error.
Result<std::vector<std::string>> split_unit_words(std::string_view s);

struct QuadletUnit {
  std::string service_name;                         // web.service for web.container
  std::string text;                                 // the .service unit
  std::vector<std::string> wanted_by, required_by;  // [Install] targets to link from
};

// Translates one .container file. `berth` is the command to run (path and global flags).
// Unknown keys and a missing Image= are errors (the generator warns and skips that file).
Result<QuadletUnit> quadlet_container(std::string_view file_name, std::string_view text, const std::string& berth,
                                      const std::string& source_path);

// A .kube file ([Kube]: Yaml=, ConfigMap=, Network=, PublishPort=, BerthArgs=) as a one-shot
// unit that runs `kube play --replace` and stops with `kube down`; a .volume ([Volume]) or
// .network ([Network]) file as a one-shot NAME-volume.service / NAME-network.service that
// makes it (systemd-NAME unless VolumeName= / NetworkName=). A .container's Volume=X.volume and
// Network=X.network name that volume or network and require its unit.
Result<QuadletUnit> quadlet_kube(std::string_view file_name, std::string_view text, const std::string& berth,
                                 const std::string& source_path);
// By the file's extension: .container, .kube, .volume, .network.
Result<QuadletUnit> quadlet_unit(std::string_view file_name, std::string_view text, const std::string& berth,
                                 const std::string& source_path);

// Generates every *.container, *.kube, *.volume and *.network of the unit directories ($QUADLET_UNIT_DIRS,
// colon-separated, else /etc/containers/systemd for root, ~/.config/containers/systemd for users) into `out_dir`. Files
// that cannot be translated are skipped with a warning on stderr; the return value counts the units written.
Result<int> quadlet_generate(const std::string& out_dir, bool user, const std::string& berth);

}  // namespace berth::engine

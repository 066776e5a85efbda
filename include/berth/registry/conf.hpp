// registries.conf (containers-registries.conf(5)), the file Podman reads: unqualified-search
// registries, short-name aliases, short-name-mode and per-registry insecure/blocked settings.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/reference.hpp"

namespace berth::registry {

struct RegistryEntry {
  std::string prefix;    // what references it covers ("example.com/foo"), default: location
  std::string location;  // where they go
  bool insecure = false;
  bool blocked = false;
  struct Mirror {
    std::string location;
    bool insecure = false;
    std::string pull_from_mirror = "all";  // all | digest-only | tag-only
  };
  std::vector<Mirror> mirrors;  // [[registry.mirror]]: tried in order before location
};

struct RegistriesConf {
  std::vector<std::string> search;
  bool search_set = false;      // some file set unqualified-search-registries (even to [])
  std::string short_name_mode;  // "" (= enforcing), "enforcing", "permissive", "disabled"
  std::map<std::string, std::string> aliases;
  std::vector<RegistryEntry> registries;

  // Parses registries.conf (TOML, through toml++) and merges it over this one, as a drop-in
  // does: keys it sets replace, aliases and [[registry]] entries (by prefix) are merged.
  Result<void> merge_text(std::string_view text, std::string_view what);
  // The [[registry]] entry with the longest prefix covering `repository` ("host/path").
  const RegistryEntry* find(const std::string& repository) const;
};

// Reads $CONTAINERS_REGISTRIES_CONF alone when set; else /etc/containers/registries.conf (or
// the user's ~/.config/containers/registries.conf instead, when it exists) and then every
// *.conf of the matching registries.conf.d directories, in name order.
Result<RegistriesConf> load_registries_conf();

// The references a pull of `input` tries, in order. A fully qualified name is itself; a short
// name is an alias when one matches, else each unqualified-search registry in turn, else (no
// file sets the list) docker.io as Docker does. With short-name-mode enforcing, several search
// registries and no terminal to ask on, the name is refused as Podman refuses it.
Result<std::vector<Reference>> pull_candidates(const RegistriesConf& c, std::string_view input, bool can_prompt);

}  // namespace berth::registry

// Registry credentials: WWW-Authenticate challenges, and the auth.json file that Podman,
// Buildah and Skopeo share (containers-auth.json(5)), with Docker's config.json read as a
// fallback.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::registry {

struct Challenge {
  std::string scheme;                         // lower-case: "basic", "bearer"
  std::map<std::string, std::string> params;  // lower-case names: realm, service, scope, error
};
// Parses one WWW-Authenticate value (which may hold several challenges); unparseable text
// gives what could be read before it.
std::vector<Challenge> parse_challenges(std::string_view header);

struct Credentials {
  std::string username;
  std::string password;
  bool empty() const { return username.empty() && password.empty(); }
};
// "user:pass" (--creds); a missing password is a usage error (there is no prompt).
Result<Credentials> parse_creds(std::string_view s);

// The file login writes: --authfile, else $REGISTRY_AUTH_FILE, else
// $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/UID/auth.json for root and
// ~/.config/containers/auth.json for others.
std::string auth_file_path(const std::string& flag);

// Credentials for `host` (and repository path, for namespaced entries such as
// "quay.io/org"): the most specific entry of the auth file wins; with no --authfile,
// ~/.config/containers/auth.json and ~/.docker/config.json are read after it.
Result<std::optional<Credentials>> find_credentials(const std::string& authfile_flag, const std::string& host,
                                                    const std::string& repo_path);

// Writes or removes the entry `key` ("host" or "host/namespace") of the auth file, atomically
// and under a lock beside it. remove returns false when there was no such entry.
Result<void> store_credentials(const std::string& authfile_flag, const std::string& key, const Credentials& c);
Result<bool> remove_credentials(const std::string& authfile_flag, const std::string& key);
Result<void> remove_all_credentials(const std::string& authfile_flag);

// Normalises an auth file key: drops "http(s)://" and a trailing "/" or "/v1/"; Docker Hub's
// "index.docker.io" / "registry-1.docker.io" become "docker.io".
std::string normalize_auth_key(std::string_view key);

}  // namespace berth::registry

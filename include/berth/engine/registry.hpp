// Registry verbs: pull, push, login, logout, and the --pull policy of run and create.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "berth/engine/context.hpp"
#include "berth/registry/client.hpp"

namespace berth::engine {

struct PullRequest {
  std::string reference;
  registry::ClientOptions client;
  std::string os = "linux";
  std::string arch;  // empty: this machine's
  std::string variant;
  bool quiet = false;  // no progress lines on stderr
};
struct Pulled {
  Digest id;
  std::string name;  // the reference pulled ("host/path:tag"), empty for a digest pull
};
// Pulls one image (trying the short-name candidates in order).
Result<Pulled> pull_image(Context& c, const PullRequest& r);

// OS/ARCH[/VARIANT] (--platform, FROM --platform) into `p`'s os, arch and variant.
Result<void> parse_platform(std::string_view text, PullRequest& p);

enum class PullPolicy { missing, always, never, newer };
Result<PullPolicy> parse_pull_policy(std::string_view s);
// run/create: the image `input` names, pulled first as `policy` says. Returns what to
// resolve afterwards (the pulled image's id when a pull happened, else `input`).
Result<std::string> ensure_image(Context& c, const std::string& input, PullPolicy policy, const PullRequest& base);

struct PushRequest {
  std::string image;
  std::string destination;  // empty: the image name
  registry::ClientOptions client;
  std::string format;  // "", "oci", "v2s2"
  std::string digestfile;
  bool quiet = false;
};
Result<Digest> push_image(Context& c, const PushRequest& r);

struct LoginRequest {
  std::string registry;  // host[:port][/namespace]
  registry::ClientOptions client;
  std::string username, password;
  bool get_login = false;
};
// Checks the credentials against the registry and stores them; with get_login, returns the
// stored user name instead.
Result<std::string> login(const LoginRequest& r);
// Returns the registry key removed; all: every entry.
Result<void> logout(const std::string& registry, const std::string& authfile, bool all);

}  // namespace berth::engine

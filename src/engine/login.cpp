// login / logout: credentials checked against the registry, kept in the shared auth.json.
#include "berth/engine/registry.hpp"

namespace berth::engine {

namespace {

// "host[:port][/namespace...]" with an optional scheme, as login accepts it.
Result<std::pair<std::string, std::string>> split_registry(const std::string& input) {
  std::string key = registry::normalize_auth_key(input);
  if (key.empty()) return fail(Errc::usage, "a registry name is needed");
  auto slash = key.find('/');
  std::string host = key.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : key.substr(slash + 1);
  if (host.find_first_of(" @") != std::string::npos || path.find_first_of(":@ ") != std::string::npos)
    return fail(Errc::usage, "\"{}\" is not a registry (host[:port][/namespace]); login takes no tag or digest", input);
  return std::pair{host, path};
}

}  // namespace

Result<std::string> login(const LoginRequest& r) {
  auto [host, path] = TRY(split_registry(r.registry));
  std::string key = path.empty() ? host : host + "/" + path;
  if (r.get_login) {
    auto c = TRY(registry::find_credentials(r.client.authfile, host, path));
    if (!c) return fail(Errc::not_found, "not logged into {}", key);
    return c->username;
  }
  if (r.username.empty()) return fail(Errc::usage, "a user name is needed (-u/--username); berth does not prompt");
  if (r.password.empty()) return fail(Errc::usage, "a password is needed (-p/--password or --password-stdin)");
  registry::ClientOptions co = r.client;
  co.creds = registry::Credentials{r.username, r.password};
  Reference ref;
  ref.domain = host;
  ref.path = path;
  auto conf = TRY(registry::load_registries_conf());
  auto cl = TRY(registry::Client::make(ref, co, conf));
  TRY(cl.ping());
  TRY(registry::store_credentials(r.client.authfile, key, *co.creds));
  return r.username;
}

Result<void> logout(const std::string& reg, const std::string& authfile, bool all) {
  if (all) return registry::remove_all_credentials(authfile);
  auto [host, path] = TRY(split_registry(reg));
  std::string key = path.empty() ? host : host + "/" + path;
  if (!TRY(registry::remove_credentials(authfile, key))) return fail(Errc::not_found, "not logged into {}", key);
  return {};
}

}  // namespace berth::engine

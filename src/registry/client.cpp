#include "berth/registry/client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "berth/core/json.hpp"
#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::registry {

const char* const kManifestAccept =
    "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

struct Client::Session {
  std::mutex mu;
  std::string host;      // as named: "docker.io", "127.0.0.1:5000"
  std::string endpoint;  // where it is reached: "registry-1.docker.io"
  std::string base;      // "https://host" once known
  bool tls_verify = true;
  bool insecure_allowed = false;
  TlsOptions tls;
  std::optional<Credentials> creds;
  bool basic = false;                         // the registry asked for basic auth
  std::map<std::string, std::string> tokens;  // scopes -> bearer token
  std::optional<Challenge> bearer;            // the registry's last bearer challenge
  std::string default_scope;
};

namespace {

constexpr size_t kManifestMax = 4 << 20;

std::string registry_error(const HttpResponse& r) {
  auto j = parse_json(r.body, "registry error");
  if (j && j->is_object()) {
    const Json& errs = json_obj(*j, "errors");
    if (errs.is_array() && !errs.empty() && errs[0].is_object()) {
      std::string m = json_str(errs[0], "message");
      std::string code = json_str(errs[0], "code");
      if (!m.empty()) return m;
      if (!code.empty()) return code;
    }
  }
  switch (r.status) {
    case 401: return "authentication required";
    case 403: return "requested access to the resource is denied";
    case 404: return "not found";
    default: return fmt::format("unexpected HTTP status {}", r.status);
  }
}

std::string default_cert_dir(const std::string& host) {
  std::vector<std::string> dirs;
  const char* home = std::getenv("HOME");
  if ((sys::rootless() || ::getuid() != 0) && home)
    dirs.push_back(std::string(home) + "/.config/containers/certs.d/" + host);
  dirs.push_back("/etc/containers/certs.d/" + host);
  dirs.push_back("/etc/docker/certs.d/" + host);
  for (const auto& d : dirs)
    if (sys::exists_at(AT_FDCWD, d)) return d;
  return "";
}

}  // namespace

Result<Client> Client::make(const Reference& ref, const ClientOptions& o, const RegistriesConf& conf) {
  Client c;
  c.s_ = std::make_shared<Session>();
  Session& s = *c.s_;
  s.host = ref.domain;
  s.endpoint = ref.domain == "docker.io" ? "registry-1.docker.io" : ref.domain;
  const RegistryEntry* e = conf.find(ref.repository());
  if (e && e->blocked) return fail(Errc::usage, "registry {} is blocked in registries.conf", ref.domain);
  s.insecure_allowed = o.tls_verify ? !*o.tls_verify : (e && e->insecure);
  s.tls_verify = !s.insecure_allowed;
  s.tls.verify = s.tls_verify;
  s.tls.cert_dir = o.cert_dir.empty() ? default_cert_dir(ref.domain) : o.cert_dir;
  if (o.creds)
    s.creds = o.creds;
  else if (auto found = TRY(find_credentials(o.authfile, ref.domain, ref.path)))
    s.creds = found;
  if (!ref.path.empty()) s.default_scope = fmt::format("repository:{}:{}", ref.path, o.push ? "pull,push" : "pull");
  c.path_ = ref.path;
  c.http_ = std::make_unique<Http>(s.tls);
  return c;
}

Client Client::clone() const {
  Client c;
  c.s_ = s_;
  c.path_ = path_;
  c.http_ = std::make_unique<Http>(s_->tls);
  return c;
}

const std::string& Client::host() const { return s_->host; }

Result<void> Client::ensure_endpoint() {
  std::lock_guard g(s_->mu);
  if (!s_->base.empty()) return {};
  std::string https = "https://" + s_->endpoint;
  HttpRequest r;
  r.url = https + "/v2/";
  r.what = "registry ping";
  auto resp = http_->perform(r);
  if (resp) {
    s_->base = https;
    return {};
  }
  if (!s_->insecure_allowed)
    return fail(Errc::system, "pinging container registry {}: {}", s_->host, resp.error().message);
  // --tls-verify=false / insecure = true: plain HTTP is allowed after HTTPS failed.
  std::string http = "http://" + s_->endpoint;
  r.url = http + "/v2/";
  auto plain = http_->perform(r);
  if (!plain) return fail(Errc::system, "pinging container registry {}: {}", s_->host, plain.error().message);
  s_->base = http;
  return {};
}

Result<HttpResponse> Client::send(HttpRequest r, const std::string& extra_scope) {
  TRY(ensure_endpoint());
  if (r.url.starts_with("/")) r.url = s_->base + r.url;
  std::string scopes = s_->default_scope + (extra_scope.empty() ? "" : " " + extra_scope);
  if (scopes.starts_with(" ")) scopes.erase(0, 1);
  std::vector<std::string> base_headers = r.headers;
  for (int attempt = 0; attempt < 2; attempt++) {
    r.headers = base_headers;
    {
      std::lock_guard g(s_->mu);
      if (s_->basic && s_->creds)
        r.headers.push_back("Authorization: Basic " + base64_encode(s_->creds->username + ":" + s_->creds->password));
      else if (auto it = s_->tokens.find(scopes); it != s_->tokens.end() && !it->second.empty())
        r.headers.push_back("Authorization: Bearer " + it->second);
    }
    if (r.body_fd >= 0 && ::lseek(r.body_fd, 0, SEEK_SET) < 0) return fail_errno("rewind upload");
    auto resp = TRY(http_->perform(r));
    if (resp.status != 401 || attempt == 1) return resp;
    std::optional<Challenge> bearer, basic;
    for (const auto& h : resp.challenges)
      for (auto& ch : parse_challenges(h)) {
        if (ch.scheme == "bearer" && !bearer) bearer = ch;
        if (ch.scheme == "basic" && !basic) basic = ch;
      }
    if (bearer) {
      std::string token = TRY(fetch_token(*bearer, scopes));
      std::lock_guard g(s_->mu);
      s_->tokens[scopes] = token;
      continue;
    }
    if (basic && s_->creds) {
      std::lock_guard g(s_->mu);
      s_->basic = true;
      continue;
    }
    return resp;
  }
  return fail(Errc::internal, "unreachable");
}

Result<std::string> Client::fetch_token(const Challenge& ch, const std::string& scopes) {
  auto realm_it = ch.params.find("realm");
  if (realm_it == ch.params.end() || realm_it->second.empty())
    return fail(Errc::invalid_input, "registry {} asked for a bearer token but named no realm", s_->host);
  const std::string& realm = realm_it->second;
  if (!realm.starts_with("https://") && !realm.starts_with("http://"))
    return fail(Errc::invalid_input, "registry {}: token realm \"{}\" is not an http(s) URL", s_->host, realm);
  std::string url = realm;
  char sep = realm.find('?') == std::string::npos ? '?' : '&';
  auto add = [&](const std::string& k, const std::string& v) {
    url += sep + k + "=" + url_escape(v);
    sep = '&';
  };
  if (auto it = ch.params.find("service"); it != ch.params.end()) add("service", it->second);
  std::vector<std::string> want;
  size_t start = 0;
  while (start <= scopes.size()) {
    size_t sp = scopes.find(' ', start);
    std::string one = scopes.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
    if (!one.empty()) want.push_back(one);
    if (sp == std::string::npos) break;
    start = sp + 1;
  }
  if (auto it = ch.params.find("scope"); it != ch.params.end() && !it->second.empty())
    if (std::find(want.begin(), want.end(), it->second) == want.end()) want.push_back(it->second);
  for (const auto& sc : want) add("scope", sc);
  HttpRequest r;
  r.url = url;
  r.what = "token response";
  r.max_body = 1 << 20;
  if (s_->creds)
    r.headers.push_back("Authorization: Basic " + base64_encode(s_->creds->username + ":" + s_->creds->password));
  auto resp = TRY(http_->perform(r));
  if (resp.status == 401 || resp.status == 403)
    return fail(Errc::usage, "unable to retrieve auth token: invalid username/password: {}", registry_error(resp));
  if (resp.status != 200)
    return fail(Errc::system, "unable to retrieve auth token from {}: {}", realm, registry_error(resp));
  auto j = TRY(parse_json(resp.body, "token response"));
  std::string token = json_str(j, "token");
  if (token.empty()) token = json_str(j, "access_token");
  if (token.empty()) return fail(Errc::invalid_input, "token response from {} holds no token", realm);
  log::debug("got a bearer token for {} from {}", scopes, realm);
  return token;
}

Result<void> Client::ping() {
  HttpRequest r;
  r.url = "/v2/";
  r.what = "registry ping";
  auto resp = TRY(send(r));
  if (resp.status == 401 || resp.status == 403)
    return fail(Errc::usage, "logging into \"{}\": invalid username/password", s_->host);
  if (resp.status != 200)
    return fail(Errc::system, "pinging container registry {}: {}", s_->host, registry_error(resp));
  return {};
}

Result<FetchedManifest> Client::get_manifest(const std::string& reference) {
  HttpRequest r;
  r.url = fmt::format("/v2/{}/manifests/{}", path_, reference);
  r.headers.push_back(kManifestAccept);
  r.max_body = kManifestMax;
  r.what = "manifest";
  auto resp = TRY(context(send(r), fmt::format("reading manifest {} in {}/{}", reference, s_->host, path_)));
  if (resp.status == 404)
    return fail(Errc::not_found, "reading manifest {} in {}/{}: {}", reference, s_->host, path_, registry_error(resp));
  if (resp.status != 200)
    return fail(Errc::system, "reading manifest {} in {}/{}: {}", reference, s_->host, path_, registry_error(resp));
  FetchedManifest m;
  m.bytes = std::move(resp.body);
  m.digest = Digest::of(m.bytes);
  if (reference.starts_with("sha256:") && m.digest.str() != reference)
    return fail(Errc::invalid_input, "manifest {} from {}/{}: content does not match its digest (got {})", reference,
                s_->host, path_, m.digest.str());
  std::string ct = resp.header("content-type");
  m.media_type = ct.substr(0, ct.find(';'));
  return m;
}

Result<std::optional<Digest>> Client::head_manifest(const std::string& reference) {
  HttpRequest r;
  r.method = "HEAD";
  r.url = fmt::format("/v2/{}/manifests/{}", path_, reference);
  r.headers.push_back(kManifestAccept);
  auto resp = TRY(send(r));
  if (resp.status == 404) return std::optional<Digest>();
  if (resp.status != 200)
    return fail(Errc::system, "reading manifest {} in {}/{}: {}", reference, s_->host, path_, registry_error(resp));
  auto d = Digest::parse(resp.header("docker-content-digest"));
  if (!d) return std::optional<Digest>();
  return std::optional<Digest>(*d);
}

Result<void> Client::fetch_blob(const Digest& d, const std::function<Result<void>(const char*, size_t)>& sink) {
  HttpRequest r;
  r.url = fmt::format("/v2/{}/blobs/{}", path_, d.str());
  r.sink = sink;
  r.max_body = 1 << 20;  // error bodies
  r.what = "blob error response";
  auto resp = TRY(context(send(r), fmt::format("fetching blob {}", d.short_id())));
  if (resp.status != 200)
    return fail(resp.status == 404 ? Errc::not_found : Errc::system, "fetching blob {}: {}", d.str(),
                registry_error(resp));
  return {};
}

Result<std::string> Client::fetch_small_blob(const Digest& d, size_t max_bytes) {
  std::string out;
  TRY(fetch_blob(d, [&](const char* p, size_t n) -> Result<void> {
    if (out.size() + n > max_bytes)
      return fail(Errc::invalid_input, "blob {} is larger than {} bytes", d.str(), max_bytes);
    out.append(p, n);
    return {};
  }));
  if (Digest::of(out) != d) return fail(Errc::invalid_input, "blob {}: content does not match its digest", d.str());
  return out;
}

Result<bool> Client::blob_exists(const Digest& d) {
  HttpRequest r;
  r.method = "HEAD";
  r.url = fmt::format("/v2/{}/blobs/{}", path_, d.str());
  auto resp = TRY(send(r));
  if (resp.status == 200) return true;
  if (resp.status == 404) return false;
  return fail(Errc::system, "checking blob {} in {}/{}: {}", d.short_id(), s_->host, path_, registry_error(resp));
}

Result<bool> Client::mount_blob(const Digest& d, const std::string& from_path) {
  HttpRequest r;
  r.method = "POST";
  r.url = fmt::format("/v2/{}/blobs/uploads/?mount={}&from={}", path_, url_escape(d.str()), url_escape(from_path));
  auto resp = TRY(send(r, fmt::format("repository:{}:pull", from_path)));
  if (resp.status == 201) return true;
  if (resp.status == 202) {
    // An upload session was opened instead; cancel it (best effort).
    if (std::string loc = resp.header("location"); !loc.empty()) {
      HttpRequest del;
      del.method = "DELETE";
      del.url = resolve_url(resp.url, loc);
      (void)send(del);
    }
    return false;
  }
  return false;
}

Result<void> Client::upload_blob(const Digest& d, int fd, long long size) {
  HttpRequest start;
  start.method = "POST";
  start.url = fmt::format("/v2/{}/blobs/uploads/", path_);
  auto resp = TRY(send(start));
  if (resp.status != 202)
    return fail(Errc::system, "uploading blob {} to {}/{}: {}", d.short_id(), s_->host, path_, registry_error(resp));
  std::string loc = resp.header("location");
  if (loc.empty()) return fail(Errc::invalid_input, "registry {} opened an upload with no Location", s_->host);
  std::string url = resolve_url(resp.url, loc);
  url += (url.find('?') == std::string::npos ? "?" : "&") + std::string("digest=") + url_escape(d.str());
  HttpRequest put;
  put.method = "PUT";
  put.url = url;
  put.body_fd = fd;
  put.body_size = size;
  put.headers.push_back("Content-Type: application/octet-stream");
  auto done = TRY(send(put));
  if (done.status != 201)
    return fail(Errc::system, "uploading blob {} to {}/{}: {}", d.short_id(), s_->host, path_, registry_error(done));
  return {};
}

Result<Digest> Client::put_manifest(const std::string& reference, const std::string& bytes,
                                    const std::string& media_type) {
  HttpRequest r;
  r.method = "PUT";
  r.url = fmt::format("/v2/{}/manifests/{}", path_, reference);
  r.body = bytes;
  r.headers.push_back("Content-Type: " + media_type);
  auto resp = TRY(send(r));
  if (resp.status != 201 && resp.status != 200)
    return fail(Errc::system, "writing manifest to {}/{}:{}: {}", s_->host, path_, reference, registry_error(resp));
  return Digest::of(bytes);
}

}  // namespace berth::registry

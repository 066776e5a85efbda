// The OCI distribution protocol (and Docker Registry HTTP API v2) for one repository:
// manifests, blobs, uploads, cross-repository mounts, and the authentication they need
// (anonymous, basic, bearer tokens fetched from the challenge's realm and reused).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "berth/core/digest.hpp"
#include "berth/core/reference.hpp"
#include "berth/registry/auth.hpp"
#include "berth/registry/conf.hpp"
#include "berth/registry/http.hpp"

namespace berth::registry {

struct ClientOptions {
  std::optional<bool> tls_verify;  // unset: registries.conf's insecure setting, else true
  std::string cert_dir;            // unset: /etc/containers/certs.d/HOST (and the user's)
  std::string authfile;
  std::optional<Credentials> creds;  // --creds: instead of the auth file
  bool push = false;                 // ask tokens for pull and push
};

struct FetchedManifest {
  std::string bytes;
  std::string media_type;  // Content-Type, or the document's own mediaType
  Digest digest;           // of the bytes
};

// Accept header of manifest requests: the four kinds berth reads.
extern const char* const kManifestAccept;

class Client {
 public:
  // `ref` is fully qualified (Reference::normalize); docker.io is reached at
  // registry-1.docker.io. Nothing is sent yet.
  static Result<Client> make(const Reference& ref, const ClientOptions& o, const RegistriesConf& conf);
  // Another client sharing this one's endpoint, tokens and credentials, with its own
  // connection: one per thread.
  Client clone() const;

  const std::string& host() const;
  const std::string& path() const { return path_; }

  // GET /v2/: checks the registry answers and the credentials work (login).
  Result<void> ping();
  // A tag or "sha256:..." digest; a digest reference is verified against the bytes.
  Result<FetchedManifest> get_manifest(const std::string& reference);
  // The digest the registry reports for a tag (HEAD), or nullopt when unknown.
  Result<std::optional<Digest>> head_manifest(const std::string& reference);
  // Streams a blob into `sink` (the caller verifies the digest of what it got).
  Result<void> fetch_blob(const Digest& d, const std::function<Result<void>(const char*, size_t)>& sink);
  // Small blobs (configs), verified against `d`.
  Result<std::string> fetch_small_blob(const Digest& d, size_t max_bytes);

  Result<bool> blob_exists(const Digest& d);
  // Cross-repository mount from another repository of the same registry; false when the
  // registry answered with an upload session instead (the caller then uploads).
  Result<bool> mount_blob(const Digest& d, const std::string& from_path);
  // Monolithic upload: POST an upload session, PUT the bytes with the digest.
  Result<void> upload_blob(const Digest& d, int fd, long long size);
  Result<Digest> put_manifest(const std::string& reference, const std::string& bytes, const std::string& media_type);

 private:
  struct Session;
  Client() = default;
  Result<HttpResponse> send(HttpRequest r, const std::string& extra_scope = "");
  Result<void> ensure_endpoint();
  Result<std::string> fetch_token(const Challenge& ch, const std::string& scopes);
  std::unique_ptr<Http> http_;
  std::shared_ptr<Session> s_;
  std::string path_;
};

}  // namespace berth::registry

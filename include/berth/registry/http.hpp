// HTTP for the registry client: libcurl, loaded on first use (only pull, push and login pay
// for it; every other command starts without mapping libcurl and its dozen libraries).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::registry {

struct TlsOptions {
  bool verify = true;
  std::string cert_dir;  // extra CA certificates (*.crt), client cert/key pairs (*.cert + *.key)
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when body_fd < 0
  int body_fd = -1;                  // sent from here (size body_size) instead
  long long body_size = 0;
  // Response body: given to `sink` when set (streamed), else kept up to `max_body` bytes (more
  // is an error naming `what`).
  std::function<Result<void>(const char* data, size_t n)> sink;
  size_t max_body = 4 << 20;
  std::string what = "response";
  bool follow_redirects = true;  // http and https only, never file: or anything else
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by ", "
  std::vector<std::string> challenges;         // every WWW-Authenticate value
  std::string body;
  std::string url;  // after redirects
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// One connection cache; not shared between threads (make one per thread).
class Http {
 public:
  explicit Http(TlsOptions tls);
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;
  // Fails only when no HTTP exchange happened (connection refused, TLS error, sink error,
  // body over max_body): any status code is a response.
  Result<HttpResponse> perform(const HttpRequest& r);

 private:
  void* curl_ = nullptr;
  TlsOptions tls_;
  std::string ca_bundle_;                 // the system's CAs plus the cert dir's *.crt
  std::string client_cert_, client_key_;  // the cert dir's NAME.cert + NAME.key
};

// Resolves a Location header against the URL it came from.
std::string resolve_url(const std::string& base, const std::string& location);
// Percent-encodes a query parameter value.
std::string url_escape(std::string_view s);

}  // namespace berth::registry

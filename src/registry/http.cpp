#include "berth/registry/http.hpp"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include "berth/sys/file.hpp"

namespace berth::registry {

namespace {

// libcurl, dlopen'ed by soname on the first request: it pulls in a dozen libraries (nghttp2,
// ssh2, ldap, gssapi, ...) whose relocations would otherwise cost every berth process.
struct Curl {
  decltype(&curl_global_init) global_init;
  decltype(&curl_easy_init) init;
  decltype(&curl_easy_setopt) setopt;
  decltype(&curl_easy_perform) perform;
  decltype(&curl_easy_getinfo) getinfo;
  decltype(&curl_easy_reset) reset;
  decltype(&curl_easy_cleanup) cleanup;
  decltype(&curl_easy_strerror) strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free;
  decltype(&curl_easy_escape) escape;
  decltype(&curl_free) free;
};

Result<const Curl*> curl() {
  static std::once_flag once;
  static std::optional<Curl> lib;
  static std::string error;
  std::call_once(once, [] {
    void* h = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      error = fmt::format("cannot load libcurl.so.4 (Debian package libcurl4): {}", ::dlerror());
      return;
    }
    Curl c;
    bool ok = true;
    auto sym = [&](auto& fn, const char* name) {
      void* p = ::dlsym(h, name);
      if (!p) {
        ok = false;
        error = fmt::format("libcurl.so.4 has no {}", name);
      }
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(p);
    };
    sym(c.global_init, "curl_global_init");
    sym(c.init, "curl_easy_init");
    sym(c.setopt, "curl_easy_setopt");
    sym(c.perform, "curl_easy_perform");
    sym(c.getinfo, "curl_easy_getinfo");
    sym(c.reset, "curl_easy_reset");
    sym(c.cleanup, "curl_easy_cleanup");
    sym(c.strerror, "curl_easy_strerror");
    sym(c.slist_append, "curl_slist_append");
    sym(c.slist_free, "curl_slist_free_all");
    sym(c.escape, "curl_easy_escape");
    sym(c.free, "curl_free");
    if (!ok) return;
    if (c.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      error = "libcurl failed to initialise";
      return;
    }
    lib = c;
  });
  if (!lib) return fail(Errc::system, "{}", error);
  return &*lib;
}

struct Exchange {
  const HttpRequest* req;
  HttpResponse* resp;
  std::optional<Error> sink_error;
  size_t sent = 0;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t len = size * n;
  if (x->req->sink) {
    // Only the final response's body is content: a redirect's or a 401's is not.
    long code = x->resp->status;
    if (code >= 200 && code < 300) {
      auto r = x->req->sink(data, len);
      if (!r) {
        x->sink_error = r.error();
        return 0;
      }
      return len;
    }
  }
  if (x->resp->body.size() + len > x->req->max_body) {
    x->sink_error =
        Error{Errc::invalid_input, 0, fmt::format("{} is larger than {} bytes", x->req->what, x->req->max_body)};
    return 0;
  }
  x->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new response (after a redirect or a 100 Continue): forget the previous one's headers.
    x->resp->headers.clear();
    x->resp->challenges.clear();
    x->resp->body.clear();
    auto sp = line.find(' ');
    x->resp->status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return len;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  if (name == "www-authenticate") x->resp->challenges.emplace_back(value);
  auto& slot = x->resp->headers[name];
  slot = slot.empty() ? std::string(value) : slot + ", " + std::string(value);
  return len;
}

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t want = size * n;
  const HttpRequest& r = *x->req;
  if (r.body_fd >= 0) {
    ssize_t got = ::read(r.body_fd, buf, want);
    if (got < 0) return CURL_READFUNC_ABORT;
    return static_cast<size_t>(got);
  }
  size_t k = std::min(want, r.body.size() - x->sent);
  std::memcpy(buf, r.body.data() + x->sent, k);
  x->sent += k;
  return k;
}

// Every *.crt of the cert dir, after the system's bundle: a registry's own CA is trusted
// in addition to the usual ones, as containers/image does with certs.d.
std::string ca_bundle(const std::string& dir) {
  std::string out;
  auto names = sys::list_host_dir(dir);
  if (!names) return out;
  std::sort(names->begin(), names->end());
  for (const auto& n : *names)
    if (n.ends_with(".crt"))
      if (auto t = sys::read_host_file(dir + "/" + n, 1 << 20)) out += *t + "\n";
  if (out.empty()) return out;
  for (const char* sysb : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"})
    if (auto t = sys::read_host_file(sysb, 16 << 20)) return *t + "\n" + out;
  return out;
}

}  // namespace

// The cert dir is read once per connection cache, not once per request.
Http::Http(TlsOptions tls) : tls_(std::move(tls)) {
  if (tls_.cert_dir.empty()) return;
  ca_bundle_ = ca_bundle(tls_.cert_dir);
  if (auto names = sys::list_host_dir(tls_.cert_dir))
    for (const auto& n : *names)
      if (n.ends_with(".cert")) {
        std::string k = n.substr(0, n.size() - 5) + ".key";
        if (std::find(names->begin(), names->end(), k) != names->end()) {
          client_cert_ = tls_.cert_dir + "/" + n;
          client_key_ = tls_.cert_dir + "/" + k;
        }
      }
}

Http::~Http() {
  if (curl_)
    if (auto c = curl()) (*c)->cleanup(curl_);
}

Result<HttpResponse> Http::perform(const HttpRequest& r) {
  const Curl& c = *TRY(curl());
  if (!curl_) {
    curl_ = c.init();
    if (!curl_) return fail(Errc::system, "libcurl: cannot create a handle");
  } else {
    c.reset(curl_);
  }
  CURL* h = curl_;
  HttpResponse resp;
  Exchange x{&r, &resp, std::nullopt, 0};
  std::unique_ptr<curl_slist, decltype(c.slist_free)> headers(nullptr, c.slist_free);
  auto add_header = [&](const std::string& line) { headers.reset(c.slist_append(headers.release(), line.c_str())); };
  for (const auto& hl : r.headers) add_header(hl);
  add_header("Expect:");
  std::string ua = fmt::format("User-Agent: berth/{}", BERTH_VERSION);
  add_header(ua);
  c.setopt(h, CURLOPT_URL, r.url.c_str());
  c.setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  c.setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  c.setopt(h, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
  c.setopt(h, CURLOPT_MAXREDIRS, 10L);
  c.setopt(h, CURLOPT_NOSIGNAL, 1L);
  c.setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
  // A transfer that stalls (under 1 byte/s for a minute) is a failure, not a hang.
  c.setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  c.setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  c.setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  c.setopt(h, CURLOPT_WRITEDATA, &x);
  c.setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  c.setopt(h, CURLOPT_HEADERDATA, &x);
  c.setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // manifests and tokens may come gzip'ed; blobs are sent as-is
  if (!tls_.verify) {
    c.setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    c.setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!ca_bundle_.empty()) {
    curl_blob b{ca_bundle_.data(), ca_bundle_.size(), CURL_BLOB_NOCOPY};
    c.setopt(h, CURLOPT_CAINFO_BLOB, &b);
  }
  if (!client_cert_.empty()) {
    c.setopt(h, CURLOPT_SSLCERT, client_cert_.c_str());
    c.setopt(h, CURLOPT_SSLKEY, client_key_.c_str());
  }
  if (r.method == "HEAD") {
    c.setopt(h, CURLOPT_NOBODY, 1L);
  } else if (r.method == "PUT" || (r.method == "POST" && r.body_fd >= 0) || r.method == "PATCH") {
    c.setopt(h, CURLOPT_UPLOAD, 1L);
    c.setopt(h, CURLOPT_READFUNCTION, &on_read);
    c.setopt(h, CURLOPT_READDATA, &x);
    c.setopt(h, CURLOPT_INFILESIZE_LARGE,
             static_cast<curl_off_t>(r.body_fd >= 0 ? r.body_size : static_cast<long long>(r.body.size())));
    if (r.method != "PUT") c.setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  } else if (r.method == "POST") {
    c.setopt(h, CURLOPT_POST, 1L);
    c.setopt(h, CURLOPT_POSTFIELDS, r.body.data());
    c.setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  } else if (r.method != "GET") {
    c.setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  c.setopt(h, CURLOPT_HTTPHEADER, headers.get());
  CURLcode rc = c.perform(h);
  if (x.sink_error) return std::unexpected(*x.sink_error);
  if (rc != CURLE_OK) return fail(Errc::system, "{} \"{}\": {}", r.method, r.url, c.strerror(rc));
  c.getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  char* eff = nullptr;
  c.getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
  resp.url = eff ? eff : r.url;
  return resp;
}

std::string resolve_url(const std::string& base, const std::string& location) {
  if (location.starts_with("http://") || location.starts_with("https://")) return location;
  auto scheme = base.find("://");
  size_t host_end = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string origin = host_end == std::string::npos ? base : base.substr(0, host_end);
  if (location.starts_with("//")) return base.substr(0, scheme + 1) + location;
  if (location.starts_with("/")) return origin + location;
  std::string dir = base.substr(0, base.find('?'));
  dir = dir.substr(0, dir.rfind('/') + 1);
  return dir + location;
}

std::string url_escape(std::string_view s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
      out += static_cast<char>(ch);
    else
      out += fmt::format("%{:02X}", ch);
  }
  return out;
}

}  // namespace berth::registry

#include "berth/core/digest.hpp"

#include <dlfcn.h>
#include <openssl/evp.h>

#include <stdexcept>

#include <fmt/format.h>

namespace berth {

namespace {

// OpenSSL's libcrypto, loaded on the first hash (BERTH_LIBCRYPTO is its soname): most berth
// commands (run, ps, stop, exec, ...) hash nothing, and libcrypto's relocations cost every
// process that maps it ~0.8 ms, a tenth of a whole `berth run`.
struct Crypto {
  decltype(&EVP_MD_CTX_new) ctx_new;
  decltype(&EVP_MD_CTX_free) ctx_free;
  decltype(&EVP_sha256) sha256;
  decltype(&EVP_DigestInit_ex) init;
  decltype(&EVP_DigestUpdate) update;
  decltype(&EVP_DigestFinal_ex) final;
  decltype(&EVP_EncodeBlock) b64_encode;
  decltype(&EVP_DecodeBlock) b64_decode;
};

#ifdef BERTH_LIBCRYPTO
const Crypto& crypto() {
  static const Crypto c = [] {
    void* h = ::dlopen(BERTH_LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);
    if (!h) throw std::runtime_error(fmt::format("cannot load {}: {}", BERTH_LIBCRYPTO, ::dlerror()));
    auto sym = [h](const char* name) {
      void* p = ::dlsym(h, name);
      if (!p) throw std::runtime_error(fmt::format("{} has no {}", BERTH_LIBCRYPTO, name));
      return p;
    };
    Crypto r;
    r.ctx_new = reinterpret_cast<decltype(r.ctx_new)>(sym("EVP_MD_CTX_new"));
    r.ctx_free = reinterpret_cast<decltype(r.ctx_free)>(sym("EVP_MD_CTX_free"));
    r.sha256 = reinterpret_cast<decltype(r.sha256)>(sym("EVP_sha256"));
    r.init = reinterpret_cast<decltype(r.init)>(sym("EVP_DigestInit_ex"));
    r.update = reinterpret_cast<decltype(r.update)>(sym("EVP_DigestUpdate"));
    r.final = reinterpret_cast<decltype(r.final)>(sym("EVP_DigestFinal_ex"));
    r.b64_encode = reinterpret_cast<decltype(r.b64_encode)>(sym("EVP_EncodeBlock"));
    r.b64_decode = reinterpret_cast<decltype(r.b64_decode)>(sym("EVP_DecodeBlock"));
    return r;
  }();
  return c;
}
#else
const Crypto& crypto() {
  static const Crypto c{&EVP_MD_CTX_new,   &EVP_MD_CTX_free,    &EVP_sha256,      &EVP_DigestInit_ex,
                        &EVP_DigestUpdate, &EVP_DigestFinal_ex, &EVP_EncodeBlock, &EVP_DecodeBlock};
  return c;
}
#endif

}  // namespace

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = crypto().b64_encode(reinterpret_cast<unsigned char*>(out.data()),
                              reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string in;
  for (char c : text)
    if (c != '\n' && c != '\r' && c != ' ') in += c;
  if (in.size() % 4 != 0) return fail(Errc::invalid_input, "invalid base64 text");
  std::string out(in.size() / 4 * 3 + 1, '\0');
  int n = crypto().b64_decode(reinterpret_cast<unsigned char*>(out.data()),
                              reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return fail(Errc::invalid_input, "invalid base64 text");
  // EVP_DecodeBlock counts the padding as zero bytes.
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = in.size() >= 2 && in[in.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

bool is_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<Digest> Digest::from_hex(std::string_view hex) {
  if (hex.size() != 64 || !is_hex(hex))
    return fail(Errc::invalid_input, "invalid digest \"{}\"", std::string(hex.substr(0, 80)));
  Digest d;
  d.s_ = "sha256:" + std::string(hex);
  return d;
}

Result<Digest> Digest::parse(std::string_view s) {
  if (!s.starts_with("sha256:"))
    return fail(Errc::invalid_input, "invalid digest \"{}\": only sha256 is supported", std::string(s.substr(0, 80)));
  return from_hex(s.substr(7));
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() {
    if (md) crypto().ctx_free(md);
  }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  const Crypto& c = crypto();
  ctx_->md = c.ctx_new();
  c.init(ctx_->md, c.sha256(), nullptr);
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t n) {
  crypto().update(ctx_->md, data, n);
  bytes_ += n;
}

Digest Sha256::finish() {
  unsigned char out[32];
  unsigned int len = 0;
  crypto().final(ctx_->md, out, &len);
  static const char* hexd = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (unsigned i = 0; i < len; i++) {
    hex.push_back(hexd[out[i] >> 4]);
    hex.push_back(hexd[out[i] & 15]);
  }
  auto d = Digest::from_hex(hex);
  return *d;
}

Digest Digest::of(std::string_view data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.finish();
}

ChainId chain_id(const ChainId* parent, const DiffId& diff) {
  if (!parent) return ChainId{diff.d};
  return ChainId{Digest::of(parent->d.str() + " " + diff.d.str())};
}

}  // namespace berth

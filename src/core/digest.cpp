#include "berth/core/digest.hpp"

#include <openssl/evp.h>

namespace berth {

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
    return fail(Errc::invalid_input, "invalid digest \"{}\": only sha256 is supported",
                std::string(s.substr(0, 80)));
  return from_hex(s.substr(7));
}

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t n) {
  EVP_DigestUpdate(ctx_->md, data, n);
  bytes_ += n;
}

Digest Sha256::finish() {
  unsigned char out[32];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, out, &len);
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

// sha256 digests: validated once at the edge, typed so that diff-ids, chain-ids and image ids
// cannot be mixed up.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "berth/core/error.hpp"

namespace berth {

class Digest {
 public:
  // Accepts exactly "sha256:" + 64 lower-case hex digits; anything else is invalid_input.
  static Result<Digest> parse(std::string_view s);
  // From 64 hex digits with no algorithm prefix.
  static Result<Digest> from_hex(std::string_view hex);
  static Digest of(std::string_view data);

  const std::string& str() const { return s_; }
  std::string_view hex() const { return std::string_view(s_).substr(7); }
  std::string short_id() const { return std::string(hex().substr(0, 12)); }
  bool empty() const { return s_.empty(); }
  auto operator<=>(const Digest&) const = default;

 private:
  std::string s_;
};

// Strong wrappers: the same bytes, different meanings.
struct DiffId {
  Digest d;
  auto operator<=>(const DiffId&) const = default;
};
struct ChainId {
  Digest d;
  auto operator<=>(const ChainId&) const = default;
};

// chain-id(L0) = diff-id(L0); chain-id(Ln) = sha256(chain-id(Ln-1) + " " + diff-id(Ln)).
ChainId chain_id(const ChainId* parent, const DiffId& diff);

// Incremental sha256, used as a tee while streaming.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t n);
  Digest finish();
  unsigned long long bytes() const { return bytes_; }

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  unsigned long long bytes_ = 0;
};

bool is_hex(std::string_view s);

// Standard base64 with padding (auth.json's "auth", HTTP basic credentials).
std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

}  // namespace berth

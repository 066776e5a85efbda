#include "berth/core/reference.hpp"

#include <cctype>

namespace berth {

namespace {

bool is_alnum_lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
bool valid_component(std::string_view c) {
  if (c.empty() || !is_alnum_lower(c.front()) || !is_alnum_lower(c.back())) return false;
  for (size_t i = 0; i < c.size(); i++) {
    char ch = c[i];
    if (is_alnum_lower(ch)) continue;
    if (ch == '.' || ch == '-') {
      if (ch == '.' && !is_alnum_lower(c[i + 1])) return false;
      continue;
    }
    if (ch == '_') {
      if (c[i + 1] == '_') i++;
      if (!is_alnum_lower(c[i + 1])) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  if (!(std::isalnum(static_cast<unsigned char>(t[0])) || t[0] == '_')) return false;
  for (char c : t)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

bool valid_domain(std::string_view d) {
  if (d.empty()) return false;
  for (char c : d)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
      return false;
  return true;
}

}  // namespace

bool looks_like_domain(std::string_view s) {
  return s.find('.') != std::string_view::npos || s.find(':') != std::string_view::npos || s == "localhost";
}

std::string Reference::str() const {
  std::string r = domain.empty() ? path : repository();
  if (!tag.empty()) return r + ":" + tag;
  if (digest) return r + "@" + digest->str();
  return r;
}

Result<Reference> Reference::parse(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return fail(Errc::invalid_input, "invalid reference format: \"{}\": {}", std::string(s), why);
  };
  if (s.empty()) return bad("empty name");
  if (s.size() > 255 + 80) return bad("too long");
  Reference r;
  std::string_view rest = s;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto d = Digest::parse(rest.substr(at + 1));
    if (!d) return bad("bad digest");
    r.digest = *d;
    rest = rest.substr(0, at);
  }
  // A tag is after the last ':' that follows the last '/'.
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(r.tag)) return bad("bad tag");
    rest = rest.substr(0, colon);
  }
  auto first = rest.find('/');
  if (first != std::string_view::npos && looks_like_domain(rest.substr(0, first))) {
    r.domain = std::string(rest.substr(0, first));
    if (!valid_domain(r.domain)) return bad("bad domain");
    rest = rest.substr(first + 1);
  }
  if (rest.empty() || rest.size() > 255) return bad("bad repository name");
  size_t start = 0;
  while (true) {
    auto end = rest.find('/', start);
    auto comp = rest.substr(start, end == std::string_view::npos ? end : end - start);
    if (!valid_component(comp)) {
      bool upper = false;
      for (char c : comp) upper |= std::isupper(static_cast<unsigned char>(c)) != 0;
      return bad(upper ? "repository name must be lowercase" : "bad repository name");
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  r.path = std::string(rest);
  return r;
}

Result<Reference> Reference::normalize(std::string_view s, std::string_view default_domain) {
  Reference r = TRY(parse(s));
  if (r.domain.empty()) {
    // A 64-hex name is an image id, never a repository (Docker refuses it too).
    if (r.path.size() == 64 && is_hex(r.path))
      return fail(Errc::invalid_input,
                  "invalid reference format: \"{}\": repository name cannot be a 64-byte hex string", std::string(s));
    r.domain = default_domain;
    if (r.domain == "docker.io" && r.path.find('/') == std::string::npos) r.path = "library/" + r.path;
  } else if (r.domain == "index.docker.io") {
    r.domain = "docker.io";
  }
  if (r.tag.empty() && !r.digest) r.tag = "latest";
  return r;
}

}  // namespace berth

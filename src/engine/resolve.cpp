#include "berth/engine/resolve.hpp"

#include "berth/core/reference.hpp"
#include "berth/sys/file.hpp"

#include <algorithm>

namespace berth::engine {

namespace {

Result<std::optional<Digest>> by_id(const store::Store& s, std::string_view input) {
  std::string_view hex = input;
  if (hex.starts_with("sha256:")) hex.remove_prefix(7);
  if (hex.empty() || hex.size() > 64 || !is_hex(hex)) return std::optional<Digest>();
  if (hex.size() == 64) {
    auto d = TRY(Digest::from_hex(hex));
    if (sys::exists_at(s.root(), fmt::format("images/{}.json", hex))) return std::optional<Digest>(d);
    return std::optional<Digest>();
  }
  std::optional<Digest> found;
  for (const auto& n : TRY(sys::list_dir(s.root(), "images"))) {
    if (!n.starts_with(hex) || !n.ends_with(".json")) continue;
    if (found) return fail(Errc::conflict, "{}: image id prefix is ambiguous", input);
    found = TRY(Digest::from_hex(n.substr(0, 64)));
  }
  return found;
}

}  // namespace

Result<ResolvedImage> resolve_image(const store::Store& s, const store::NameMap& names, std::string_view input) {
  auto not_known = [&] { return fail(Errc::not_found, "{}: image not known", input); };
  if (auto id = TRY(by_id(s, input)); id) return ResolvedImage{*id, ""};
  auto ref = Reference::parse(input);
  if (!ref) return std::unexpected(ref.error());
  if (ref->digest && ref->tag.empty()) {
    // name@sha256:...: the image whose manifest has that digest and that carries the repository.
    for (const auto& img : TRY(s.images())) {
      if (img.manifest != *ref->digest &&
          std::find(img.digests.begin(), img.digests.end(), *ref->digest) == img.digests.end())
        continue;
      for (const auto& [n, id] : names)
        if (id == img.id) return ResolvedImage{img.id, n};
      return ResolvedImage{img.id, ""};
    }
    return not_known();
  }
  std::string tag = ref->tag.empty() ? "latest" : ref->tag;
  if (!ref->domain.empty()) {
    auto full = Reference::normalize(input);
    if (full) {
      auto it = names.find(full->str());
      if (it != names.end()) return ResolvedImage{it->second, it->first};
    }
    return not_known();
  }
  // A short name: localhost/ first, then docker.io/library/, then any registry whose
  // repository path is the given one.
  for (const std::string& cand :
       {fmt::format("localhost/{}:{}", ref->path, tag),
        fmt::format("docker.io/{}{}:{}", ref->path.find('/') == std::string::npos ? "library/" : "", ref->path, tag)}) {
    auto it = names.find(cand);
    if (it != names.end()) return ResolvedImage{it->second, it->first};
  }
  std::string suffix = fmt::format("/{}:{}", ref->path, tag);
  for (const auto& [n, id] : names)
    if (n.ends_with(suffix) && n.find('/') == n.size() - suffix.size()) return ResolvedImage{id, n};
  return not_known();
}

}  // namespace berth::engine

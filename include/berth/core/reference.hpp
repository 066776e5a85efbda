// Image references, parsed and normalised as Podman and Docker do:
//   [domain/]path[:tag][@sha256:hex]
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "berth/core/digest.hpp"

namespace berth {

struct Reference {
  std::string domain;  // "docker.io", "localhost", "quay.io:443" ...
  std::string path;    // "library/debian"
  std::string tag;     // empty when only a digest was given
  std::optional<Digest> digest;

  // "docker.io/library/debian"
  std::string repository() const { return domain + "/" + path; }
  // "docker.io/library/debian:latest" or "...@sha256:..." (tag wins when both exist)
  std::string str() const;

  // Parses without filling in defaults: domain may be empty.
  static Result<Reference> parse(std::string_view s);
  // Short names get `default_domain` ("docker.io" gives "library/" for one-part paths),
  // and a missing tag becomes "latest" unless a digest is present.
  static Result<Reference> normalize(std::string_view s, std::string_view default_domain = "docker.io");
};

// True when `s` names the domain part of a reference (has '.', ':' or is "localhost").
bool looks_like_domain(std::string_view s);

}  // namespace berth

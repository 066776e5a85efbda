// libarchive's failures as berth errors. archive_error_string() is NULL when libarchive has
// only an errno (a write callback's ENOSPC, say): the message then comes from errno, which
// also decides the category (a full disk is a system error, not a corrupt archive).
#pragma once

#include <archive.h>

#include <cerrno>
#include <string>
#include <string_view>

#include "berth/core/error.hpp"

namespace berth::image {

// The text libarchive has for `a`'s last failure, never NULL.
inline std::string archive_message(archive* a) {
  const char* s = a ? archive_error_string(a) : nullptr;
  if (s && *s) return s;
  int e = a ? archive_errno(a) : 0;
  return e > 0 ? errno_text(e) : std::string("unknown error");
}

// "WHAT: MESSAGE" as an Error: Errc::system (with the errno) when libarchive's errno is a
// system failure such as ENOSPC or EIO, else `code` (usually invalid_input: bad data).
inline Error archive_failure(archive* a, std::string_view what, Errc code = Errc::invalid_input) {
  int e = a ? archive_errno(a) : 0;
  bool sys = e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS || e == ENOMEM || e == EFBIG || e == EMFILE;
  // The errno is kept whatever the category: callers look at it (a tar writer's EPIPE means
  // its reader failed first, and the reader's error is the one to report).
  return Error{sys ? Errc::system : code, e > 0 ? e : 0, std::string(what) + ": " + archive_message(a)};
}

}  // namespace berth::image

#include "berth/core/error.hpp"

#include <cstring>

namespace berth {

std::string errno_text(int e) {
  char buf[256];
  return std::string(strerror_r(e, buf, sizeof buf));
}

int exit_code(Errc c) {
  switch (c) {
    case Errc::cannot_invoke: return 126;
    case Errc::command_not_found: return 127;
    case Errc::internal:
    case Errc::usage:
    case Errc::not_found:
    case Errc::conflict:
    case Errc::invalid_input:
    case Errc::system:
    case Errc::unsupported: return 125;
  }
  return 125;
}

Errc errc_from_exit_code(int code) {
  return code == 126 ? Errc::cannot_invoke : code == 127 ? Errc::command_not_found : Errc::system;
}

Error with_context(Error e, std::string_view context) {
  e.message = fmt::format("{}: {}", context, e.message);
  return e;
}

}  // namespace berth

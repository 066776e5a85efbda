// Errors as values (STYLE.md 2.5): every fallible function below cli/ returns Result<T>.
#pragma once

#include <cerrno>
#include <cstdint>
#include <expected>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace berth {

// The category decides the exit code, and only main.cpp maps it (125, 126, 127, ...).
enum class Errc : std::uint8_t {
  internal,
  usage,
  not_found,
  conflict,
  invalid_input,
  system,
  unsupported,
  cannot_invoke,      // 126
  command_not_found,  // 127
};

struct Error {
  Errc code = Errc::internal;
  int sys_errno = 0;
  std::string message;  // lower-case, no "Error:" prefix, no trailing period
};

template <class T = void>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
};

// Propagates the error of a Result-returning expression, else yields its value. The local
// gets a unique name so that TRY(f(TRY(g()))) does not shadow.
#define BERTH_CAT2(a, b) a##b
#define BERTH_CAT(a, b) BERTH_CAT2(a, b)
#define BERTH_TRY_IMPL(expr, var)                     \
  __extension__({                                     \
    auto&& var = (expr);                              \
    if (!var) {                                       \
      return std::unexpected(std::move(var).error()); \
    }                                                 \
    std::move(var).value();                           \
  })
#define TRY(expr) BERTH_TRY_IMPL(expr, BERTH_CAT(try_r_, __COUNTER__))

std::string errno_text(int e);

template <class... A>
std::unexpected<Error> fail(Errc code, fmt::format_string<A...> f, A&&... a) {
  return std::unexpected(Error{code, 0, fmt::format(f, std::forward<A>(a)...)});
}

// Reads errno at once: call it straight after the failing system call.
template <class... A>
std::unexpected<Error> fail_errno(fmt::format_string<A...> f, A&&... a) {
  int e = errno;
  return std::unexpected(
      Error{Errc::system, e, fmt::format("{}: {}", fmt::format(f, std::forward<A>(a)...), errno_text(e))});
}

// The process exit code for an error of this category (Podman's): 126 cannot invoke, 127 not
// found, 125 everything else; and back, for errors that crossed a process boundary as a code.
int exit_code(Errc c);
Errc errc_from_exit_code(int code);

// Adds context in front of an error's message, keeping its category.
Error with_context(Error e, std::string_view context);

// The same for a Result: on error, prefix the message.
template <class T>
Result<T> context(Result<T> r, std::string_view what) {
  if (!r) return std::unexpected(with_context(std::move(r).error(), what));
  return r;
}

}  // namespace berth

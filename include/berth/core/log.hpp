// Diagnostics on stderr; stdout carries data only (STYLE.md 2.9).
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace berth::log {

enum class Level { error, warn, info, debug };

void set_level(Level l);
Level level();
// Parses "debug", "info", "warn"/"warning", "error"; false when unknown.
bool parse_level(std::string_view s, Level& out);
void write(Level l, std::string_view msg);
// Every warning is also handed to `copy` while it is set (a -d container's monitor sends its
// start-up warnings to the berth that waits for it); nullptr stops that.
void copy_warnings(void (*copy)(std::string_view msg, void* arg), void* arg);

template <class... A>
void warn(fmt::format_string<A...> f, A&&... a) {
  if (level() >= Level::warn) write(Level::warn, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void info(fmt::format_string<A...> f, A&&... a) {
  if (level() >= Level::info) write(Level::info, fmt::format(f, std::forward<A>(a)...));
}
template <class... A>
void debug(fmt::format_string<A...> f, A&&... a) {
  if (level() >= Level::debug) write(Level::debug, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace berth::log

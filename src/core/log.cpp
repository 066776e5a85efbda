#include "berth/core/log.hpp"

#include <unistd.h>

#include <chrono>
#include <string>

namespace berth::log {

namespace {
Level g_level = Level::warn;
void (*g_copy)(std::string_view, void*) = nullptr;
void* g_copy_arg = nullptr;
const auto g_start = std::chrono::steady_clock::now();
}  // namespace

void set_level(Level l) { g_level = l; }

void copy_warnings(void (*copy)(std::string_view msg, void* arg), void* arg) {
  g_copy = copy;
  g_copy_arg = arg;
}
Level level() { return g_level; }

bool parse_level(std::string_view s, Level& out) {
  if (s == "debug" || s == "trace")
    out = Level::debug;
  else if (s == "info")
    out = Level::info;
  else if (s == "warn" || s == "warning")
    out = Level::warn;
  else if (s == "error" || s == "fatal" || s == "panic")
    out = Level::error;
  else
    return false;
  return true;
}

void write(Level l, std::string_view msg) {
  std::string line;
  switch (l) {
    case Level::error: line = fmt::format("Error: {}\n", msg); break;
    case Level::warn: line = fmt::format("WARN[0000] {}\n", msg); break;
    case Level::info: line = fmt::format("INFO[0000] {}\n", msg); break;
    case Level::debug: {
      auto ms =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - g_start).count() /
          1000.0;
      line = fmt::format("DEBU[{:8.3f}ms] {}\n", ms, msg);
      break;
    }
  }
  (void)!::write(2, line.data(), line.size());
  if (l == Level::warn && g_copy) g_copy(msg, g_copy_arg);
}

}  // namespace berth::log

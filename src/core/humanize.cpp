#include "berth/core/humanize.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <cstdint>

#include <fmt/format.h>

namespace berth {

std::string human_size(double bytes, bool space, int precision) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int i = 0;
  while (bytes >= 1000.0 && i < 6) {
    bytes /= 1000.0;
    i++;
  }
  // %.3g like go-units HumanSizeWithPrecision(size, 3)
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", precision, bytes);
  return fmt::format("{}{}{}", buf, space ? " " : "", units[i]);
}

std::optional<std::int64_t> parse_human_size(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) i++;
  std::string num(s.substr(0, i));
  if (num.empty() || num.front() == '.' || num.back() == '.' || std::ranges::count(num, '.') > 1) return std::nullopt;
  std::string_view unit = s.substr(i);
  if (unit.starts_with(' ')) unit.remove_prefix(1);
  double mul = 1;
  if (!unit.empty()) {
    std::string_view letters = "kmgtp";
    auto at = letters.find(static_cast<char>(std::tolower(static_cast<unsigned char>(unit.front()))));
    if (at != std::string_view::npos) {
      for (size_t k = 0; k <= at; k++) mul *= 1000;
      unit.remove_prefix(1);
    }
    if (!unit.empty() && (unit.front() == 'i' || unit.front() == 'I')) unit.remove_prefix(1);
    if (!unit.empty() && (unit.front() == 'b' || unit.front() == 'B')) unit.remove_prefix(1);
    if (!unit.empty()) return std::nullopt;
  }
  double v = std::strtod(num.c_str(), nullptr) * mul;
  if (v > 9e18) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

std::string go_duration(std::int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  auto u = static_cast<std::uint64_t>(ns < 0 ? -ns : ns);
  // a whole part and a fraction of `digits` digits, trailing zeros dropped
  auto fixed = [](std::uint64_t whole, std::uint64_t frac, int digits) {
    std::string f = fmt::format("{:0{}}", frac, digits);
    while (!f.empty() && f.back() == '0') f.pop_back();
    return f.empty() ? std::to_string(whole) : fmt::format("{}.{}", whole, f);
  };
  if (u < 1000) return fmt::format("{}{}ns", sign, u);
  if (u < 1000000) return sign + fixed(u / 1000, u % 1000, 3) + "\u00b5s";
  if (u < 1000000000) return sign + fixed(u / 1000000, u % 1000000, 6) + "ms";
  std::uint64_t secs = u / 1000000000, h = secs / 3600, m = secs / 60 % 60;
  std::string s = fixed(secs % 60, u % 1000000000, 9) + "s";
  if (h > 0) return fmt::format("{}{}h{}m{}", sign, h, m, s);
  if (m > 0) return fmt::format("{}{}m{}", sign, m, s);
  return sign + s;
}

std::string human_duration(int64_t s) {
  if (s < 1) return "Less than a second";
  if (s == 1) return "1 second";
  if (s < 60) return fmt::format("{} seconds", s);
  int64_t m = s / 60;
  if (m == 1) return "About a minute";
  if (m < 60) return fmt::format("{} minutes", m);
  int64_t h = static_cast<int64_t>(std::round(s / 3600.0));
  if (h == 1) return "About an hour";
  if (h < 48) return fmt::format("{} hours", h);
  if (h < 24 * 7 * 2) return fmt::format("{} days", h / 24);
  if (h < 24 * 30 * 2) return fmt::format("{} weeks", h / 24 / 7);
  if (h < 24 * 365 * 2) return fmt::format("{} months", h / 24 / 30);
  return fmt::format("{} years", h / 24 / 365);
}

std::string rfc3339_utc(int64_t t, long nanos) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (nanos) return fmt::format("{}.{:09d}Z", buf, nanos);
  return fmt::format("{}Z", buf);
}

std::string created_at(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
  return buf;
}

bool parse_rfc3339(const std::string& s, int64_t& out) {
  std::tm tm{};
  int n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &n) != 6)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  int64_t t = timegm(&tm);
  const char* p = s.c_str() + n;
  if (*p == '.')
    while (*++p >= '0' && *p <= '9') {}
  if (*p == '+' || *p == '-') {
    int hh = 0, mm = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return false;
    int off = hh * 3600 + mm * 60;
    t += (*p == '+') ? -off : off;
  } else if (*p != 'Z' && *p != 'z') {
    return false;
  }
  out = t;
  return true;
}

std::optional<int64_t> parse_duration_ns(std::string_view s) {
  if (s == "0") return 0;
  if (s.empty()) return std::nullopt;
  if (s[0] == '+') s.remove_prefix(1);
  constexpr int64_t kMax = INT64_MAX;
  double total = 0;
  bool any = false;
  while (!s.empty()) {
    size_t i = 0;
    int64_t whole = 0;
    double frac = 0, scale = 1;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (whole > kMax / 10) return std::nullopt;
      whole = whole * 10 + (s[i++] - '0');
      digits = true;
    }
    if (i < s.size() && s[i] == '.') {
      i++;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        scale /= 10;
        frac += (s[i++] - '0') * scale;
        digits = true;
      }
    }
    if (!digits) return std::nullopt;
    size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') u++;
    std::string_view unit = s.substr(i, u - i);
    double mul = unit == "ns"                                             ? 1
                 : unit == "us" || unit == "\u00b5s" || unit == "\u03bcs" ? 1e3
                 : unit == "ms"                                           ? 1e6
                 : unit == "s"                                            ? 1e9
                 : unit == "m"                                            ? 60e9
                 : unit == "h"                                            ? 3600e9
                                                                          : 0;
    if (mul == 0) return std::nullopt;
    total += (static_cast<double>(whole) + frac) * mul;
    if (total >= 9.2e18) return std::nullopt;
    any = true;
    s.remove_prefix(u);
  }
  if (!any) return std::nullopt;
  return static_cast<int64_t>(total + 0.5);
}

}  // namespace berth

#include "berth/core/strings.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <random>

namespace berth {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(sep, i);
    out.emplace_back(s.substr(i, j == std::string_view::npos ? j : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool label_matches(const std::map<std::string, std::string>& labels, std::string_view want) {
  auto eq = want.find('=');
  auto it = labels.find(std::string(want.substr(0, eq)));
  return it != labels.end() && (eq == std::string_view::npos || it->second == want.substr(eq + 1));
}

std::string random_hex(size_t n) {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<unsigned long>(::getpid()));
  std::string out;
  while (out.size() < n) out += fmt::format("{:016x}", rng());
  return out.substr(0, n);
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); j++) row[j] = j;
  for (size_t i = 1; i <= a.size(); i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); j++) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace berth

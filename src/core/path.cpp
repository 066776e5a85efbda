#include "berth/core/path.hpp"

#include <vector>

namespace berth {

std::string clean_path(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    i = j + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  if (parts.empty()) return "/";
  std::string out;
  for (auto c : parts) {
    out += '/';
    out += c;
  }
  return out;
}

bool path_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

size_t path_depth(std::string_view cleaned) {
  size_t n = 0;
  for (char c : cleaned) n += c == '/';
  return cleaned == "/" ? 0 : n;
}

Result<std::string> check_mount_destination(std::string_view dst, std::string_view what) {
  if (dst.empty() || dst[0] != '/')
    return fail(Errc::usage, "invalid {}: the destination \"{}\" must be an absolute path", what, dst);
  std::string d = clean_path(dst);
  if (d == "/") return fail(Errc::usage, "invalid {}: cannot mount over the container's root directory", what);
  // lxcfs and friends bind these over procfs files; runc allows exactly them.
  static constexpr std::string_view kProcFiles[] = {"/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo",
                                                    "/proc/stat",    "/proc/swaps",     "/proc/uptime",
                                                    "/proc/loadavg", "/proc/slabinfo",  "/proc/net/dev"};
  if (path_within(d, "/proc")) {
    for (auto f : kProcFiles)
      if (d == f) return d;
    return fail(Errc::usage, "invalid {}: \"{}\" cannot be mounted because it is inside /proc", what, d);
  }
  if (d == "/sys") return fail(Errc::usage, "invalid {}: cannot mount over /sys (it would hide sysfs)", what);
  return d;
}

}  // namespace berth

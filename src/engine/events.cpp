#include "berth/engine/events.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "container_record.hpp"

namespace berth::engine {

namespace {

constexpr const char* kDir = "events";
constexpr const char* kFile = "events/events.log";

struct Filter {
  std::string key, value;
};

Result<std::vector<Filter>> parse_filters(const std::vector<std::string>& raw) {
  std::vector<Filter> out;
  for (const auto& f : raw) {
    auto eq = f.find('=');
    if (eq == std::string::npos) return fail(Errc::usage, "invalid filter \"{}\": expected key=value", f);
    Filter x{f.substr(0, eq), f.substr(eq + 1)};
    if (x.key != "container" && x.key != "image" && x.key != "event" && x.key != "type" && x.key != "label")
      return fail(Errc::usage, "invalid filter \"{}\": use container=, image=, event=, type= or label=", x.key);
    out.push_back(x);
  }
  return out;
}

bool matches(const Json& e, const std::vector<Filter>& filters) {
  std::map<std::string, bool> by_key;
  for (const auto& f : filters) {
    bool m = false;
    std::string id = json_str(e, "ID");
    if (f.key == "container") m = json_str(e, "Type") == "container" && (json_str(e, "Name") == f.value || (!f.value.empty() && id.starts_with(f.value)));
    else if (f.key == "image") m = json_str(e, "Image") == f.value || json_str(e, "Image").ends_with("/" + f.value) ||
                                   json_str(e, "Image").find("/" + f.value + ":") != std::string::npos ||
                                   (json_str(e, "Type") == "image" && (json_str(e, "Name") == f.value || id.starts_with(f.value)));
    else if (f.key == "event") m = json_str(e, "Status") == f.value;
    else if (f.key == "type") m = json_str(e, "Type") == f.value;
    else if (f.key == "label") {
      auto eq = f.value.find('=');
      const Json& attrs = json_obj(e, "Attributes");
      std::string k = f.value.substr(0, eq);
      m = attrs.is_object() && attrs.contains(k) && (eq == std::string::npos || json_str(attrs, k) == f.value.substr(eq + 1));
    }
    by_key[f.key] = by_key[f.key] || m;
  }
  for (const auto& [k, m] : by_key)
    if (!m) return false;
  return true;
}

}  // namespace

void emit_event(const store::Store& s, std::string_view type, std::string_view status, std::string_view id,
                std::string_view name, std::string_view image, const Json& attributes) {
  Json e = {{"ID", id},     {"Image", image}, {"Name", name}, {"Status", status},
            {"Type", type}, {"Time", detail::now_ns()}};
  if (attributes.is_object() && !attributes.empty()) e["Attributes"] = attributes;
  std::string line = dump_json(e) + "\n";
  (void)sys::ensure_dir(s.runroot(), kDir, 0700);
  // One write() of one line to an O_APPEND file: parallel writers never interleave lines.
  int fd = ::openat(s.runroot(), kFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    log::debug("events: {}", errno_text(errno));
    return;
  }
  sys::UniqueFd g(fd);
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) log::warn("events: short write");
}

Result<void> read_events(Context& c, const EventsOptions& o, const std::function<void(const Json&)>& out) {
  auto filters = TRY(parse_filters(o.filters));
  TRY(sys::ensure_dir(c.store.runroot(), kDir, 0700));
  int fd = ::openat(c.store.runroot(), kFile, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail_errno("open the events file");
  sys::UniqueFd g(fd);
  std::string pending;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) return fail_errno("read the events file");
    if (n > 0) {
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        auto e = parse_json(line, "event");
        if (!e || !e->is_object()) continue;  // a torn line of a writer killed mid-write
        std::int64_t t = json_int(*e, "Time");
        if (o.since_ns && t < *o.since_ns) continue;
        if (o.until_ns && t > *o.until_ns) continue;
        if (matches(*e, filters)) out(*e);
      }
      continue;
    }
    if (!o.stream) return {};
    if (o.until_ns && detail::now_ns() > *o.until_ns) return {};
    ::usleep(100000);
  }
}

}  // namespace berth::engine

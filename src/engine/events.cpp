#include "berth/engine/events.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/store/containers.hpp"
#include "filters.hpp"

namespace berth::engine {

namespace {

constexpr const char* kDir = "events";
constexpr const char* kFile = "events/events.log";

bool matches(const Json& e, const std::vector<detail::KeyFilter>& filters) {
  return detail::match_key_filters(filters, [&](const detail::KeyFilter& f) {
    std::string id = json_str(e, "ID"), image = json_str(e, "Image");
    if (f.key == "container")
      return json_str(e, "Type") == "container" &&
             (json_str(e, "Name") == f.value || (!f.value.empty() && id.starts_with(f.value)));
    if (f.key == "image")
      return image == f.value || image.ends_with("/" + f.value) ||
             image.find("/" + f.value + ":") != std::string::npos ||
             (json_str(e, "Type") == "image" && !f.value.empty() && id.starts_with(f.value));
    if (f.key == "event") return json_str(e, "Status") == f.value;
    if (f.key == "type") return json_str(e, "Type") == f.value;
    auto eq = f.value.find('=');  // label
    const Json& attrs = json_obj(e, "Attributes");
    std::string k = f.value.substr(0, eq);
    return attrs.is_object() && attrs.contains(k) &&
           (eq == std::string::npos || json_str(attrs, k) == f.value.substr(eq + 1));
  });
}

}  // namespace

void emit_event(const store::Store& s, std::string_view type, std::string_view status, std::string_view id,
                std::string_view name, std::string_view image, const Json& attributes, const Json& fields) {
  Json e = {{"ID", id},         {"Image", image}, {"Name", name},
            {"Status", status}, {"Type", type},   {"Time", store::now_ns()}};
  if (fields.is_object())
    for (const auto& [k, v] : fields.items()) e[k] = v;
  if (attributes.is_object() && !attributes.empty()) e["Attributes"] = attributes;
  std::string line = dump_json(e) + "\n";
  // One write() of one line to an O_APPEND file: parallel writers never interleave lines.
  // The directory is made only the first time (the run path pays one openat, not a mkdir too).
  constexpr int kFlags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
  int fd = ::openat(s.runroot(), kFile, kFlags, 0600);
  if (fd < 0 && errno == ENOENT && sys::ensure_dir(s.runroot(), kDir, 0700))
    fd = ::openat(s.runroot(), kFile, kFlags, 0600);
  if (fd < 0) {
    log::debug("events: {}", errno_text(errno));
    return;
  }
  sys::UniqueFd g(fd);
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) log::warn("events: short write");
}

std::optional<int> died_exit_code(const store::Store& s, std::string_view id) {
  int fd = ::openat(s.runroot(), kFile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  sys::UniqueFd g(fd);
  auto text = sys::read_all(fd, 256 << 20);
  if (!text) return std::nullopt;
  std::optional<int> code;
  size_t at = 0;
  while ((at = text->find(id, at)) != std::string::npos) {  // only the lines that name it are parsed
    size_t begin = text->rfind('\n', at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    size_t end = text->find('\n', at);
    if (end == std::string::npos) end = text->size();
    at = end;
    auto e = parse_json(std::string_view(*text).substr(begin, end - begin), "event");
    if (!e || json_str(*e, "ID") != id || json_str(*e, "Status") != "died") continue;
    const std::string c = json_str(json_obj(*e, "Attributes"), "containerExitCode");
    if (!c.empty() && c.find_first_not_of("0123456789") == std::string::npos) code = std::stoi(c);
  }
  return code;
}

Result<void> read_events(Context& c, const EventsOptions& o, const std::function<void(const Json&)>& out) {
  auto filters = TRY(detail::parse_key_filters(o.filters, {"container", "image", "event", "type", "label"}));
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
    if (o.until_ns && store::now_ns() > *o.until_ns) return {};
    ::usleep(100000);
  }
}

}  // namespace berth::engine

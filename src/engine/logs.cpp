// logs: reads the k8s-file log a detached container's monitor writes
// ("<RFC3339Nano> <stdout|stderr> <F|P> <text>"), optionally following it.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <thread>

#include "berth/core/humanize.hpp"
#include "berth/engine/run.hpp"
#include "berth/sys/file.hpp"
#include "berth/store/containers.hpp"
#include "journal.hpp"

namespace berth::engine {

namespace {

struct LogLine {
  std::int64_t ns = 0;
  std::string ts;
  bool err = false;
  bool full = true;
  std::string text;
};

bool parse_line(std::string_view l, LogLine& out) {
  auto a = l.find(' ');
  if (a == std::string_view::npos) return false;
  auto b = l.find(' ', a + 1);
  if (b == std::string_view::npos || b + 2 > l.size()) return false;
  out.ts = std::string(l.substr(0, a));
  out.err = l.substr(a + 1, b - a - 1) == "stderr";
  out.full = l[b + 1] == 'F';
  out.text = b + 3 <= l.size() ? std::string(l.substr(b + 3)) : "";
  std::int64_t s = 0;
  if (!parse_rfc3339(out.ts, s)) return false;
  long frac = 0;
  auto dot = out.ts.find('.');
  if (dot != std::string::npos) {
    std::string digits;
    for (size_t i = dot + 1; i < out.ts.size() && isdigit(static_cast<unsigned char>(out.ts[i])); i++)
      digits += out.ts[i];
    digits.resize(9, '0');
    frac = std::atol(digits.c_str());
  }
  out.ns = s * 1000000000 + frac;
  return true;
}

class Printer {
 public:
  Printer(const LogsOptions& o, std::string prefix) : o_(o), prefix_(std::move(prefix)) {}
  void print(const LogLine& l) {
    if (o_.since_ns && l.ns < *o_.since_ns) return;
    if (o_.until_ns && l.ns > *o_.until_ns) return;
    bool& at_start = l.err ? err_start_ : out_start_;
    std::string s;
    if (at_start) s = prefix_;
    if (o_.timestamps && at_start) s += l.ts + " ";
    s += l.text;
    if (l.full) s += "\n";
    at_start = l.full;
    (void)sys::write_all(l.err ? 2 : 1, s);
  }

 private:
  const LogsOptions& o_;
  std::string prefix_;  // "ID " when several containers' lines are merged
  bool out_start_ = true, err_start_ = true;
};

// Reads whole lines from `fd` into `pending`; keeps a cut last line for the next read.
void read_lines(int fd, std::string& carry, std::deque<LogLine>& out) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    carry.append(buf, static_cast<size_t>(n));
  }
  size_t start = 0;
  while (true) {
    auto nl = carry.find('\n', start);
    if (nl == std::string::npos) break;
    LogLine l;
    if (parse_line(std::string_view(carry).substr(start, nl - start), l)) out.push_back(std::move(l));
    start = nl + 1;
  }
  carry.erase(0, start);
}

// The last N complete lines (a partial line belongs to the full line it ends).
void keep_tail(std::deque<LogLine>& lines, std::optional<long> tail) {
  if (!tail) return;
  long full = 0;
  size_t keep_from = lines.size();
  while (keep_from > 0 && full < *tail) {
    keep_from--;
    if (lines[keep_from].full) full++;
  }
  if (*tail == 0) keep_from = lines.size();
  while (keep_from > 0 && !lines[keep_from - 1].full) keep_from--;
  lines.erase(lines.begin(), lines.begin() + static_cast<long>(keep_from));
}

bool still_running(Context& c, const std::string& id) {
  auto now = store::read_container(c.store, id);
  return now && now->state.alive();
}

// --log-driver journald: the same output, from the container's journal entries.
Result<void> journal_logs(Context& c, const std::string& id, const LogsOptions& o) {
  auto journal = TRY(detail::JournalReader::open(id));
  Printer p(o, "");
  auto convert = [](std::vector<detail::JournalEntry> entries) {
    std::deque<LogLine> lines;
    for (auto& e : entries)
      lines.push_back(LogLine{e.ns, rfc3339_utc(e.ns / 1000000000, static_cast<long>(e.ns % 1000000000)), e.err, true,
                              std::move(e.text)});
    return lines;
  };
  auto lines = convert(journal->read_new());
  keep_tail(lines, o.tail);
  for (const auto& l : lines) p.print(l);
  if (!o.follow) return {};
  while (true) {
    bool running = still_running(c, id);
    for (const auto& l : convert(journal->read_new())) p.print(l);
    if (!running) return {};
    journal->wait(100);
  }
}

// One container's k8s-file log, read as it grows.
struct Source {
  std::string id, path;
  sys::UniqueFd fd;
  std::string carry;
  std::unique_ptr<Printer> printer;

  void read(std::deque<std::pair<LogLine, Source*>>& out) {
    if (!fd) fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return;
    std::deque<LogLine> lines;
    read_lines(fd.get(), carry, lines);
    for (auto& l : lines) out.emplace_back(std::move(l), this);
  }
};

Result<Source> open_source(Context& c, const std::string& key, const LogsOptions& o, bool several) {
  Source s;
  s.id = TRY(container_id(c, key));
  auto rec = TRY(store::read_container(c.store, s.id));
  const std::string& driver = rec.config.log_driver;
  if (driver == "none" || driver == "passthrough")
    return fail(Errc::unsupported,
                "this container is using the '{}' log driver, cannot read logs: this container is not logging output",
                driver);
  if (driver == "journald" && several)
    return fail(Errc::unsupported, "logs of several containers: {} logs to journald; ask for it alone", key);
  s.path = store::container_dir(c.store, s.id) + "/ctr.log";
  for (const auto& opt : rec.config.log_opt)
    if (opt.starts_with("path=")) s.path = opt.substr(5);
  s.fd.reset(::open(s.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!s.fd && errno != ENOENT) return fail_errno("open {}", s.path);
  std::string prefix = o.names ? rec.config.name + " " : several ? s.id.substr(0, 12) + " " : "";
  s.printer = std::make_unique<Printer>(o, prefix);
  return s;
}

// Every source's new lines, in time order (each container's own order kept).
void print_merged(std::deque<std::pair<LogLine, Source*>>& lines) {
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first.ns < b.first.ns; });
  for (const auto& [l, s] : lines) s->printer->print(l);
  lines.clear();
}

}  // namespace

Result<void> container_logs(Context& c, const LogsOptions& o) {
  bool several = o.containers.size() > 1;
  if (!several) {
    std::string id = TRY(container_id(c, o.containers.at(0)));
    if (TRY(store::read_container(c.store, id)).config.log_driver == "journald") return journal_logs(c, id, o);
  }
  std::vector<Source> sources;
  for (const auto& k : o.containers) sources.push_back(TRY(open_source(c, k, o, several)));
  std::deque<std::pair<LogLine, Source*>> lines;
  for (auto& s : sources) {
    std::deque<std::pair<LogLine, Source*>> own;
    s.read(own);
    std::deque<LogLine> tail;
    for (auto& [l, src] : own) tail.push_back(std::move(l));
    keep_tail(tail, o.tail);
    for (auto& l : tail) lines.emplace_back(std::move(l), &s);
  }
  print_merged(lines);
  if (!o.follow) return {};
  std::vector<Source*> live;
  for (auto& s : sources) live.push_back(&s);
  while (!live.empty()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<Source*> ended;
    for (auto* s : live)
      if (!still_running(c, s->id)) ended.push_back(s);
    // read after the state: what the monitor wrote before it recorded the end is in
    for (auto* s : live) s->read(lines);
    print_merged(lines);
    std::erase_if(live, [&](Source* s) { return std::ranges::find(ended, s) != ended.end(); });
  }
  return {};
}

}  // namespace berth::engine

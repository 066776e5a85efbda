// stats (docs/ARCHITECTURE.md "Pause and stats"): one sample per container. A rootful container's numbers
// come from the berth cgroup every one of them has (memory less the inactive page cache, as
// docker and podman show it; CPU from cpuacct or cpu.stat); a rootless container has no cgroup
// of its own on this kind of host, so its numbers are summed over its processes from /proc
// (resident memory, utime + stime, read/write bytes), where podman refuses.
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "berth/engine/run.hpp"
#include "berth/runtime/cgroup.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"

namespace berth::engine {

namespace {

std::string proc_text(pid_t pid, const char* file) {
  return sys::read_host_file(fmt::format("/proc/{}/{}", pid, file), 1 << 20).value_or("");
}

std::uint64_t host_memory() {
  auto mi = runtime::parse_keyed(sys::read_host_file("/proc/meminfo", 1 << 16).value_or(""));
  return mi["MemTotal:"] * 1024;
}

// The /proc fallback: the sum over the container's processes.
void sample_processes(pid_t init, ContainerStats& s) {
  long tick = ::sysconf(_SC_CLK_TCK), page = ::sysconf(_SC_PAGESIZE);
  for (pid_t p : sys::pid_namespace_members(init)) {
    std::string st = proc_text(p, "stat");
    auto close = st.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream f(st.substr(close + 2));  // from field 3 (state)
    std::vector<std::string> v;
    for (std::string x; f >> x;) v.push_back(x);
    if (v.size() < 18) continue;
    // fields 14, 15 (utime, stime) and 20 (threads), counted from field 3
    s.cpu_ns += (std::stoull(v[11]) + std::stoull(v[12])) * 1000000000ULL / static_cast<std::uint64_t>(tick);
    s.pids += std::stoull(v[17]);
    std::istringstream m(proc_text(p, "statm"));
    std::uint64_t size = 0, resident = 0;
    if (m >> size >> resident) s.mem_usage += resident * static_cast<std::uint64_t>(page);
    auto io = runtime::parse_keyed(proc_text(p, "io"));
    s.block_in += io["read_bytes:"];
    s.block_out += io["write_bytes:"];
  }
}

ContainerStats sample(const store::ContainerRecord& r) {
  ContainerStats s;
  s.id = r.id;
  s.name = r.config.name;
  s.pod = r.config.pod;
  s.sampled_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  if (!r.state.alive()) return s;
  s.running = true;
  pid_t pid = r.state.pid;
  auto now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  s.up_ns = r.state.started > 0 ? now - r.state.started : 0;
  auto cg = runtime::cgroup_stats_of(pid);
  if (cg.memory && cg.cpu_ns) {
    s.mem_usage = *cg.memory;
    s.cpu_ns = *cg.cpu_ns;
    s.pids = cg.pids.value_or(0);
    s.block_in = cg.block_read;
    s.block_out = cg.block_write;
    if (cg.memory_limit) s.mem_limit = *cg.memory_limit;
  } else {
    sample_processes(pid, s);
  }
  std::uint64_t host = host_memory();
  if (s.mem_limit == 0 || (host && s.mem_limit > host)) s.mem_limit = host;
  if (r.config.network != "host") std::tie(s.net_in, s.net_out) = parse_net_dev(proc_text(pid, "net/dev"));
  return s;
}

}  // namespace

std::pair<std::uint64_t, std::uint64_t> parse_net_dev(const std::string& text) {
  std::uint64_t rx = 0, tx = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    name.erase(0, name.find_first_not_of(' '));
    if (name == "lo" || name.find('|') != std::string::npos) continue;
    std::istringstream f(line.substr(colon + 1));
    std::vector<std::uint64_t> v;
    for (std::uint64_t x; f >> x;) v.push_back(x);
    if (v.size() < 9) continue;
    rx += v[0];
    tx += v[8];
  }
  return {rx, tx};
}

Result<std::vector<ContainerStats>> container_stats(Context& c, const std::vector<std::string>& names, bool all) {
  std::vector<store::ContainerRecord> recs;
  {
    auto lock = TRY(c.store.read_lock());
    if (names.empty())
      for (auto& r : TRY(store::read_containers(c.store))) {
        if (all || r.state.alive()) recs.push_back(std::move(r));
      }
    for (const auto& n : names) {
      auto id = TRY(store::resolve_container(c.store, n));
      recs.push_back(TRY(store::read_container(c.store, id)));
    }
  }
  std::vector<ContainerStats> out;
  for (const auto& r : recs) out.push_back(sample(r));
  return out;
}

}  // namespace berth::engine

// stats, pod stats.
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/engine/pod.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

struct StatsFlags {
  bool all = false, no_stream = false, no_reset = false, no_trunc = false;
  std::string format;
  int interval = 5;
};

std::string percent(double v) { return fmt::format("{:.2f}%", v); }

std::string pair_text(std::uint64_t a, std::uint64_t b) {
  return human_size(static_cast<double>(a), false, 4) + " / " + human_size(static_cast<double>(b), false, 4);
}

// CPU % since the previous sample of the same container (the first: since it started).
double cpu_percent(const engine::ContainerStats& s, std::map<std::string, engine::ContainerStats>& prev) {
  double pct = s.up_ns > 0 ? 100.0 * static_cast<double>(s.cpu_ns) / static_cast<double>(s.up_ns) : 0;
  if (auto it = prev.find(s.id);
      it != prev.end() && s.sampled_ns > it->second.sampled_ns && s.cpu_ns >= it->second.cpu_ns)
    pct = 100.0 * static_cast<double>(s.cpu_ns - it->second.cpu_ns) /
          static_cast<double>(s.sampled_ns - it->second.sampled_ns);
  prev[s.id] = s;
  return pct;
}

std::pair<Json, Json> stats_row(const engine::ContainerStats& s, double cpu, bool no_trunc) {
  double avg = s.up_ns > 0 ? 100.0 * static_cast<double>(s.cpu_ns) / static_cast<double>(s.up_ns) : 0;
  double mem = s.mem_limit ? 100.0 * static_cast<double>(s.mem_usage) / static_cast<double>(s.mem_limit) : 0;
  auto shown = [&](const std::string& v) { return s.running ? v : std::string("--"); };
  std::string id = no_trunc ? s.id : s.id.substr(0, 12);
  Json row = {{"ID", id},
              {"ContainerID", s.id},
              {"CID", id},
              {"Name", s.name},
              {"Pod", no_trunc ? s.pod : s.pod.substr(0, 12)},
              {"CPUPerc", shown(percent(cpu))},
              {"CPU", cpu},
              {"AVGCPU", shown(percent(avg))},
              {"CPUNano", s.cpu_ns},
              {"UpTime", shown(go_duration(static_cast<std::int64_t>(s.cpu_ns)))},
              {"MemUsage", shown(pair_text(s.mem_usage, s.mem_limit))},
              {"MemUsageBytes", shown(fmt::format("{} / {}", human_size(static_cast<double>(s.mem_usage)),
                                                  human_size(static_cast<double>(s.mem_limit))))},
              {"MemLimit", s.mem_limit},
              {"MemPerc", shown(percent(mem))},
              {"Mem", shown(percent(mem))},
              {"NetInput", s.net_in},
              {"NetOutput", s.net_out},
              {"NetIO", shown(pair_text(s.net_in, s.net_out))},
              {"BlockInput", s.block_in},
              {"BlockOutput", s.block_out},
              {"BlockIO", shown(pair_text(s.block_in, s.block_out))},
              {"PIDS", shown(std::to_string(s.pids))},
              {"PIDs", s.pids}};
  Json j = {{"id", id},
            {"name", s.name},
            {"cpu_time", row["UpTime"]},
            {"cpu_percent", row["CPUPerc"]},
            {"avg_cpu", row["AVGCPU"]},
            {"mem_usage", row["MemUsage"]},
            {"mem_percent", row["MemPerc"]},
            {"net_io", row["NetIO"]},
            {"block_io", row["BlockIO"]},
            {"pids", row["PIDS"]}};
  if (!s.pod.empty()) j["pod"] = row["Pod"];
  return {row, j};
}

const Json kTitles = {{"CPUPerc", "CPU %"},    {"MemUsage", "MEM USAGE / LIMIT"},
                      {"MemPerc", "MEM %"},    {"NetIO", "NET IO"},
                      {"BlockIO", "BLOCK IO"}, {"UpTime", "CPU TIME"},
                      {"AVGCPU", "AVG CPU %"}, {"Mem", "MEM %"},
                      {"CPU", "CPU %"},        {"MemUsageBytes", "MEM USAGE / LIMIT"}};

// Samples with `fetch` every interval until interrupted (once with --no-stream); on a
// terminal each table replaces the last, as podman's.
Result<int> stats_loop(const StatsFlags& f, const std::string& table,
                       const std::function<Result<std::vector<engine::ContainerStats>>()>& fetch) {
  if (f.interval < 1) return fail(Errc::usage, "stats interval must be at least 1 second");
  std::map<std::string, engine::ContainerStats> prev;
  bool tty = ::isatty(STDOUT_FILENO) == 1;
  for (;;) {
    auto stats = TRY(fetch());
    std::vector<Json> rows;
    Json json_rows = Json::array();
    for (const auto& s : stats) {
      auto [row, j] = stats_row(s, cpu_percent(s, prev), f.no_trunc);
      rows.push_back(row);
      json_rows.push_back(j);
    }
    if (tty && !f.no_stream && !f.no_reset) fmt::print("\033[2J\033[H");
    TRY(print_rows(rows, json_rows, f.format, table, kTitles));
    std::fflush(stdout);
    if (f.no_stream) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(f.interval));
  }
}

void add_stats_flags(CLI::App* sub, StatsFlags& f, const char* all_help) {
  sub->add_flag("-a,--all", f.all, all_help);
  sub->add_flag("--no-stream", f.no_stream, "Disable streaming stats and only pull the first result");
  sub->add_flag("--no-reset", f.no_reset, "Disable resetting the screen between intervals");
  sub->add_flag("--no-trunc", f.no_trunc, "Do not truncate output");
  sub->add_option("--format", f.format, "Pretty-print container statistics to JSON or using a Go template");
  sub->add_option("-i,--interval", f.interval, "Time in seconds between stats reports")->capture_default_str();
}

}  // namespace

void add_stats(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto f = r.keep(std::make_shared<StatsFlags>());
  add_stats_flags(sub, *f, "Show all containers. Only running containers are shown by default.");
  sub->add_option("containers", *names, "Containers to show");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (f->all && !names->empty()) return fail(Errc::usage, "--all and container names cannot be used together");
    auto c = TRY(engine::open_context(g));
    return stats_loop(*f,
                      "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t"
                      "{{.PIDS}}\t{{.UpTime}}\t{{.AVGCPU}}",
                      [&] { return engine::container_stats(c, *names, f->all); });
  });
}

void add_pod_stats(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto f = r.keep(std::make_shared<StatsFlags>());
  add_stats_flags(sub, *f, "Provide stats for all pods");
  sub->add_option("pod", *names, "Pods to show");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (f->all && !names->empty()) return fail(Errc::usage, "--all and pod names cannot be used together");
    auto c = TRY(engine::open_context(g));
    auto fetch = [&]() -> Result<std::vector<engine::ContainerStats>> {
      std::vector<std::string> ids;
      std::vector<engine::PodRow> pods;
      if (names->empty())
        pods = TRY(engine::pod_list(c));
      else
        for (const auto& n : *names) pods.push_back(TRY(engine::pod_find(c, n)));
      for (const auto& p : pods)
        for (const auto& m : p.containers)
          if (m.state.alive()) ids.push_back(m.id);
      if (ids.empty()) return std::vector<engine::ContainerStats>{};
      return engine::container_stats(c, ids, false);
    };
    return stats_loop(*f,
                      "table {{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t"
                      "{{.BlockIO}}\t{{.PIDS}}",
                      fetch);
  });
}

}  // namespace berth::cli

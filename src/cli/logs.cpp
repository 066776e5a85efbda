// logs.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_logs(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::LogsOptions>());
  auto tail = r.keep(std::make_shared<long>(-1));
  auto since = r.keep(std::make_shared<std::string>());
  auto until = r.keep(std::make_shared<std::string>());
  sub->add_flag("-f,--follow", o->follow, "Follow log output");
  sub->add_flag("-t,--timestamps", o->timestamps, "Output the timestamps in the log");
  sub->add_option("--tail", *tail, "Output the specified number of lines at the end of the log (-1: all)");
  sub->add_option("--since", *since, "Show logs since TIMESTAMP");
  sub->add_option("--until", *until, "Show logs until TIMESTAMP");
  sub->add_flag("-n,--names", o->names, "Output the container name in the log");
  sub->add_option("container", o->containers, "Containers")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*tail >= 0) o->tail = *tail;
    if (!since->empty()) o->since_ns = TRY(parse_time(*since));
    if (!until->empty()) o->until_ns = TRY(parse_time(*until));
    auto c = TRY(engine::open_context(g));
    TRY(engine::container_logs(c, *o));
    return 0;
  });
}

}  // namespace berth::cli

// wait.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_wait(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto conditions = r.keep(std::make_shared<std::vector<std::string>>());
  auto interval = r.keep(std::make_shared<std::string>("250ms"));
  sub->add_option("--condition", *conditions, "Condition to wait on (running, created, exited, stopped)")
      ->allow_extra_args(false);
  sub->add_option("-i,--interval", *interval,
                  "Time interval to wait before polling for completion (250ms, 1s, or milliseconds)");
  sub->add_option("containers", *names, "Containers to wait for")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    int ms = 0;
    std::string iv = *interval;
    if (iv.ends_with("ms"))
      iv.resize(iv.size() - 2);
    else if (iv.ends_with("s"))
      iv = iv.substr(0, iv.size() - 1) + "000";
    if (iv.empty() || iv.find_first_not_of("0123456789") != std::string::npos || iv.size() > 9)
      return fail(Errc::usage, "invalid --interval \"{}\"", *interval);
    ms = std::stoi(iv);
    auto c = TRY(engine::open_context(g));
    return print_report(TRY(engine::wait_containers(c, *names, *conditions, ms)));
  });
}

}  // namespace berth::cli

// top.
#include <fmt/format.h>

#include "berth/engine/run.hpp"
#include "berth/core/template.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_top(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto descriptors = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("container", *name, "Container")->required();
  sub->add_option("descriptors", *descriptors, "Format descriptors (pid,user,args,... as podman's)");
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [name, descriptors](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::string out;
    for (const auto& row : TRY(engine::container_top(c, *name, *descriptors))) {
      for (size_t i = 0; i < row.size(); i++) out += (i ? "\t" : "") + row[i];
      out += "\n";
    }
    fmt::print("{}", tabulate(out.substr(0, out.size() - 1)));
    return 0;
  });
}

}  // namespace berth::cli

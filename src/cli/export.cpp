// export.

#include "berth/engine/changes.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_export(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto output = r.keep(std::make_shared<std::string>());
  sub->add_option("-o,--output", *output, "Write to a specified file (default: stdout, which must be redirected)");
  sub->add_option("container", *name, "Container")->required();
  r.on(sub, [name, output](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::export_container(c, *name, *output));
    return 0;
  });
}

}  // namespace berth::cli

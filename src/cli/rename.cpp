// rename.

#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_rename(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("args", *args, "CONTAINER NEW_NAME")->required()->expected(2);
  r.on(sub, [args](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::rename_container(c, (*args)[0], (*args)[1]));
    return 0;
  });
}

}  // namespace berth::cli

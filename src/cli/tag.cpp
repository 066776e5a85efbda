// tag, untag.

#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_tag(CommandTable& r, CLI::App* sub, bool untag) {
  if (!r.wanted(sub)) return;
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("args", *args, untag ? "IMAGE [NAME...]" : "IMAGE TARGET_NAME [TARGET_NAME...]")->required();
  r.on(sub, [args, untag](engine::GlobalOptions& g) -> Result<int> {
    if (!untag && args->size() < 2) return fail(Errc::usage, "at least two arguments are required");
    auto c = TRY(engine::open_context(g));
    std::vector<std::string> rest(args->begin() + 1, args->end());
    if (untag)
      TRY(engine::untag_image(c, args->front(), rest));
    else
      TRY(engine::tag_image(c, args->front(), rest));
    return 0;
  });
}

}  // namespace berth::cli

// rmi, image rm.
#include <fmt/format.h>

#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_rmi(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::RmiOptions>());
  sub->add_flag("-f,--force", o->force, "Force removal of the image");
  sub->add_flag("-a,--all", o->all, "Remove all images");
  auto ignore = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-i,--ignore", *ignore, "Ignore errors if a specified image does not exist");
  sub->add_option("images", o->images, "Images to remove");
  r.on(sub, [o, ignore](engine::GlobalOptions& g) -> Result<int> {
    if (o->images.empty() && !o->all) return fail(Errc::usage, "image name or ID must be specified");
    if (!o->images.empty() && o->all)
      return fail(Errc::usage, "when using the --all switch, you may not pass any images names or IDs");
    auto c = TRY(engine::open_context(g));
    auto rep = TRY(engine::remove_images(c, *o));
    // --ignore, and --force as podman's: an image that is not there is no error
    if (*ignore || o->force) std::erase_if(rep.errors, [](const Error& e) { return e.code == Errc::not_found; });
    for (const auto& u : rep.untagged) fmt::print("Untagged: {}\n", u);
    for (const auto& d : rep.deleted) fmt::print("Deleted: {}\n", d.hex());
    return report_item_errors(rep.errors);
  });
}

}  // namespace berth::cli

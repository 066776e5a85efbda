// image exists, container exists.

#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_container_exists(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("container", *name, "Container")->required();
  auto external = r.keep(std::make_shared<bool>(false));
  sub->add_flag("--external", *external, "Containers of other tools too (berth's store holds only its own)");
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto id = engine::container_id(c, *name);
    if (!id && id.error().code == Errc::not_found) return 1;  // podman: 0 exists, 1 not, 125 error
    if (!id) return std::unexpected(id.error());
    return 0;
  });
}

void add_image_exists(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("image", *name, "Image")->required();
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    return TRY(engine::image_exists(c, *name)) ? 0 : 1;  // podman: 0 exists, 1 not, 125 error
  });
}

}  // namespace berth::cli

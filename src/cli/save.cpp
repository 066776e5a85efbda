// save, image save.

#include "berth/engine/images.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_save(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::SaveRequest>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto multi = r.keep(std::make_shared<bool>(false));
  sub->add_option("-o,--output", req->output, "Write to a specified file (default: stdout)");
  sub->add_option("--format", req->format, "Save image to docker-archive, oci-archive or oci-dir");
  sub->add_flag("-q,--quiet", *quiet, "Suppress the output");
  sub->add_flag("-m,--multi-image-archive", *multi, "Interpret additional arguments as images not tags (always on)");
  auto uncompressed = r.keep(std::make_shared<bool>(false));
  sub->add_flag("--uncompressed", *uncompressed, "Accept uncompressed layers (berth writes layers as stored)");
  sub->add_option("images", req->images, "Images to save")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::save_images(c, *req));
    return 0;
  });
}

}  // namespace berth::cli

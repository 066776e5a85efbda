// load, save, import.
#include <unistd.h>

#include <fmt/format.h>

#include "berth/engine/images.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

void add_load(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto input = r.keep(std::make_shared<std::string>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  sub->add_option("-i,--input", *input, "Read from specified archive file or OCI layout directory (default: stdin)");
  sub->add_flag("-q,--quiet", *quiet, "Suppress the output");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (input->empty() && ::isatty(0))
      return fail(Errc::usage, "cannot read from terminal, use command-line redirection or the --input flag");
    auto c = TRY(engine::open_context(g));
    auto names = TRY(engine::load_images(c, {*input, !*quiet && ::isatty(2)}));
    for (const auto& n : names) fmt::print("Loaded image: {}\n", n);
    return 0;
  });
}

void add_save(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::SaveRequest>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto multi = r.keep(std::make_shared<bool>(false));
  sub->add_option("-o,--output", req->output, "Write to a specified file (default: stdout)");
  sub->add_option("--format", req->format, "Save image to docker-archive, oci-archive or oci-dir");
  sub->add_flag("-q,--quiet", *quiet, "Suppress the output");
  sub->add_flag("-m,--multi-image-archive", *multi, "Interpret additional arguments as images not tags (always on)");
  sub->add_option("images", req->images, "Images to save")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::save_images(c, *req));
    return 0;
  });
}

void add_import(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::ImportRequest>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("-c,--change", req->changes, "Apply the following possible instructions to the created image")->allow_extra_args(false);
  sub->add_option("-m,--message", req->message, "Set commit message for imported image");
  sub->add_flag("-q,--quiet", *quiet, "Suppress output");
  sub->add_option("args", *args, "FILE|- [REFERENCE]")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (args->size() > 2) return fail(Errc::usage, "too many arguments: import takes FILE|- [REFERENCE]");
    req->input = args->front();
    if (args->size() == 2) req->reference = (*args)[1];
    if (req->input == "-" && ::isatty(0)) return fail(Errc::usage, "cannot read from terminal, use command-line redirection");
    auto c = TRY(engine::open_context(g));
    auto id = TRY(engine::import_image(c, *req));
    fmt::print("{}\n", id.hex());  // -q changes nothing: the id is all import prints
    return 0;
  });
}

}  // namespace

void register_load_save_commands(CLI::App& app, Registry& r) {
  CLI::App* image = r.group("image");
  add_load(r, r.sub(&app, "load", "Load image(s) from a tar archive"));
  add_load(r, r.sub(image, "load", "Load image(s) from a tar archive"));
  add_save(r, r.sub(&app, "save", "Save image(s) to an archive"));
  add_save(r, r.sub(image, "save", "Save image(s) to an archive"));
  add_import(r, r.sub(&app, "import", "Import a tarball to create a filesystem image"));
  add_import(r, r.sub(image, "import", "Import a tarball to create a filesystem image"));
}

}  // namespace berth::cli

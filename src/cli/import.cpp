// import, image import.
#include <fmt/format.h>
#include <unistd.h>

#include "berth/engine/images.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_import(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto req = r.keep(std::make_shared<engine::ImportRequest>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("-c,--change", req->changes, "Apply the following possible instructions to the created image")
      ->allow_extra_args(false);
  sub->add_option("-m,--message", req->message, "Set commit message for imported image");
  sub->add_flag("-q,--quiet", *quiet, "Suppress output");
  sub->add_option("args", *args, "FILE|- [REFERENCE]")->required();
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (args->size() > 2) return fail(Errc::usage, "too many arguments: import takes FILE|- [REFERENCE]");
    req->input = args->front();
    if (args->size() == 2) req->reference = (*args)[1];
    if (req->input == "-" && ::isatty(0))
      return fail(Errc::usage, "cannot read from terminal, use command-line redirection");
    auto c = TRY(engine::open_context(g));
    auto id = TRY(engine::import_image(c, *req));
    fmt::print("{}\n", id.hex());  // -q changes nothing: the id is all import prints
    return 0;
  });
}

}  // namespace berth::cli

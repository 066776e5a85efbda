// load, image load.
#include <fmt/format.h>
#include <unistd.h>

#include "berth/engine/images.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_load(CommandTable& r, CLI::App* sub) {
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

}  // namespace berth::cli

// commit.
#include <fmt/format.h>

#include "berth/engine/changes.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_commit(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::CommitRequest>());
  auto quiet = r.keep(std::make_shared<bool>(false));
  sub->add_option("-c,--change", o->changes, "Apply the following possible instructions to the created image")
      ->allow_extra_args(false);
  sub->add_option("-m,--message", o->message, "Set commit message for imported image");
  sub->add_option("-a,--author", o->author, "Set the author for the image committed");
  sub->add_flag("-q,--quiet", *quiet, "Suppress output");
  sub->add_flag("-p,--pause", o->pause, "Pause container during commit");
  sub->add_flag("-s,--squash", o->squash, "Squash newly built layers into a single new layer");
  sub->add_option("container", o->container, "Container")->required();
  sub->add_option("image", o->image, "Name of the new image");
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto id = TRY(engine::commit_container(c, *o));
    fmt::print("{}\n", id.hex());
    return 0;
  });
}

}  // namespace berth::cli

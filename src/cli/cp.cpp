// cp.

#include "berth/engine/changes.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_cp(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::CopyRequest>());
  sub->add_flag("-a,--archive", o->archive, "Chown copied files to the primary uid/gid of the destination container");
  sub->add_flag("-L,--follow-link", o->follow, "Follow a symlink given as the source");
  auto pause = r.keep(std::make_shared<bool>(true));
  sub->add_option("--pause", *pause, "Pause the container while copying (accepted; berth copies without pausing)")
      ->expected(0, 1)
      ->default_str("true");
  sub->add_option("src", o->src, "CONTAINER:PATH, a host path, or - for a tar on stdin")->required();
  sub->add_option("dst", o->dst, "CONTAINER:PATH, a host path, or - for a tar on stdout")->required();
  // Rootless: a running container is reached in its own user namespace (as exec does).
  sub->parse_complete_callback([&r]() { r.joins_container_userns = true; });
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    TRY(engine::copy_files(c, *o));
    return 0;
  });
}

}  // namespace berth::cli

// build, image build.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "berth/engine/build.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_build(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::BuildOptions>());
  auto cf = r.keep(std::make_shared<ClientFlags>());
  auto force_rm = r.keep(std::make_shared<bool>(false));
  auto rm = r.keep(std::make_shared<bool>(true));
  auto pf = r.keep(std::make_shared<PlatformFlags>());
  add_client_flags(sub, o->pull_base.client, *cf, true);
  add_platform_flags(sub, o->pull_base, *pf);
  sub->add_option("-t,--tag", o->tags, "Name and optionally a tag (NAME[:TAG]) for the image")->allow_extra_args(false);
  sub->add_option("-f,--file", o->file, "Containerfile to read (a path, or - for stdin)");
  sub->add_option("--build-arg", o->build_args, "ARG=VALUE to give the build (or ARG: this environment's value)")
      ->allow_extra_args(false);
  sub->add_option("--build-arg-file", o->build_arg_files, "File of ARG=VALUE lines")->allow_extra_args(false);
  sub->add_option("--target", o->target, "The stage to build (and those it needs)");
  sub->add_option("--layers", o->layers, "Cache each step's image and reuse it (default true)");
  sub->add_flag("--no-cache", o->no_cache, "Do not use cached steps");
  sub->add_option("--pull", o->pull, "Pull policy for FROM's images (always, missing, never, newer)");
  sub->add_flag("-q,--quiet", o->quiet, "Print only the image id");
  sub->add_option("--iidfile", o->iidfile, "Write the image id to this file");
  sub->add_option("--label", o->labels, "Set a label on the image (KEY=VALUE)")->allow_extra_args(false);
  sub->add_option("--annotation", o->annotations, "Set an annotation in the image's manifest (KEY=VALUE)")
      ->allow_extra_args(false);
  sub->add_option("--env", o->env, "Set an environment variable in the image (KEY=VALUE)")->allow_extra_args(false);
  sub->add_option("--network", o->network, "Network for RUN (private, none, host)");
  sub->add_option("-v,--volume", o->volumes, "Bind mount for RUN (SRC:DST[:ro])")->allow_extra_args(false);
  sub->add_option("--cap-add", o->cap_add, "Add capabilities for RUN")->allow_extra_args(false);
  sub->add_option("--cap-drop", o->cap_drop, "Drop capabilities for RUN")->allow_extra_args(false);
  sub->add_option("--secret", o->secrets, "A secret for RUN --mount=type=secret (id=ID,src=PATH)")
      ->allow_extra_args(false);
  o->jobs = static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
  sub->add_option("--jobs", o->jobs, "How many stages to build at once (default: the number of CPUs)");
  sub->add_option("--timestamp", o->timestamp,
                  "Seconds since the epoch for the image's times and its files' (a reproducible build)");
  sub->add_flag("--squash-all", o->squash_all, "Squash the whole filesystem into one layer");
  sub->add_flag("--squash", o->squash, "Squash the new layers (not the base image's) into one");
  sub->add_flag("--omit-history", o->omit_history, "Write the image with no history entries");
  sub->add_option("--format", o->format, "Image format (oci or docker)");
  sub->add_option("--ignorefile", o->ignorefile, "The ignore file (default: .containerignore, else .dockerignore)");
  sub->add_option("--rm", *rm, "Remove RUN's containers after each step (always true)");
  sub->add_flag("--force-rm", *force_rm, "Remove RUN's containers even when a step fails (always)");
  sub->add_option("context", o->context, "The context directory (default: .); - reads a Containerfile from stdin");
  r.on(sub, [o, cf, pf](engine::GlobalOptions& g) -> Result<int> {
    if (o->format != "oci" && o->format != "docker")
      return fail(Errc::usage, "unrecognized image type \"{}\": use oci or docker", o->format);
    TRY(finish_client(*cf, o->pull_base.client));
    TRY(finish_platform(*pf, o->pull_base));
    auto c = TRY(engine::open_context(g));
    auto res = TRY(engine::build_image(c, *o, stdout));
    if (res.run_status != 0) {
      std::fflush(stdout);
      fmt::print(stderr, "Error: building at STEP \"{}\": while running runtime: exit status {}\n", res.failed_step,
                 res.run_status);
      return res.run_status;
    }
    return 0;
  });
}

}  // namespace berth::cli

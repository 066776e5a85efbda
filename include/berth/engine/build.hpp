// `berth build`: a Containerfile (or Dockerfile) and a context directory -> an image, as
// Podman's build does: stages, a layer cache, RUN through berth's own runtime.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "berth/engine/context.hpp"
#include "berth/engine/registry.hpp"

namespace berth::engine {

struct BuildOptions {
  std::string context = ".";  // a directory
  std::string file;           // -f: a path, "-" for stdin; empty: Containerfile, else Dockerfile, in the context
  std::string ignorefile;     // --ignorefile; empty: .containerignore, else .dockerignore, in the context
  std::vector<std::string> tags;
  std::vector<std::string> build_args;  // K=V, or K (this process's value)
  std::vector<std::string> build_arg_files;
  std::vector<std::string> labels;       // k=v, added to the final image
  std::vector<std::string> annotations;  // k=v, in the final image's manifest
  std::vector<std::string> env;          // --env k=v, added to the final image
  std::string target;
  std::string iidfile;
  std::string network = "private";
  std::vector<std::string> volumes, cap_add, cap_drop;
  std::vector<std::string> secrets;  // --secret id=ID,src=PATH (RUN --mount=type=secret)
  bool omit_history = false;
  long long timestamp = -1;  // >= 0: --timestamp (seconds): configs, history and file times
  int jobs = 1;              // stages that need none of each other built at once (the CLI's default: the CPUs)
  std::string pull = "missing";
  PullRequest pull_base;  // registry options for FROM's pulls
  bool layers = true;     // cache and reuse each step's image
  bool no_cache = false;  // build every step again (the cache still learns the new ones)
  bool quiet = false;     // only the image id
  bool squash_all = false;
  bool squash = false;  // the new layers (not the base image's) as one
  std::string format = "oci";
};

struct BuildResult {
  Digest id;
  int run_status = 0;       // a RUN that failed: its exit status (the build stopped there)
  std::string failed_step;  // its text, for "building at STEP ..."
};

// Output goes to `out` (STEP lines, COMMIT, --> ids; RUN's output goes to stdout/stderr).
Result<BuildResult> build_image(Context& c, const BuildOptions& o, std::FILE* out);

}  // namespace berth::engine

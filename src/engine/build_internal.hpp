// The parts of `berth build` shared by build.cpp (stages, instructions, cache), build_copy.cpp
// (COPY and ADD) and build_run.cpp (RUN's container).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "berth/core/containerfile.hpp"
#include "berth/core/json.hpp"
#include "berth/engine/build.hpp"
#include "berth/engine/registry.hpp"
#include "berth/image/commit.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/tempdir.hpp"

namespace berth::engine {

// A stage as far as it got: its image config in memory, the image it was last committed as,
// the ARGs in scope and the cache key of everything so far.
struct StageState {
  std::string name;
  std::optional<Digest> image;  // none: FROM scratch, nothing committed yet
  Json cfg;                     // the whole image config blob
  std::vector<ChainId> layers;
  size_t base_layers = 0;  // how many of them FROM's image has
  bool dirty = false;      // cfg changed since `image`
  std::string key;         // hex
  std::map<std::string, std::optional<std::string>> args;
  std::map<std::string, std::string> platform_args;
  std::vector<std::string> shell = {"/bin/sh", "-c"};
  bool cmd_set_here = false;

  // ENV first, then the ARGs in scope (Docker's order).
  std::optional<std::string> lookup(std::string_view k) const;
  std::vector<std::string> env() const;      // the config's Env
  std::vector<std::string> run_env() const;  // plus the ARGs with a value, for RUN
  std::string workdir() const;               // "/" when unset
  bool lookup_env_only(const std::string& k) const;
};

void set_env(Json& cfg, const std::string& key, const std::string& value);

// The proxy ARGs Docker predefines: RUN sees them without a declaration.
extern const std::set<std::string> kProxyArgs;
// The platform ARGs BuildKit predefines (TARGETPLATFORM, TARGETARCH, ..., BUILDPLATFORM, ...)
// for a build for `target` (its arch empty: this machine).
std::map<std::string, std::string> platform_args(const PullRequest& target);

// The file the user named (its error if it cannot be read), else the first of `defaults` that
// exists: its text and path; nothing when none does.
Result<std::optional<std::pair<std::string, std::string>>> read_first(const std::string& given,
                                                                      const std::vector<std::string>& defaults,
                                                                      std::string_view what);
// The Containerfile (-f, stdin for -, else the context's Containerfile or Dockerfile): its
// text and the name errors give it.
Result<std::pair<std::string, std::string>> read_containerfile(const BuildOptions& o);

// An image's filesystem to read: its one layer's directory, or its layers as a read-only
// overlay in a private mount namespace of this process's; an empty directory for none.
class ImageView {
 public:
  static Result<std::unique_ptr<ImageView>> open(Context& c, const std::optional<Digest>& image);
  // A writable overlay on the directory `lower` (RUN --mount=type=bind,rw): what is written
  // goes to an upper directory that is thrown away with the view.
  static Result<std::unique_ptr<ImageView>> scratch(Context& c, const std::string& lower);
  ~ImageView();
  ImageView(const ImageView&) = delete;
  ImageView& operator=(const ImageView&) = delete;
  int root() const { return root_.get(); }
  const std::string& path() const { return path_; }

 private:
  ImageView() = default;
  std::optional<sys::TempDir> dir_;
  std::string path_;
  sys::UniqueFd root_;
  bool mounted_ = false;
};

// RUN --mount=type=bind|cache|tmpfs|secret and --network, as the step's container takes them.
struct RunMounts {
  std::vector<std::string> volumes, tmpfs;
  std::vector<std::string> targets;               // absolute: removed from the layer when the image lacks them
  std::string network;                            // empty: the build's
  std::vector<sys::UniqueFd> fds;                 // bind sources, resolved inside their root (/proc/self/fd/N)
  std::vector<std::unique_ptr<ImageView>> views;  // the --from images they are in
};
// --from=NAME of a bind: an earlier stage's image, or an image (pulled as --pull says).
using FromResolver = std::function<Result<Digest>(const std::string&)>;
Result<RunMounts> run_mounts(Context& c, const BuildOptions& o, const StageState& st,
                             const std::vector<std::pair<std::string, std::string>>& flags,
                             const FromResolver& resolve_from);

struct StepContainer {
  std::string id;
  int status = 0;
};
// RUN: a container of `base` running `argv` attached (its output on this process's stdout and
// stderr), with the stage's user, workdir and ARGs, and the build's network, volumes and
// capabilities. A container that failed to start is removed; one that ran is left for the
// commit (or removed by the caller when its status is not 0).
Result<StepContainer> run_step_container(Context& c, const BuildOptions& o, const StageState& st, const Digest& base,
                                         const std::vector<std::string>& argv, const RunMounts& mounts);
// Its changes as a new image on `base` (the config of `cfg_from`), then removes it.
// Mount targets the container's runtime made (and the image lacks) are taken out first.
Result<Digest> commit_step_container(Context& c, const std::string& id, const StageState& st,
                                     const std::string& created_by, const RunMounts& mounts,
                                     const image::CommitOptions& times);
void remove_step_container(Context& c, const std::string& id);

// The target image's last touches (build_finish.cpp); each returns the new image's id.
// --squash-all: the whole filesystem as the one layer (`cfg` without its history).
Result<Digest> squash_all(Context& c, const Json& cfg, const Digest& id, image::CommitOptions co);
// --squash: the layers after the first `keep` (the base image's) merged into one.
Result<Digest> squash_new(Context& c, const Digest& id, size_t keep, image::CommitOptions co);
// --annotation KEY=VALUE...: the same config and layers with a manifest that carries them.
Result<Digest> annotate(Context& c, const Digest& id, const std::vector<std::string>& annotations,
                        image::CommitOptions co);
// --format: the stored manifest in Docker's v2 schema 2 form or OCI's (same id).
Result<void> set_manifest_format(Context& c, const Digest& id, bool docker);

// COPY and ADD, prepared: what the sources are (for the cache key) and a way to write them.
struct CopySpec {
  std::vector<std::string> sources;  // as written, expanded
  std::string dest;                  // absolute, expanded; a trailing "/" kept
  std::optional<Digest> from_image;  // --from: the image the sources are in; none: the context
  std::string chown, chmod;
  bool add = false;
  bool keep_git_dir = false;  // ADD --keep-git-dir=true
  std::vector<containerfile::Heredoc> heredocs;
};
// ADD's git forms: git://..., git@HOST:PATH, github.com/..., http(s)://.../NAME.git[#REF].
bool is_git_source(const std::string& s);

// A digest of everything the copy reads (paths, types, modes, contents, link targets; not
// mtimes), and then the copy itself into `dir` (the new layer's directory).
class CopyJob {
 public:
  static Result<CopyJob> prepare(Context& c, const BuildOptions& o, const containerfile::IgnoreRules& ignore,
                                 const StageState& st, CopySpec spec, const containerfile::Lookup& vars);
  CopyJob(CopyJob&&) noexcept;
  ~CopyJob();
  const std::string& digest() const;
  // The new layer as a tar on `out_fd`, streamed from the sources (no copy on disk).
  Result<void> write_tar(int out_fd, std::uint64_t* file_bytes) const;

 private:
  struct Impl;
  explicit CopyJob(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::engine

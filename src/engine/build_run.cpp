// berth build's RUN: a container of berth's own on the stage's image so far, committed; its
// --mount and --network options.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/changes.hpp"
#include "berth/engine/run.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/file.hpp"
#include "build_internal.hpp"

namespace berth::engine {

namespace {

using Flags = std::vector<std::pair<std::string, std::string>>;

std::map<std::string, std::string> options(const std::string& spec) {
  std::map<std::string, std::string> out;
  for (const auto& kv : split(spec, ',')) {
    auto eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return out;
}

Result<std::string> secret_source(const BuildOptions& o, const std::string& id) {
  for (const auto& s : o.secrets) {
    auto opts = options(s);
    if (opts["id"] == id) {
      std::string src = !opts["src"].empty() ? opts["src"] : opts["source"];
      if (src.empty()) return fail(Errc::usage, "--secret {}: src= is needed", s);
      return sys::abs_path(src);
    }
  }
  return std::string();
}

// One --mount=...: what the container gets.
Result<void> add_mount(Context& c, const BuildOptions& o, const StageState& st, const std::string& spec, RunMounts& m,
                       const FromResolver& resolve_from) {
  auto opts = options(spec);
  std::string type = opts.contains("type") ? opts["type"] : "bind";
  std::string target = opts.contains("target") ? opts["target"]
                       : opts.contains("dst")  ? opts["dst"]
                                               : opts["destination"];
  if (type == "secret" && target.empty()) target = "/run/secrets/" + opts["id"];
  if (target.empty()) return fail(Errc::usage, "RUN --mount={}: target= is needed", spec);
  if (!target.starts_with('/')) target = st.workdir() + "/" + target;
  target = clean_path(target);
  if (type == "tmpfs") {
    m.tmpfs.push_back(target + (opts.contains("size") ? ":size=" + opts["size"] : ""));
  } else if (type == "cache") {
    std::string id = opts.contains("id") ? opts["id"] : target;
    std::string dir = "build-cache-mounts/" + std::string(Digest::of(id).hex().substr(0, 32));
    TRY(sys::ensure_dir(c.store.root(), "build-cache-mounts", 0700));
    TRY(sys::ensure_dir(c.store.root(), dir, 0755));
    m.volumes.push_back(c.store.paths().root + "/" + dir + ":" + target + (opts.contains("ro") ? ":ro" : ""));
  } else if (type == "bind") {
    // the source resolves inside the context (or the --from image), never through a symlink
    // out of it; the container binds the file descriptor
    std::string src = opts.contains("source") ? opts["source"] : opts.contains("src") ? opts["src"] : ".";
    sys::UniqueFd root;
    if (opts.contains("from")) {
      m.views.push_back(TRY(ImageView::open(c, TRY(resolve_from(opts["from"])))));
      root = TRY(sys::open_at(m.views.back()->root(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    } else {
      root = TRY(sys::open_at(AT_FDCWD, sys::abs_path(o.context), O_PATH | O_DIRECTORY | O_CLOEXEC));
    }
    std::string rel = clean_path("/" + src).substr(1);
    auto fd = TRY(context(sys::open_in_root(root.get(), rel.empty() ? "." : rel, O_PATH | O_CLOEXEC),
                          "RUN --mount source " + src));
    // the path the descriptor resolved to (the child mounts by path, after closing berth's fds)
    char buf[4096];
    ssize_t n = ::readlink(fmt::format("/proc/self/fd/{}", fd.get()).c_str(), buf, sizeof buf);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return fail_errno("RUN --mount source {}", src);
    std::string real(buf, static_cast<size_t>(n));
    if (opts.contains("rw") || opts.contains("readwrite")) {
      // writable, as BuildKit's: the writes land in a scratch overlay, thrown away after the step
      // (a file: an overlay of its directory, and the file in it)
      struct stat sb {};
      if (::fstat(fd.get(), &sb) != 0) return fail_errno("RUN --mount source {}", src);
      bool dir = S_ISDIR(sb.st_mode);
      std::string name = dir ? "" : "/" + real.substr(real.rfind('/') + 1);
      m.views.push_back(TRY(ImageView::scratch(c, dir ? real : real.substr(0, real.rfind('/')))));
      real = m.views.back()->path() + name;
    }
    m.volumes.push_back(real + ":" + target + (opts.contains("rw") || opts.contains("readwrite") ? "" : ":ro"));
  } else if (type == "secret") {
    std::string src = TRY(secret_source(o, opts["id"]));
    if (src.empty()) {
      if (opts.contains("required") && opts["required"] != "false")
        return fail(Errc::usage, "RUN --mount=type=secret: no --secret id={} given", opts["id"]);
      return {};
    }
    m.volumes.push_back(src + ":" + target + ":ro");
  } else {
    return fail(Errc::usage, "RUN --mount: unknown type \"{}\" (bind, cache, tmpfs or secret)", type);
  }
  m.targets.push_back(target);
  return {};
}

// Removes what the runtime made in `upper` for the mounts (empty files and directories the
// image did not have): a RUN --mount leaves nothing in the layer.
void prune_targets(Context& c, const std::string& id, const StageState& st, const RunMounts& m) {
  if (m.targets.empty()) return;
  auto view = ImageView::open(c, st.image);
  std::string upper = store::container_dir(c.store, id) + "/upper";
  for (const auto& t : m.targets) {
    std::string p = t;
    while (p.size() > 1) {
      struct stat img {};
      if (view && ::fstatat((*view)->root(), p.substr(1).c_str(), &img, AT_SYMLINK_NOFOLLOW) == 0) break;
      std::string host = upper + p;
      if (::rmdir(host.c_str()) != 0) {
        struct stat here {};
        if (::lstat(host.c_str(), &here) == 0 && S_ISREG(here.st_mode) && here.st_size == 0)
          (void)::unlink(host.c_str());
      }
      p = p.substr(0, p.rfind('/'));
    }
  }
}

}  // namespace

Result<RunMounts> run_mounts(Context& c, const BuildOptions& o, const StageState& st, const Flags& flags,
                             const FromResolver& resolve_from) {
  RunMounts m;
  for (const auto& [k, v] : flags) {
    if (k == "mount") {
      TRY(add_mount(c, o, st, v, m, resolve_from));
    } else if (k == "network") {
      if (v != "none" && v != "host" && v != "default")
        return fail(Errc::usage, "RUN --network={}: none, host or default", v);
      m.network = v == "default" ? "" : v;
    } else {
      return fail(Errc::unsupported, "RUN --{} is not supported yet", k);
    }
  }
  return m;
}

Result<StepContainer> run_step_container(Context& c, const BuildOptions& o, const StageState& st, const Digest& base,
                                         const std::vector<std::string>& argv, const RunMounts& mounts) {
  RunOptions r;
  r.image = base.str();
  r.command = argv;
  r.entrypoint = "";  // RUN runs its own command, not the image's entrypoint
  r.env = st.run_env();
  const Json& cfg = st.cfg["config"];
  if (cfg.is_object() && cfg.contains("User") && cfg["User"].is_string()) r.user = cfg["User"].get<std::string>();
  r.workdir = st.workdir();
  r.network = mounts.network.empty() ? o.network : mounts.network;
  r.volumes = o.volumes;
  r.volumes.insert(r.volumes.end(), mounts.volumes.begin(), mounts.volumes.end());
  r.tmpfs = mounts.tmpfs;
  r.cap_add = o.cap_add;
  r.cap_drop = o.cap_drop;
  r.log_driver = "passthrough";  // its output is the build's, straight on berth's stdout and stderr
  r.health.disable = true;
  r.image_volumes = false;  // as buildah: what RUN writes under a VOLUME path stays in the layer
  StepContainer out;
  out.id = TRY(create_container(c, r));
  auto status = start_container(c, out.id, true, false);
  if (!status) {
    remove_step_container(c, out.id);
    return std::unexpected(status.error());
  }
  out.status = *status;
  return out;
}

Result<Digest> commit_step_container(Context& c, const std::string& id, const StageState& st,
                                     const std::string& created_by, const RunMounts& mounts,
                                     const image::CommitOptions& times) {
  prune_targets(c, id, st, mounts);
  CommitRequest r;
  r.container = id;
  r.created_by = created_by;
  r.created = times.created;
  r.mtime = times.mtime;
  auto img = commit_container(c, r);
  remove_step_container(c, id);
  return img;
}

void remove_step_container(Context& c, const std::string& id) {
  RmOptions r;
  r.containers = {id};
  r.force = true;
  r.volumes = true;
  (void)remove_containers(c, r);
}

}  // namespace berth::engine

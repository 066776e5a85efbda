// commit, diff and export: a container's upper directory read back.
#include "berth/engine/changes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "berth/core/log.hpp"
#include "berth/core/reference.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/engine/run.hpp"
#include "berth/engine/spec.hpp"
#include "berth/image/commit.hpp"
#include "berth/image/load.hpp"
#include "berth/image/unpack.hpp"
#include "berth/sys/mount.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/lock.hpp"
#include "berth/sys/process.hpp"

namespace berth::engine {

namespace {

// --pause: SIGSTOP to each of the container's processes, SIGCONT when done.
class Pause {
 public:
  explicit Pause(std::vector<pid_t> pids) : pids_(std::move(pids)) {
    for (pid_t p : pids_) (void)sys::send_signal(p, SIGSTOP);
  }
  ~Pause() {
    for (pid_t p : pids_) (void)sys::send_signal(p, SIGCONT);
  }
  Pause(const Pause&) = delete;
  Pause& operator=(const Pause&) = delete;

 private:
  std::vector<pid_t> pids_;
};

Result<std::vector<std::string>> lowers_of(const store::Store& s, const store::ImageRecord& img, size_t skip_top = 0) {
  TRY(image::ensure_unpacked(s, img.layers));
  std::vector<std::string> out;
  for (size_t i = img.layers.size() - skip_top; i-- > 0;) out.push_back(s.layer_diff_abs(img.layers[i]));
  return out;
}

// A container's filesystem mounted on a temp dir, in a mount namespace of this process's own
// (made here, so only from a single-threaded process): nothing is left mounted whatever
// happens. Read-only, the upper dir is one more lower (so a running container can be read
// too); writable (stopped containers only), it is the container's own overlay.
class FsView {
 public:
  static Result<std::unique_ptr<FsView>> mount(Context& c, const std::string& id, const store::ContainerConfig& config,
                                               bool writable) {
    auto img = TRY(c.store.image(config.image_id));
    std::string dir = store::container_dir(c.store, id);
    TRY(sys::private_mount_namespace());
    auto v = std::unique_ptr<FsView>(new FsView);
    v->dir_.emplace(TRY(c.store.temp("view")));
    std::string target = fmt::format("{}/tmp/{}", c.store.paths().root, v->dir_->name());
    // the lowers the container runs with (its own namespace's copies, if it has one);
    // read-only, the upper dir takes the mountpoints' place
    v->maps_ = TRY(container_idmaps(config));
    if (!v->maps_) TRY(image::ensure_unpacked(c.store, img.layers));
    std::vector<std::string> lowers = TRY(container_lowers(c.store, img, v->maps_, writable));
    if (!writable) lowers.insert(lowers.begin(), dir + "/upper");
    bool userxattr = sys::rootless();  // berth mounts every container's overlay, with or without maps
    if (writable)
      TRY(sys::mount_overlay_writable(target, lowers, dir + "/upper", dir + "/work", userxattr));
    else
      TRY(sys::mount_overlay_readonly(target, lowers, userxattr));
    v->path_ = target;
    return v;
  }
  ~FsView() {
    if (!path_.empty()) (void)sys::unmount(path_, true);  // before the temp dir is removed
  }
  FsView(const FsView&) = delete;
  FsView& operator=(const FsView&) = delete;
  const std::string& path() const { return path_; }
  // The container's own user namespace, if it has one: owners in the view are ids here.
  const std::optional<ContainerIdMaps>& maps() const { return maps_; }

 private:
  FsView() = default;
  std::optional<ContainerIdMaps> maps_;
  std::optional<sys::TempDir> dir_;
  std::string path_;
};

}  // namespace

Result<Digest> commit_container(Context& c, const CommitRequest& r) {
  std::string id = TRY(container_id(c, r.container));
  // rm waits for this shared lock: the container cannot vanish while its changes are read.
  sys::UniqueFd cdir(::openat(c.store.root(), ("containers/" + id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cdir || !sys::FileLock::lock_fd(cdir.get(), sys::FileLock::Mode::shared))
    return fail(Errc::not_found, "no container with name or ID \"{}\" found", r.container);
  auto rec = TRY(context(store::read_container(c.store, id), "the container is being removed"));
  Digest base = rec.config.image_id;
  image::CommitOptions o;
  o.changes = r.changes;
  o.message = r.message;
  o.author = r.author;
  if (!r.image.empty()) o.name = TRY(Reference::normalize(r.image, "localhost")).str();
  std::string cmd;
  for (const auto& a : rec.config.command) cmd += (cmd.empty() ? "" : " ") + a;
  o.created_by = r.created_by.empty() ? cmd : r.created_by;
  o.created = r.created;
  o.mtime = r.mtime;
  std::string source = store::container_dir(c.store, id) + "/upper";
  auto maps = TRY(container_idmaps(rec.config));  // its own user namespace: owners go back through it
  if (maps) {
    o.uid_map = &maps->uid;
    o.gid_map = &maps->gid;
  }
  // --squash: the whole filesystem (mounted before the commit starts its thread).
  std::unique_ptr<FsView> view;
  if (r.squash) {
    o.squash = true;
    view = TRY(FsView::mount(c, id, rec.config, false));
    source = view->path();
  }
  std::optional<Pause> paused;
  if (r.pause && rec.state.alive()) paused.emplace(sys::pid_namespace_members(rec.state.pid));
  o.read_done = [&] {
    paused.reset();
    cdir.reset();  // before publishing, which takes the store lock that rm may hold
  };
  auto img = TRY(image::commit_upper(c.store, base, source, o));
  return img.id;
}

Result<std::vector<DiffEntry>> diff_object(Context& c, const std::string& name) {
  std::string dir;
  std::vector<std::string> lowers;
  auto cid = container_id(c, name);
  if (cid) {
    auto rec = TRY(store::read_container(c.store, *cid));
    auto img = TRY(c.store.image(rec.config.image_id));
    dir = store::container_dir(c.store, *cid) + "/upper";
    lowers = TRY(lowers_of(c.store, img));
  } else {
    auto names = TRY(c.store.names());
    auto res = resolve_image(c.store, names, name);
    if (!res) return fail(Errc::not_found, "{} not found: no such container or image", name);
    auto img = TRY(c.store.image(res->id));
    if (img.layers.empty()) return std::vector<DiffEntry>{};
    lowers = TRY(lowers_of(c.store, img, 1));
    dir = c.store.layer_diff_abs(img.layers.back());
  }
  auto changes = TRY(image::layer_changes(dir, lowers, c.store.overlay_xattr_prefix()));
  std::vector<DiffEntry> out;
  for (auto& ch : changes) out.push_back({ch.kind, std::move(ch.path)});
  return out;
}

Result<void> export_container(Context& c, const std::string& container, const std::string& output) {
  std::string id = TRY(container_id(c, container));
  auto rec = TRY(store::read_container(c.store, id));
  if (output.empty() && ::isatty(1))
    return fail(Errc::usage, "refusing to export to terminal. Use -o flag or redirect");
  auto view = TRY(FsView::mount(c, id, rec.config, false));
  image::TreeTarOptions o;
  if (view->maps()) {
    o.uid_map = &view->maps()->uid;
    o.gid_map = &view->maps()->gid;
  }
  auto write = [&](int fd) { return image::write_tree_tar(view->path(), fd, o); };
  if (output.empty()) return write(1);
  return sys::write_output_file(output, write);
}

namespace {

struct ContainerPath {
  std::string container, path;
  std::string given;  // the path as the command line gave it (relative ones are made absolute)
};

// podman's words for a path missing in the container
Error not_in_container(const ContainerPath& p) {
  return Error{
      Errc::not_found, ENOENT,
      fmt::format("\"{}\" could not be found on container {}: no such file or directory", p.given, p.container)};
}

// "NAME:PATH" names a container; "-", and paths starting with "/" or "." (./a:b), do not.
std::optional<ContainerPath> container_path(const std::string& a) {
  if (a == "-" || a.starts_with('/') || a.starts_with('.')) return std::nullopt;
  auto colon = a.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  return ContainerPath{a.substr(0, colon), a.substr(colon + 1), a.substr(colon + 1)};
}

// The container's root, opened so that paths can be resolved inside it: a running
// container's own (its volumes included), or a stopped one's filesystem mounted here.
struct ContainerRoot {
  std::unique_ptr<FsView> view;
  sys::UniqueFd fd;                     // declared after the view: closed before it is unmounted
  std::optional<ContainerIdMaps> maps;  // owners seen here go through these (not joined its namespace)
};

Result<ContainerRoot> open_root(Context& c, const std::string& id, bool writable) {
  auto rec = TRY(store::read_container(c.store, id));
  ContainerRoot root;
  std::string path;
  if (rec.state.alive()) {
    auto pid = rec.state.pid;
    if (sys::rootless_pending()) TRY(sys::join_userns_of(pid));
    path = fmt::format("/proc/{}/root", pid);
    if (sys::other_userns(pid)) root.maps = TRY(container_idmaps(rec.config));
  } else {
    TRY(sys::enter_deferred_rootless());
    root.view = TRY(FsView::mount(c, id, rec.config, writable));
    path = root.view->path();
    root.maps = root.view->maps();
  }
  root.fd.reset(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.fd) return fail_errno("open the root of container {}", rec.id.substr(0, 12));
  return root;
}

// A path inside the container, resolved as if `root` were "/": ".." and absolute symlinks
// stop at the root, magic links (/proc/PID/root, ...) are refused.
Result<sys::UniqueFd> resolve_in(int root, const std::string& path, int flags) {
  std::string p = path;
  while (p.starts_with('/')) p.erase(0, 1);
  auto fd = sys::open_in_root(root, p.empty() ? "." : p, flags);
  if (!fd)
    return std::unexpected(
        Error{fd.error().code, fd.error().sys_errno, fmt::format("{}: {}", path, errno_text(fd.error().sys_errno))});
  return fd;
}

std::string base_name(std::string p) {
  while (p.size() > 1 && p.ends_with('/')) p.pop_back();
  auto s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}
std::string dir_name(std::string p) {
  while (p.size() > 1 && p.ends_with('/')) p.pop_back();
  auto s = p.rfind('/');
  if (s == std::string::npos) return ".";
  return s == 0 ? "/" : p.substr(0, s);
}
bool contents_only(const std::string& p) { return p.ends_with("/.") || p == "."; }

// Unpacks the tar on `fd` under `dirfd`, checked as a layer is (nothing lands outside).
Result<void> unpack_into(int fd, int dirfd, const std::optional<ContainerIdMaps>& maps) {
  image::UnpackOptions o;
  if (maps) {
    o.uid_map = &maps->uid;
    o.gid_map = &maps->gid;
  }
  o.rootless = sys::rootless();
  o.whiteouts = false;
  const char* full = std::getenv("_BERTH_USERNS_FULL");
  o.ignore_chown_errors = o.rootless && full && std::string_view(full) == "0";
  TRY(image::unpack_tar_fd(fd, dirfd, o));
  return {};
}

// A tar of the object `fd` (already resolved inside the container) named `top`.
Result<void> tar_of_fd(int fd, const std::string& top, const CopyRequest& r, int out,
                       const std::optional<ContainerIdMaps>& maps) {
  struct stat st;
  if (::fstatat(fd, "", &st, AT_EMPTY_PATH) != 0) return fail_errno("stat");
  image::TreeTarOptions o;
  if (maps) {
    o.uid_map = &maps->uid;
    o.gid_map = &maps->gid;
  }
  o.top = top;
  o.follow_top = true;  // the /proc/self/fd link only: fd itself is never a symlink here
  if (!r.archive) {
    o.owner = static_cast<int>(::geteuid());
    o.group = static_cast<int>(::getegid());
  }
  if (S_ISLNK(st.st_mode)) {  // the link itself, as an entry of its own
    char target[4096];
    ssize_t n = ::readlinkat(fd, "", target, sizeof target - 1);
    if (n < 0) return fail_errno("readlink");
    target[n] = '\0';
    return image::write_symlink_tar(
        out, {top, target, o.owner >= 0 ? o.owner : static_cast<int>(st.st_uid),
              o.group >= 0 ? o.group : static_cast<int>(st.st_gid), st.st_mtim.tv_sec, st.st_mtim.tv_nsec});
  }
  return image::write_tree_tar(fmt::format("/proc/self/fd/{}", fd), out, o);
}

Result<void> copy_out(Context& c, const ContainerPath& from, const std::string& to, const CopyRequest& r) {
  std::string id = TRY(container_id(c, from.container));
  auto root = TRY(open_root(c, id, false));
  auto src = resolve_in(root.fd.get(), from.path, O_PATH | (r.follow ? 0 : O_NOFOLLOW));
  if (!src && src.error().sys_errno == ENOENT) return std::unexpected(not_in_container(from));
  if (!src) return std::unexpected(src.error());
  struct stat st;
  if (::fstatat(src->get(), "", &st, AT_EMPTY_PATH) != 0) return fail_errno("stat {}", from.path);
  std::string top = contents_only(from.path) ? "" : base_name(from.path);
  if (top == "/") top = "";
  if (to == "-") return tar_of_fd(src->get(), top.empty() ? "." : top, r, 1, root.maps);
  struct stat dst;
  std::string into;
  if (::stat(to.c_str(), &dst) == 0 && S_ISDIR(dst.st_mode)) {
    into = to;
  } else if (::stat(to.c_str(), &dst) == 0) {
    if (!S_ISREG(dst.st_mode))
      return fail(Errc::usage, "invalid destination: \"{}\" must be a directory or a regular file", to);
    if (S_ISDIR(st.st_mode)) return fail(Errc::usage, "destination must be a directory when copying a directory");
    into = dir_name(to);
    top = base_name(to);
  } else {
    into = dir_name(to);
    top = base_name(to);
    if (::stat(into.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode))
      return fail(Errc::not_found, "{}: the destination's parent directory does not exist", to);
  }
  auto dirfd = TRY(sys::open_at(AT_FDCWD, into, O_RDONLY | O_DIRECTORY));
  return sys::through_pipe([&](int out) { return tar_of_fd(src->get(), top, r, out, root.maps); },
                           [&](int in) { return unpack_into(in, dirfd.get(), std::nullopt); });
}

Result<void> copy_in(Context& c, const std::string& from, const ContainerPath& to, const CopyRequest& r) {
  std::string id = TRY(container_id(c, to.container));
  struct stat sst {};
  if (from != "-" && (r.follow ? ::stat(from.c_str(), &sst) : ::lstat(from.c_str(), &sst)) != 0) {
    if (errno == ENOENT) return fail(Errc::not_found, "\"{}\" could not be found on the host", from);
    return fail_errno("{}", from);
  }
  auto root = TRY(open_root(c, id, true));
  std::string top = from == "-" || contents_only(from) ? "" : base_name(from);
  sys::UniqueFd dirfd;
  auto existing = resolve_in(root.fd.get(), to.path, O_RDONLY | O_DIRECTORY);
  if (existing) {
    dirfd = std::move(*existing);
  } else {
    if (from == "-") return fail(Errc::usage, "destination must be a directory when copying from stdin");
    auto probe = resolve_in(root.fd.get(), to.path, O_PATH | O_NOFOLLOW);
    if (probe && S_ISDIR(sst.st_mode))
      return fail(Errc::usage, "destination must be a directory when copying a directory");
    // "DIR/" names a directory: it is not made
    if (!probe && to.path.ends_with('/')) return std::unexpected(not_in_container(to));
    auto parent = resolve_in(root.fd.get(), dir_name(to.path), O_RDONLY | O_DIRECTORY);
    if (!parent && parent.error().sys_errno == ENOENT) return std::unexpected(not_in_container(to));
    dirfd = TRY(context(std::move(parent),
                        fmt::format("the parent directory of \"{}\" in container {}", to.path, to.container)));
    top = base_name(to.path);
  }
  if (from == "-") return unpack_into(0, dirfd.get(), root.maps);
  image::TreeTarOptions o;
  o.top = top;
  o.follow_top = r.follow;
  if (!r.archive) o.owner = o.group = 0;
  return sys::through_pipe([&](int out) { return image::write_tree_tar(from, out, o); },
                           [&](int in) { return unpack_into(in, dirfd.get(), root.maps); });
}

}  // namespace

Result<void> untar_into(int fd, int dirfd) { return unpack_into(fd, dirfd, std::nullopt); }

Result<void> copy_container_dir(Context& c, const std::string& id, const store::ContainerConfig& conf,
                                const std::string& path, const std::string& dest) {
  return sys::run_forked([&]() -> Result<void> {
    auto view = TRY(FsView::mount(c, id, conf, false));
    auto root = TRY(sys::open_at(AT_FDCWD, view->path(), O_PATH | O_DIRECTORY));
    auto src = resolve_in(root.get(), path, O_RDONLY | O_DIRECTORY);
    if (!src) return {};  // nothing there, or no directory: nothing to copy
    auto dst = TRY(sys::open_at(AT_FDCWD, dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    struct stat st;
    if (::fstat(src->get(), &st) != 0) return fail_errno("stat {}", path);
    CopyRequest r;
    r.archive = true;
    TRY(sys::through_pipe([&](int out) { return tar_of_fd(src->get(), "", r, out, std::nullopt); },
                          [&](int in) { return unpack_into(in, dst.get(), std::nullopt); }));
    if (::fchown(dst.get(), st.st_uid, st.st_gid) != 0 && !sys::rootless()) return fail_errno("chown {}", dest);
    if (::fchmod(dst.get(), st.st_mode & 07777) != 0) return fail_errno("chmod {}", dest);
    return {};
  });
}

Result<void> copy_files(Context& c, const CopyRequest& r) {
  auto src = container_path(r.src), dst = container_path(r.dst);
  if (src && dst) return fail(Errc::usage, "copying between containers is not supported");
  if (!src && !dst) return fail(Errc::usage, "invalid arguments {}, {}: you must use just one container", r.src, r.dst);
  // A relative path in the container is relative to its working directory, as podman's.
  ContainerPath& in = src ? *src : *dst;
  if (!in.path.starts_with('/')) {
    auto rec = TRY(store::read_container(c.store, TRY(container_id(c, in.container))));
    std::string wd = rec.config.workdir.empty() ? "/" : rec.config.workdir;
    in.path = wd + (wd.ends_with('/') ? "" : "/") + (in.path == "." ? "" : in.path);
  }
  if (src) return copy_out(c, *src, r.dst, r);
  return copy_in(c, r.src, *dst, r);
}

namespace {

// Whether `path` is a mount point of this mount namespace (/proc/self/mountinfo field 5).
bool is_mounted(const std::string& path) {
  sys::UniqueFd fd(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  auto text =
      fd ? sys::read_all(fd.get(), 16 << 20) : Result<std::string>(std::unexpected(Error{Errc::system, errno, ""}));
  if (!text) return false;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    pos = end + 1;
    size_t f = 0;
    for (int i = 0; i < 4 && f != std::string_view::npos; i++) f = line.find(' ', f + 1);
    if (f == std::string_view::npos) continue;
    size_t g = line.find(' ', f + 1);
    if (line.substr(f + 1, g - f - 1) == path) return true;
  }
  return false;
}

Result<void> require_mount_namespace(const char* cmd) {
  if (sys::rootless() && !std::getenv("_BERTH_UNSHARE"))
    return fail(Errc::usage, "cannot run command \"berth {}\" in rootless mode, must execute `berth unshare` first",
                cmd);
  return {};
}

}  // namespace

Result<std::string> mount_container(Context& c, const std::string& container) {
  TRY(require_mount_namespace("mount"));
  std::string id = TRY(container_id(c, container));
  auto rec = TRY(store::read_container(c.store, id));
  std::string dir = store::container_dir(c.store, id);
  std::string merged = dir + "/merged";
  if (is_mounted(merged)) return merged;
  if (rec.state.alive()) {
    // The container's root mount, cloned from its mount namespace (no submounts: no volumes).
    auto pid = rec.state.pid;
    auto tree = sys::clone_mount(fmt::format("/proc/{}/root", pid));
    if (!tree)
      return fail(Errc::system, "mount running container {} (the kernel does not let its root be cloned here): {}",
                  container, errno_text(tree.error().sys_errno));
    TRY(context(sys::attach_mount(tree->get(), merged), fmt::format("mount container {}", container)));
    return merged;
  }
  auto img = TRY(c.store.image(rec.config.image_id));
  std::vector<std::string> lowers = {TRY(c.store.mountpoints())};
  for (auto& l : TRY(lowers_of(c.store, img))) lowers.push_back(std::move(l));
  TRY(sys::mount_overlay_writable(merged, lowers, dir + "/upper", dir + "/work", sys::rootless()));
  return merged;
}

Result<void> unmount_container(Context& c, const std::string& container) {
  TRY(require_mount_namespace("unmount"));
  std::string id = TRY(container_id(c, container));
  std::string merged = store::container_dir(c.store, id) + "/merged";
  if (is_mounted(merged)) TRY(sys::unmount(merged, false));
  return {};
}

Result<std::vector<std::pair<std::string, std::string>>> mounted_containers(Context& c) {
  TRY(require_mount_namespace("mount"));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& rec : TRY(store::read_containers(c.store))) {
    std::string merged = store::container_dir(c.store, rec.id) + "/merged";
    if (is_mounted(merged)) out.emplace_back(rec.id, merged);
  }
  return out;
}

Result<int> unshare_command(const std::vector<std::string>& argv) {
  if (!sys::rootless()) return fail(Errc::usage, "please use unshare with rootless");
  TRY(sys::private_mount_namespace());
  ::setenv("_BERTH_UNSHARE", "1", 1);
  std::vector<std::string> args = argv;
  if (args.empty()) {
    const char* shell = std::getenv("SHELL");
    args.push_back(shell && *shell ? shell : "/bin/sh");
  }
  std::fflush(stdout);
  return std::unexpected(sys::exec_command(args));
}

}  // namespace berth::engine

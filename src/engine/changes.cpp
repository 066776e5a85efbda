// commit, diff and export: a container's upper directory read back.
#include "berth/engine/changes.hpp"

#include <dirent.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/core/log.hpp"
#include "berth/core/reference.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/engine/run.hpp"
#include "berth/image/commit.hpp"
#include "berth/runtime/overlay.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "container_record.hpp"

namespace berth::engine {

namespace {

// Every process in the pid namespace of `pid` (the container's), found through /proc.
std::vector<pid_t> container_processes(pid_t pid) {
  std::vector<pid_t> out;
  struct stat ns;
  if (::stat(fmt::format("/proc/{}/ns/pid", pid).c_str(), &ns) != 0) return out;
  DIR* d = ::opendir("/proc");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    pid_t p = static_cast<pid_t>(std::atoi(e->d_name));
    struct stat st;
    if (p > 0 && ::stat(fmt::format("/proc/{}/ns/pid", p).c_str(), &st) == 0 && st.st_ino == ns.st_ino &&
        st.st_dev == ns.st_dev)
      out.push_back(p);
  }
  ::closedir(d);
  return out;
}

// --pause: SIGSTOP to each of the container's processes, SIGCONT when done.
class Pause {
 public:
  explicit Pause(std::vector<pid_t> pids) : pids_(std::move(pids)) {
    for (pid_t p : pids_) ::kill(p, SIGSTOP);
  }
  ~Pause() {
    for (pid_t p : pids_) ::kill(p, SIGCONT);
  }
  Pause(const Pause&) = delete;
  Pause& operator=(const Pause&) = delete;

 private:
  std::vector<pid_t> pids_;
};

std::vector<std::string> lowers_of(const store::Store& s, const store::ImageRecord& img, size_t skip_top = 0) {
  std::vector<std::string> out;
  for (size_t i = img.layers.size() - skip_top; i-- > 0;) out.push_back(s.layer_diff_abs(img.layers[i]));
  return out;
}

}  // namespace

Result<Digest> commit_container(Context& c, const CommitRequest& r) {
  std::string id = TRY(container_id(c, r.container));
  auto rec = TRY(detail::read_container(c.store, id));
  auto base = TRY(Digest::parse(json_str(rec.config, "image_id")));
  image::CommitOptions o{r.changes, r.message, r.author, "", ""};
  if (!r.image.empty()) o.name = TRY(Reference::normalize(r.image, "localhost")).str();
  std::string cmd;
  for (const auto& a : json_obj(rec.config, "command")) cmd += (cmd.empty() ? "" : " ") + a.get<std::string>();
  o.created_by = cmd;
  std::optional<Pause> paused;
  if (r.pause && detail::alive(rec.state))
    paused.emplace(container_processes(static_cast<pid_t>(json_int(rec.state, "pid"))));
  auto img = TRY(image::commit_upper(c.store, base, detail::container_dir(c.store, id) + "/upper", o));
  return img.id;
}

Result<std::vector<DiffEntry>> diff_object(Context& c, const std::string& name) {
  std::string dir;
  std::vector<std::string> lowers;
  auto cid = container_id(c, name);
  if (cid) {
    auto rec = TRY(detail::read_container(c.store, *cid));
    auto img = TRY(c.store.image(TRY(Digest::parse(json_str(rec.config, "image_id")))));
    dir = detail::container_dir(c.store, *cid) + "/upper";
    lowers = lowers_of(c.store, img);
  } else {
    auto names = TRY(c.store.names());
    auto res = resolve_image(c.store, names, name);
    if (!res) return fail(Errc::not_found, "{} not found: no such container or image", name);
    auto img = TRY(c.store.image(res->id));
    if (img.layers.empty()) return std::vector<DiffEntry>{};
    dir = c.store.layer_diff_abs(img.layers.back());
    lowers = lowers_of(c.store, img, 1);
  }
  auto changes = TRY(image::layer_changes(dir, lowers, c.store.overlay_xattr_prefix()));
  std::vector<DiffEntry> out;
  for (auto& ch : changes) out.push_back({ch.kind, std::move(ch.path)});
  return out;
}

Result<void> export_container(Context& c, const std::string& container, const std::string& output) {
  std::string id = TRY(container_id(c, container));
  auto rec = TRY(detail::read_container(c.store, id));
  auto img = TRY(c.store.image(TRY(Digest::parse(json_str(rec.config, "image_id")))));
  if (output.empty() && ::isatty(1)) return fail(Errc::usage, "refusing to export to terminal. Use -o flag or redirect");
  std::vector<std::string> lowers = {detail::container_dir(c.store, id) + "/upper"};
  for (auto& l : lowers_of(c.store, img)) lowers.push_back(std::move(l));
  // A read-only view in a mount namespace of our own: nothing to unmount, whatever happens.
  TRY(runtime::private_mount_namespace());
  auto view = TRY(c.store.temp("export"));
  std::string target = fmt::format("{}/tmp/{}", c.store.paths().root, view.name());
  TRY(runtime::mount_overlay_readonly(target, lowers, sys::rootless()));
  struct Unmount {
    std::string path;
    ~Unmount() { ::umount2(path.c_str(), MNT_DETACH); }  // before the temp dir is removed
  } unmount{target};
  auto write = [&](int fd) { return image::write_layer_tar(target, fd, c.store.overlay_xattr_prefix()); };
  if (output.empty()) return write(1);
  return sys::write_output_file(output, write);
}

}  // namespace berth::engine

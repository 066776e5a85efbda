// The store: see include/berth/store/store.hpp for the invariants.
#include "berth/store/store.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "berth/core/log.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::store {

namespace {

constexpr size_t kRecordMax = 16 << 20;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
  return "/tmp";
}

// A run dir candidate is usable when it is a real directory of this user's that nobody else
// can write to (made here, 0700, when missing and `create`).
bool own_private_dir(const std::string& path, bool create) {
  if (create) ::mkdir(path.c_str(), 0700);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  return st.st_uid == ::geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// Rootless without XDG_RUNTIME_DIR, as podman picks: /run/user/UID when it is the user's,
// else /tmp/berth-run-UID when it is (made 0700 here), else beside the store. A directory
// another user made first is never used (CVE-class: berth would keep its state, seccomp
// cache and sockets where that user can swap them).
std::string rootless_runroot(const std::string& uid, const std::string& def_root) {
  if (own_private_dir("/run/user/" + uid, false)) return "/run/user/" + uid + "/berth";
  std::string tmp = fmt::format("/tmp/berth-run-{}", uid);
  if (own_private_dir(tmp, true)) return tmp;
  log::warn(
      "{} belongs to another user or is writable by others; berth keeps its runtime state in {}/run instead "
      "(set XDG_RUNTIME_DIR to choose)",
      tmp, def_root);
  return def_root + "/run";
}

std::string blob_path(const Digest& d) { return fmt::format("blobs/sha256/{}", d.hex()); }

}  // namespace

Paths default_paths(const std::string& root_flag, const std::string& runroot_flag) {
  Paths p;
  bool rl = sys::rootless();
  std::string def_root =
      rl ? env_or("XDG_DATA_HOME", home_dir() + "/.local/share") + "/berth" : std::string("/var/lib/berth");
  std::string def_run;
  if (!rl)
    def_run = "/run/berth";
  else if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x)
    def_run = std::string(x) + "/berth";
  p.root = !root_flag.empty() ? root_flag : env_or("BERTH_ROOT", def_root);
  if (def_run.empty() && runroot_flag.empty() && env_or("BERTH_RUNROOT", "").empty() && root_flag.empty() &&
      env_or("BERTH_ROOT", "").empty())
    def_run = rootless_runroot(env_or("_BERTH_UID", std::to_string(::getuid())), def_root);
  // A moved root (flag or BERTH_ROOT) keeps its runtime state beside it unless told otherwise.
  bool root_moved = !root_flag.empty() || !env_or("BERTH_ROOT", "").empty();
  if (!runroot_flag.empty())
    p.runroot = runroot_flag;
  else if (!env_or("BERTH_RUNROOT", "").empty())
    p.runroot = env_or("BERTH_RUNROOT", "");
  else
    p.runroot = root_moved ? p.root + "/run" : def_run;
  return p;
}

Result<Store> Store::open(const Paths& p) {
  Store s;
  s.paths_ = p;
  s.paths_.root = sys::abs_path(p.root);
  s.paths_.runroot = sys::abs_path(p.runroot);
  s.rootless_ = sys::rootless();
  int slash = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (slash < 0) return fail_errno("open /");
  sys::UniqueFd top(slash);
  s.root_ = TRY(context(sys::make_dirs(top.get(), s.paths_.root, 0700), "create store root"));
  // Every directory berth trusts is its own and nobody else's (another user's /tmp/x made
  // first, a world-writable run dir): checked before anything is read or written there.
  TRY(sys::check_private_dir(s.root_.get(), s.paths_.root, "the store root"));
  ::fchmodat(top.get(), s.paths_.root.c_str(), 0700, 0);
  for (const char* d : {"blobs", "blobs/sha256", "layers", "images", "containers", "tmp"})
    TRY(sys::ensure_dir(s.root_.get(), d, 0700));
  s.root_ = TRY(sys::open_beneath(s.root_.get(), ".", O_RDONLY | O_DIRECTORY));  // the directory checked
  s.tmp_ = TRY(sys::open_beneath(s.root_.get(), "tmp", O_RDONLY | O_DIRECTORY, 0, true));
  TRY(sys::check_private_dir(s.tmp_.get(), s.paths_.root + "/tmp", "the store's tmp/"));
  s.run_ = TRY(context(sys::make_dirs(top.get(), s.paths_.runroot, 0700), "create run root"));
  TRY(sys::check_private_dir(s.run_.get(), s.paths_.runroot, "the run root"));
  return s;
}

const char* Store::overlay_xattr_prefix() const { return rootless_ ? "user." : "trusted."; }

Result<sys::FileLock> Store::read_lock() const {
  return sys::FileLock::acquire(root(), "store.lock", sys::FileLock::Mode::shared);
}

Result<sys::FileLock> Store::write_lock() const {
  auto l = TRY(sys::FileLock::acquire(root(), "store.lock", sys::FileLock::Mode::exclusive));
  sys::sweep_tmp(tmp());
  return l;
}

Result<sys::TempDir> Store::temp(std::string_view prefix) const { return sys::TempDir::create(tmp(), prefix); }

bool Store::has_blob(const Digest& d) const { return sys::exists_at(root(), blob_path(d)); }

Result<sys::UniqueFd> Store::open_blob(const Digest& d) const {
  auto fd = sys::open_beneath(root(), blob_path(d), O_RDONLY, 0, true);
  if (!fd) return fail(Errc::not_found, "blob {} not found in the store", d.str());
  return fd;
}

Result<std::string> Store::read_blob(const Digest& d, size_t max_bytes) const {
  auto fd = TRY(open_blob(d));
  return context(sys::read_all(fd.get(), max_bytes), d.str());
}

Result<void> Store::publish_blob(int dir, std::string_view name, const Digest& d) const {
  std::string to = blob_path(d);
  if (::renameat2(dir, std::string(name).c_str(), root(), to.c_str(), RENAME_NOREPLACE) == 0) return {};
  if (errno == EEXIST) return {};
  return fail_errno("rename blob into {}", to);
}

Result<Digest> Store::put_blob(std::string_view data) const {
  Digest d = Digest::of(data);
  if (has_blob(d)) return d;
  auto dir = TRY(sys::open_beneath(root(), "blobs/sha256", O_RDONLY | O_DIRECTORY, 0, true));
  TRY(sys::write_atomic(dir.get(), d.hex(), data, 0600));
  return d;
}

std::string Store::layer_dir(const ChainId& c) const { return fmt::format("layers/{}", c.d.hex()); }

std::string Store::layer_diff_abs(const ChainId& c) const {
  return fmt::format("{}/layers/{}/diff", paths_.root, c.d.hex());
}

bool Store::has_layer(const ChainId& c) const { return sys::exists_at(root(), layer_dir(c) + "/layer.json"); }

Result<LayerRecord> Store::layer(const ChainId& c) const {
  auto text = sys::read_file_at(root(), layer_dir(c) + "/layer.json", kRecordMax);
  if (!text) return fail(Errc::not_found, "layer {} not found in the store", c.d.short_id());
  auto j = TRY(parse_json(*text, "layer.json"));
  return layer_from_json(j);
}

Result<bool> Store::publish_layer(sys::TempDir& dir, const LayerRecord& rec) const {
  TRY(sys::write_atomic(dir.fd(), "layer.json", dump_json(to_json(rec)), 0600));
  std::string from = fmt::format("tmp/{}", dir.name());
  std::string to = layer_dir(rec.chain);
  if (::renameat2(root(), from.c_str(), root(), to.c_str(), RENAME_NOREPLACE) == 0) {
    dir.release();
    return true;
  }
  if (errno == EEXIST || errno == ENOTEMPTY) return false;
  return fail_errno("rename layer into {}", to);
}

Result<std::string> Store::mountpoints(std::optional<std::pair<uid_t, gid_t>> owner) const {
  // v2: with run/.containerenv (the v1 dirs, without it, stay for what still mounts them)
  std::string name = owner ? fmt::format("mountpoints2-{}-{}", owner->first, owner->second) : "mountpoints2";
  std::string abs = paths_.root + "/" + name;
  struct stat st;
  if (::fstatat(root(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) return abs;
  auto dir = TRY(temp("mountpoints-"));
  for (const char* d : {"proc", "dev", "sys", "etc", "run"})
    if (::mkdirat(dir.fd(), d, 0755) != 0) return fail_errno("mkdir mountpoints/{}", d);
  for (const char* f : {"etc/hostname", "etc/hosts", "etc/resolv.conf", "run/.containerenv"}) {
    int fd = ::openat(dir.fd(), f, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno("create mountpoints/{}", f);
    ::close(fd);
  }
  // A container with its own user namespace: owned by its root, as the layers' copies are.
  if (owner)
    for (const char* p :
         {"proc", "dev", "sys", "etc", "etc/hostname", "etc/hosts", "etc/resolv.conf", "run", "run/.containerenv", "."})
      if (::fchownat(dir.fd(), p, owner->first, owner->second, AT_SYMLINK_NOFOLLOW) != 0)
        return fail_errno("chown mountpoints/{}", p);
  ::fchmod(dir.fd(), 0755);
  if (::syncfs(dir.fd()) != 0) return fail_errno("sync mountpoints");
  std::string from = fmt::format("tmp/{}", dir.name());
  if (::renameat2(root(), from.c_str(), root(), name.c_str(), RENAME_NOREPLACE) == 0)
    dir.release();
  else if (errno != EEXIST && errno != ENOTEMPTY)
    return fail_errno("rename into mountpoints");
  return abs;
}

Result<std::vector<ImageRecord>> Store::images() const {
  std::vector<ImageRecord> out;
  auto names = TRY(sys::list_dir(root(), "images"));
  for (const auto& n : names) {
    if (!n.ends_with(".json") || n.starts_with(".")) continue;
    auto text = sys::read_file_at(root(), "images/" + n, kRecordMax);
    if (!text) continue;  // removed concurrently
    auto j = parse_json(*text, n);
    if (!j) continue;
    auto r = image_from_json(*j);
    if (r) out.push_back(std::move(*r));
  }
  return out;
}

Result<ImageRecord> Store::image(const Digest& id) const {
  auto text = sys::read_file_at(root(), fmt::format("images/{}.json", id.hex()), kRecordMax);
  if (!text) return fail(Errc::not_found, "{}: image not known", id.short_id());
  auto j = TRY(parse_json(*text, "image record"));
  return image_from_json(j);
}

Result<void> Store::put_image(const ImageRecord& r) const {
  auto dir = TRY(sys::open_beneath(root(), "images", O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_atomic(dir.get(), fmt::format("{}.json", r.id.hex()), dump_json(to_json(r)));
}

Result<void> Store::remove_image(const Digest& id) const {
  std::string p = fmt::format("images/{}.json", id.hex());
  if (::unlinkat(root(), p.c_str(), 0) < 0 && errno != ENOENT) return fail_errno("remove {}", p);
  ::fsync(root());
  return {};
}

Result<NameMap> Store::names() const {
  auto text = sys::read_file_at(root(), "names.json", kRecordMax);
  if (!text) {
    if (text.error().sys_errno == ENOENT) return NameMap{};
    return std::unexpected(text.error());
  }
  auto j = TRY(parse_json(*text, "names.json"));
  return names_from_json(j);
}

Result<void> Store::put_names(const NameMap& m) const {
  return sys::write_atomic(root(), "names.json", dump_json(to_json(m)));
}

}  // namespace berth::store

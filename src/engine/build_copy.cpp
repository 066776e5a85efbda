// berth build's COPY and ADD: sources resolved inside their root (the context, or an image
// mounted read-only), never followed out of it; a digest of what they hold for the cache; then
// written into the new layer's directory under the destination as the image resolves it
// (a symlinked parent such as Debian's /bin -> usr/bin is followed, not replaced).
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <set>

#include "berth/core/digest.hpp"
#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"
#include "berth/image/commit.hpp"
#include "berth/image/load.hpp"
#include "berth/image/unpack.hpp"
#include "berth/registry/http.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/mount.hpp"
#include "berth/sys/tempdir.hpp"
#include "berth/sys/userns.hpp"
#include "build_internal.hpp"

namespace berth::engine {

namespace cf = containerfile;

namespace {

bool has_glob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

// "a/../b" stays inside; "../x" does not (Docker's "forbidden path outside the build context").
Result<std::string> inside(std::string_view src) {
  std::vector<std::string> parts;
  for (const auto& p : split(src, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (parts.empty()) return fail(Errc::usage, "forbidden path outside the build context: {}", std::string(src));
      parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string base_name(std::string_view p) {
  while (p.size() > 1 && p.ends_with('/')) p.remove_suffix(1);
  auto s = p.rfind('/');
  return std::string(s == std::string_view::npos ? p : p.substr(s + 1));
}

bool is_archive(int fd) {
  unsigned char b[512] = {};
  ssize_t n = ::pread(fd, b, sizeof b, 0);
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return true;   // gzip
  if (n >= 3 && std::memcmp(b, "BZh", 3) == 0) return true;  // bzip2
  if (n >= 6 && std::memcmp(b,
                            "\xfd"
                            "7zXZ\0",
                            6) == 0)
    return true;                                                                            // xz
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return true;  // zstd
  return n >= 262 && std::memcmp(b + 257, "ustar", 5) == 0;                                 // tar
}

// An entry to read: `name` in the directory `dir`, or with an empty name the O_PATH fd `dir`
// itself (a source resolved inside its root). Inside a tree, entries are opened by name
// (no symlink followed), which costs one system call where a reopen through /proc costs two.
struct Node {
  int dir;
  const char* name;
};
int open_node(Node n, int flags) {
  if (!*n.name) return ::open(fmt::format("/proc/self/fd/{}", n.dir).c_str(), flags | O_CLOEXEC);
  return ::openat(n.dir, n.name, flags | O_NOFOLLOW | O_CLOEXEC);
}
int stat_node(Node n, struct stat* st) {
  return ::fstatat(n.dir, n.name, st, AT_SYMLINK_NOFOLLOW | (*n.name ? 0 : AT_EMPTY_PATH));
}

struct Item {
  sys::UniqueFd src;  // O_PATH, resolved inside the root; invalid for a heredoc
  std::string rel;    // its path in the root, for the ignore rules ("" = the root)
  std::string dest;   // where it lands (for a directory: what its content goes into)
  bool dir = false;
  bool extract = false;  // ADD of a local archive: unpacked into dest
  std::string content;   // a heredoc's
};

}  // namespace

namespace {

// The views' mounts live in a mount namespace of this process's own, made once.
Result<void> own_mount_namespace() {
  static bool made = false;
  if (!made) TRY(sys::private_mount_namespace());
  made = true;
  return {};
}

}  // namespace

Result<std::unique_ptr<ImageView>> ImageView::open(Context& c, const std::optional<Digest>& image) {
  auto v = std::unique_ptr<ImageView>(new ImageView);
  std::vector<ChainId> layers;
  if (image) layers = TRY(c.store.image(*image)).layers;
  if (layers.size() == 1) {
    TRY(image::ensure_unpacked(c.store, layers));
    v->path_ = c.store.layer_diff_abs(layers[0]);
  } else {
    v->dir_.emplace(TRY(c.store.temp("view")));
    v->path_ = fmt::format("{}/tmp/{}", c.store.paths().root, v->dir_->name());
    if (!layers.empty()) {
      TRY(image::ensure_unpacked(c.store, layers));
      std::vector<std::string> lowers;
      for (size_t i = layers.size(); i-- > 0;) lowers.push_back(c.store.layer_diff_abs(layers[i]));
      TRY(own_mount_namespace());
      TRY(sys::mount_overlay_readonly(v->path_, lowers, sys::rootless()));
      v->mounted_ = true;
    }
  }
  v->root_ = TRY(sys::open_at(AT_FDCWD, v->path_, O_PATH | O_DIRECTORY | O_CLOEXEC));
  return v;
}

Result<std::unique_ptr<ImageView>> ImageView::scratch(Context& c, const std::string& lower) {
  auto v = std::unique_ptr<ImageView>(new ImageView);
  v->dir_.emplace(TRY(c.store.temp("rw-mount")));
  std::string base = fmt::format("{}/tmp/{}", c.store.paths().root, v->dir_->name());
  for (const char* d : {"upper", "work", "merged"}) TRY(sys::ensure_dir(v->dir_->fd(), d, 0755));
  v->path_ = base + "/merged";
  TRY(own_mount_namespace());
  TRY(sys::mount_overlay_writable(v->path_, {lower}, base + "/upper", base + "/work", sys::rootless()));
  v->mounted_ = true;
  v->root_ = TRY(sys::open_at(AT_FDCWD, v->path_, O_PATH | O_DIRECTORY | O_CLOEXEC));
  return v;
}

ImageView::~ImageView() {
  root_.reset();
  if (mounted_) (void)sys::unmount(path_, true);
}

struct CopyJob::Impl {
  std::unique_ptr<ImageView> from, cur;
  std::string root_path;
  sys::UniqueFd root;
  const cf::IgnoreRules* ignore = nullptr;  // the context's; null for an image
  std::vector<Item> items;
  uid_t uid = 0;
  gid_t gid = 0;
  long long mtime_override = -1;  // --timestamp
  std::optional<mode_t> chmod;
  std::string digest;
  std::string xattr_prefix;
  bool rootless = false;
  Context* ctx = nullptr;
  const BuildOptions* opts = nullptr;
  std::vector<sys::TempDir> downloads;  // ADD URL's files, until the copy is written

  bool skipped(const std::string& rel) const { return ignore && !rel.empty() && ignore->ignored(rel); }
  Result<void> add_source(const std::string& src, const CopySpec& spec, bool many, const cf::Lookup& vars);
  Result<void> add_url(const std::string& url, const CopySpec& spec, bool many);
  Result<void> add_git(const std::string& src, const CopySpec& spec);
  Result<int> git(const std::vector<std::string>& args) const;
  Result<void> add_resolved(sys::UniqueFd fd, const std::string& rel, const CopySpec& spec, bool many);
  Result<void> owner(const std::string& chown);
  void hash_tree(Sha256& h, Node n, const std::string& rel, const std::string& shown) const;
  Result<std::string> resolve_dest(const std::string& path) const;
  image::LayerTarWriter::Meta meta(const struct stat& st, bool keep_mode) const;
  Result<void> tar_parents(image::LayerTarWriter& w, const std::string& path, std::set<std::string>& done) const;
  Result<void> tar_tree(image::LayerTarWriter& w, Node src, const std::string& rel, const std::string& name,
                        bool as_content) const;
};

CopyJob::CopyJob(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CopyJob::CopyJob(CopyJob&&) noexcept = default;
CopyJob::~CopyJob() = default;
const std::string& CopyJob::digest() const { return impl_->digest; }

Result<CopyJob> CopyJob::prepare(Context& c, const BuildOptions& o, const cf::IgnoreRules& ignore, const StageState& st,
                                 CopySpec spec, const cf::Lookup& vars) {
  auto impl = std::make_unique<Impl>();
  impl->cur = TRY(ImageView::open(c, st.image));
  impl->xattr_prefix = c.store.overlay_xattr_prefix();
  impl->ctx = &c;
  impl->mtime_override = o.timestamp;
  impl->opts = &o;
  impl->rootless = sys::rootless();
  if (spec.from_image) {
    impl->from = TRY(ImageView::open(c, spec.from_image));
    impl->root_path = impl->from->path();
  } else {
    impl->root_path = sys::abs_path(o.context);
    impl->ignore = &ignore;
  }
  impl->root = TRY(context(sys::open_at(AT_FDCWD, impl->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC), "the context"));
  if (!spec.chown.empty()) TRY(impl->owner(spec.chown));
  if (!spec.chmod.empty()) {
    if (spec.chmod.find_first_not_of("01234567") != std::string::npos || spec.chmod.size() > 4)
      return fail(Errc::usage, "invalid --chmod \"{}\": want an octal mode", spec.chmod);
    impl->chmod = static_cast<mode_t>(std::stoul(spec.chmod, nullptr, 8));
  }
  bool many = spec.sources.size() > 1 || spec.dest.ends_with('/');
  for (const auto& s : spec.sources) many = many || has_glob(s);
  for (const auto& s : spec.sources) TRY(impl->add_source(s, spec, many, vars));
  Sha256 h;
  for (const auto& it : impl->items) {
    std::string head = fmt::format("{} {} {}\n", it.dest, it.dir ? "dir" : "file", it.extract ? "extract" : "");
    h.update(head.data(), head.size());
    if (!it.src)
      h.update(it.content.data(), it.content.size());
    else
      impl->hash_tree(h, Node{it.src.get(), ""}, it.rel, "");
  }
  impl->digest = h.finish().str();
  return CopyJob(std::move(impl));
}

Result<void> CopyJob::Impl::add_source(const std::string& src, const CopySpec& spec, bool many,
                                       const cf::Lookup& vars) {
  if (src.starts_with("<<")) {  // a heredoc: a file of its content
    std::string name = src.substr(src.find_first_not_of("<-\"'"));
    while (!name.empty() && (name.back() == '"' || name.back() == '\'')) name.pop_back();
    for (const auto& h : spec.heredocs)
      if (h.name == name) {
        Item it;
        it.dest = many ? clean_path(spec.dest + "/" + name) : clean_path(spec.dest);
        it.content = h.expand ? TRY(cf::expand(h.content, &vars, '\\')) : h.content;
        items.push_back(std::move(it));
        return {};
      }
    return fail(Errc::usage, "no heredoc named {}", name);
  }
  if (is_git_source(src)) return add_git(src, spec);
  if ((src.starts_with("http://") || src.starts_with("https://")) && spec.add) return add_url(src, spec, many);
  if (src.starts_with("http://") || src.starts_with("https://"))
    return fail(Errc::usage, "source can't be a URL for COPY: {} (ADD fetches one)", src);
  std::string rel = TRY(inside(src));
  if (!has_glob(base_name(rel))) {
    auto fd = sys::open_in_root(root.get(), rel.empty() ? "." : rel, O_PATH | O_CLOEXEC);
    if (!fd || skipped(rel))
      return fail(Errc::not_found, "checking on sources under \"{}\": \"{}\": no such file or directory", root_path,
                  src);
    return add_resolved(std::move(*fd), rel, spec, many);
  }
  auto slash = rel.rfind('/');
  std::string parent = slash == std::string::npos ? "" : rel.substr(0, slash);
  std::string pattern = slash == std::string::npos ? rel : rel.substr(slash + 1);
  auto dir = TRY(sys::open_in_root(root.get(), parent.empty() ? "." : parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  auto names = TRY(sys::list_dir(dir.get(), "."));
  std::sort(names.begin(), names.end());
  size_t found = 0;
  for (const auto& n : names) {
    if (::fnmatch(pattern.c_str(), n.c_str(), FNM_PERIOD) != 0) continue;
    std::string r = parent.empty() ? n : parent + "/" + n;
    if (skipped(r)) continue;
    auto fd = TRY(sys::open_in_root(root.get(), r, O_PATH | O_CLOEXEC));
    TRY(add_resolved(std::move(fd), r, spec, true));
    found++;
  }
  if (!found) return fail(Errc::not_found, "no items matching glob \"{}\" copied (no such file or directory)", src);
  return {};
}

// ADD URL: fetched into the store's tmp/ (mode 0600, as Docker's); its name is the destination,
// or under a destination ending in "/" the URL's last path element.
Result<void> CopyJob::Impl::add_url(const std::string& url, const CopySpec& spec, bool many) {
  std::string path = url.substr(url.find("://") + 3);
  path = path.substr(0, path.find_first_of("?#"));
  auto slash = path.find('/');
  std::string name = slash == std::string::npos ? "" : base_name(path.substr(slash));
  if (many && (name.empty() || name == "/"))
    return fail(Errc::usage, "ADD {}: no file name in the URL; give the destination's name", url);
  auto& dir = downloads.emplace_back(TRY(ctx->store.temp("add")));
  sys::UniqueFd f(::openat(dir.fd(), "download", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!f) return fail_errno("ADD {}", url);
  registry::TlsOptions tls;
  tls.verify = opts->pull_base.client.tls_verify.value_or(true);
  tls.cert_dir = opts->pull_base.client.cert_dir;
  registry::Http http(tls);
  registry::HttpRequest r;
  r.url = url;
  r.what = url;
  r.sink = [&](const char* d, size_t n) { return sys::write_all(f.get(), {d, n}); };
  auto resp = TRY(context(http.perform(r), "ADD " + url));
  if (resp.status != 200) return fail(Errc::not_found, "ADD {}: HTTP status {}", url, resp.status);
  Item it;
  it.src = TRY(sys::open_at(dir.fd(), "download", O_PATH | O_CLOEXEC));
  it.dest = clean_path(many ? spec.dest + "/" + name : spec.dest);
  items.push_back(std::move(it));
  return {};
}

// ADD of a git repository, in BuildKit's forms (git://..., git@HOST:PATH, github.com/...,
// http(s)://.../NAME.git, each with an optional #REF[:SUBDIR]): cloned by git into the store's
// tmp/, its .git left out unless --keep-git-dir=true; the tree goes into the destination.
Result<void> CopyJob::Impl::add_git(const std::string& src, const CopySpec& spec) {
  if (!spec.add) return fail(Errc::usage, "source can't be a git repository for COPY: {} (ADD clones one)", src);
  if (spec.sources.size() > 1) return fail(Errc::usage, "ADD {}: a git repository must be the only source", src);
  auto hash = src.find('#');
  std::string url = src.substr(0, hash);
  std::string frag = hash == std::string::npos ? "" : src.substr(hash + 1);
  std::string ref = frag.substr(0, frag.find(':'));
  std::string sub = frag.find(':') == std::string::npos ? "" : frag.substr(frag.find(':') + 1);
  if (url.starts_with("github.com/")) url = "https://" + url;
  if (ref.starts_with('-')) return fail(Errc::usage, "ADD {}: \"{}\" is not a branch, tag or commit", src, ref);
  auto& dir = downloads.emplace_back(TRY(ctx->store.temp("add-git")));
  std::string path = fmt::format("{}/tmp/{}/repo", ctx->store.paths().root, dir.name());
  std::vector<std::string> shallow = {"clone", "--quiet", "--depth", "1"};
  if (!ref.empty()) shallow.insert(shallow.end(), {"--branch", ref});
  shallow.insert(shallow.end(), {"--", url, path});
  if (TRY(git(shallow)) != 0) {
    // REF may be a commit rather than a branch or tag: the whole history, then that commit
    (void)sys::remove_tree(dir.fd(), "repo");
    if (ref.empty() || TRY(git({"clone", "--quiet", "--", url, path})) != 0 ||
        TRY(git({"-C", path, "-c", "advice.detachedHead=false", "checkout", "--quiet", ref})) != 0)
      return fail(Errc::not_found, "ADD {}: git could not clone it{}", src, ref.empty() ? "" : " at " + ref);
  }
  auto repo = TRY(sys::open_at(dir.fd(), "repo", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!spec.keep_git_dir) TRY(sys::remove_tree(repo.get(), ".git"));
  std::string rel = clean_path("/" + sub).substr(1);
  auto fd = TRY(context(sys::open_in_root(repo.get(), rel.empty() ? "." : rel, O_PATH | O_CLOEXEC), "ADD " + src));
  ignore = nullptr;  // the context's ignore rules are not the repository's
  return add_resolved(std::move(fd), "", spec, false);
}

// git ARGS with its errors on our stderr and no prompt for a password; its exit status.
Result<int> CopyJob::Impl::git(const std::vector<std::string>& args) const {
  static const std::string path = sys::find_executable("git");
  if (path.empty()) return fail(Errc::unsupported, "ADD of a git repository needs git, which is not installed");
  ::setenv("GIT_TERMINAL_PROMPT", "0", 1);
  std::vector<std::string> argv = {"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  sys::SpawnOptions so;
  so.fds = {{2, 2}};
  pid_t pid = TRY(sys::spawn(path, argv, so));
  return sys::exit_code_of(TRY(sys::wait_child(pid)));
}

bool is_git_source(const std::string& s) {
  std::string base = s.substr(0, s.find('#'));
  return s.starts_with("git://") || s.starts_with("git@") || s.starts_with("github.com/") ||
         ((s.starts_with("http://") || s.starts_with("https://")) && base.ends_with(".git"));
}

Result<void> CopyJob::Impl::add_resolved(sys::UniqueFd fd, const std::string& rel, const CopySpec& spec, bool many) {
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return fail_errno("stat {}", rel);
  Item it;
  it.rel = rel;
  it.dir = S_ISDIR(st.st_mode);
  if (!it.dir && spec.add && S_ISREG(st.st_mode)) {
    sys::UniqueFd r(::open(fmt::format("/proc/self/fd/{}", fd.get()).c_str(), O_RDONLY | O_CLOEXEC));
    it.extract = r && is_archive(r.get());
  }
  bool into = it.dir || it.extract || many;
  if (!into) {  // one file: dest is its name, unless the image has a directory there
    auto d = sys::open_in_root(cur->root(), spec.dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
    into = d.has_value();
  }
  it.dest =
      clean_path(it.dir || it.extract || !into ? spec.dest : spec.dest + "/" + base_name(rel.empty() ? "." : rel));
  it.src = std::move(fd);
  items.push_back(std::move(it));
  return {};
}

// --chown=user[:group]: numbers, or names from the image's /etc/passwd and /etc/group. A user
// without a group gives its number to both, as Docker.
Result<void> CopyJob::Impl::owner(const std::string& chown) {
  auto colon = chown.find(':');
  std::string u = chown.substr(0, colon), g = colon == std::string::npos ? "" : chown.substr(colon + 1);
  auto lookup = [&](const std::string& name, const char* file) -> Result<std::uint32_t> {
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos && name.size() < 11)
      return static_cast<std::uint32_t>(std::stoul(name));
    auto fd = sys::open_in_root(cur->root(), file, O_RDONLY | O_CLOEXEC);
    std::string text = fd ? sys::read_all(fd->get(), 1 << 20).value_or("") : "";
    for (const auto& line : split(text, '\n')) {
      auto f = split(line, ':');
      if (f.size() > 2 && f[0] == name && !f[2].empty() && f[2].find_first_not_of("0123456789") == std::string::npos)
        return static_cast<std::uint32_t>(std::stoul(f[2]));
    }
    return fail(Errc::usage, "--chown={}: no {} \"{}\" in the image's {}", chown,
                std::string_view(file).ends_with("passwd") ? "user" : "group", name, file);
  };
  uid = TRY(lookup(u, "/etc/passwd"));
  gid = g.empty() ? uid : TRY(lookup(g, "/etc/group"));
  return {};
}

void CopyJob::Impl::hash_tree(Sha256& h, Node n, const std::string& rel, const std::string& shown) const {
  struct stat st {};
  if (stat_node(n, &st) != 0) return;
  std::string head = fmt::format("{}\n{:o} {}\n", shown, st.st_mode, S_ISREG(st.st_mode) ? st.st_size : 0);
  h.update(head.data(), head.size());
  if (S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t len = ::readlinkat(n.dir, n.name, buf, sizeof buf);
    if (len > 0) h.update(buf, static_cast<size_t>(len));
  } else if (S_ISREG(st.st_mode)) {
    sys::UniqueFd r(open_node(n, O_RDONLY));
    char buf[1 << 16];
    ssize_t len;
    off_t left = st.st_size;  // no read for the end: the size says where it is
    while (r && left > 0 && (len = ::read(r.get(), buf, sizeof buf)) > 0) {
      h.update(buf, static_cast<size_t>(len));
      left -= len;
    }
  } else if (S_ISDIR(st.st_mode)) {
    sys::UniqueFd dir(open_node(n, O_RDONLY | O_DIRECTORY));
    if (!dir) return;
    auto names = sys::list_dir(dir.get(), ".").value_or(std::vector<std::string>{});
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::string r = rel.empty() ? name : rel + "/" + name;
      if (!skipped(r)) hash_tree(h, Node{dir.get(), name.c_str()}, r, shown + "/" + name);
    }
  }
}

// `path` (absolute in the image) with the symlinks of its parents followed inside the image,
// as the copy would land through them.
Result<std::string> CopyJob::Impl::resolve_dest(const std::string& path) const {
  std::vector<std::string> todo;
  for (const auto& p : split(path, '/'))
    if (!p.empty() && p != ".") todo.push_back(p);
  std::reverse(todo.begin(), todo.end());
  std::vector<std::string> done;
  int links = 0;
  while (todo.size() > 1) {  // the last component itself is what the copy makes
    std::string name = todo.back();
    todo.pop_back();
    if (name == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    std::string here;
    for (const auto& d : done) here += "/" + d;
    here += "/" + name;
    char buf[4096];
    ssize_t n = ::readlinkat(cur->root(), here.substr(1).c_str(), buf, sizeof buf - 1);
    if (n <= 0) {
      done.push_back(name);
      continue;
    }
    if (++links > 40) return fail(Errc::usage, "{}: too many levels of symbolic links in the image", path);
    std::string target(buf, static_cast<size_t>(n));
    if (target.starts_with('/')) done.clear();
    auto parts = split(target, '/');
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      if (!it->empty() && *it != ".") todo.push_back(*it);
  }
  std::string out;
  for (const auto& d : done) out += "/" + d;
  for (const auto& t : todo) out += "/" + t;
  return out.empty() ? std::string("/") : out;
}

namespace {

std::string join_rel(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }

}  // namespace

image::LayerTarWriter::Meta CopyJob::Impl::meta(const struct stat& st, bool keep_mode) const {
  image::LayerTarWriter::Meta m;
  m.mode = chmod && !keep_mode ? *chmod : (st.st_mode & 07777);
  m.uid = uid;
  m.gid = gid;
  m.mtime_sec = mtime_override >= 0 ? mtime_override : st.st_mtim.tv_sec;
  m.mtime_nsec = mtime_override >= 0 ? 0 : st.st_mtim.tv_nsec;
  return m;
}

// The parents of `path` (absolute, resolved) as directory entries, each once, as the image has
// it (mode, owner, time) or, when the image has none, 0755, root's and now.
Result<void> CopyJob::Impl::tar_parents(image::LayerTarWriter& w, const std::string& path,
                                        std::set<std::string>& done) const {
  std::string sofar;
  auto parts = split(path, '/');
  for (size_t i = 0; i + 1 < parts.size(); i++) {
    if (parts[i].empty() || parts[i] == ".") continue;
    sofar = join_rel(sofar, parts[i]);
    if (!done.insert(sofar).second) continue;
    struct stat img {};
    image::LayerTarWriter::Meta m;
    if (::fstatat(cur->root(), sofar.c_str(), &img, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(img.st_mode)) {
      m = {img.st_mode & 07777, img.st_uid, img.st_gid, img.st_mtim.tv_sec, img.st_mtim.tv_nsec};
    } else {
      m = {0755, 0, 0, static_cast<long long>(std::time(nullptr)), 0};
    }
    if (mtime_override >= 0) m.mtime_sec = mtime_override, m.mtime_nsec = 0;
    TRY(w.dir(sofar, m));
  }
  return {};
}

// The tree at `src` as entries named `name` and below (with `as_content`, only what is below).
Result<void> CopyJob::Impl::tar_tree(image::LayerTarWriter& w, Node src, const std::string& rel,
                                     const std::string& name, bool as_content) const {
  struct stat st {};
  if (stat_node(src, &st) != 0) return fail_errno("stat {}", rel);
  if (S_ISREG(st.st_mode)) {
    sys::UniqueFd in(open_node(src, O_RDONLY));
    if (!in) return fail_errno("open {}", rel);
    return w.file(name, meta(st, false), in.get(), st.st_size);
  }
  if (S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = ::readlinkat(src.dir, src.name, buf, sizeof buf);
    if (n < 0) return fail_errno("readlink {}", rel);
    return w.symlink(name, meta(st, true), std::string(buf, static_cast<size_t>(n)));
  }
  if (!S_ISDIR(st.st_mode)) return {};  // fifos, sockets and devices stay behind, as BuildKit's
  if (!as_content) TRY(w.dir(name, meta(st, false)));
  sys::UniqueFd dir(open_node(src, O_RDONLY | O_DIRECTORY));
  if (!dir) return fail_errno("open {}", rel);
  auto names = TRY(sys::list_dir(dir.get(), "."));
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    if (!skipped(r)) TRY(tar_tree(w, Node{dir.get(), n.c_str()}, r, join_rel(name, n), false));
  }
  return {};
}

Result<void> CopyJob::write_tar(int out_fd, std::uint64_t* file_bytes) const {
  const Impl& m = *impl_;
  auto w = TRY(image::LayerTarWriter::open(out_fd));
  std::set<std::string> dirs;
  for (const auto& it : m.items) {
    std::string dest = TRY(m.resolve_dest(it.dest == "/" ? "/." : it.dest));
    bool into_dir = it.dir || it.extract;
    TRY(m.tar_parents(*w, into_dir ? dest + "/." : dest, dirs));
    std::string target = dest == "/" ? "" : dest.substr(1);
    if (!it.src) {  // a heredoc
      struct stat st {};
      st.st_mode = 0644;
      st.st_mtim.tv_sec = std::time(nullptr);
      TRY(w->data(target, m.meta(st, false), it.content));
    } else if (it.extract) {
      sys::UniqueFd in(open_node(Node{it.src.get(), ""}, O_RDONLY));
      if (!in) return fail_errno("open {}", it.rel);
      TRY(context(w->append_archive(in.get(), target), "ADD " + it.rel));
    } else {
      TRY(m.tar_tree(*w, Node{it.src.get(), ""}, it.rel, target, it.dir));
    }
  }
  TRY(w->finish());
  *file_bytes = w->file_bytes();
  return {};
}

}  // namespace berth::engine

// From a container's record and its image to a runtime::Spec: make_spec (pure) and the
// build_spec that gathers its inputs.
#include "berth/engine/spec.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"
#include "berth/image/load.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "sdnotify.hpp"

namespace berth::engine {

namespace {

constexpr size_t kMax = 16 << 20;

// The environment: containers.conf's, the image's, berth's defaults, then the flags' (later
// wins).
std::vector<std::string> container_env(const store::ContainerConfig& c, const image::ImageConfig& ic,
                                       const runtime::Spec& spec, const std::string& home, const SpecInputs& in) {
  std::vector<std::string> env;
  auto set_env = [&](const std::string& kv) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    env.push_back(kv);
  };
  if (!c.unsetenv_all) {
    for (const auto& e : c.default_env)
      if (e.find('=') != std::string::npos) set_env(e);
    for (const auto& e : ic.env)
      if (e.find('=') != std::string::npos)
        set_env(e);
      else
        env.push_back(e);
  }
  bool has_path = false, has_home = false, has_term = false;
  for (const auto& e : env) {
    has_path |= e.starts_with("PATH=");
    has_home |= e.starts_with("HOME=");
    has_term |= e.starts_with("TERM=");
  }
  // berth's defaults, as podman's (--unsetenv-all: none of them; HOME stays)
  if (!has_path && !c.unsetenv_all) set_env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!has_home) set_env("HOME=" + home);
  if (!c.unsetenv_all) {
    set_env("container=berth");
    set_env("HOSTNAME=" + spec.hostname);
    if (c.tty || !has_term) set_env("TERM=xterm");  // podman's default env has it, tty or not
  }
  std::erase_if(env, [&](const std::string& e) {
    return std::ranges::find(c.unsetenv, e.substr(0, e.find('='))) != c.unsetenv.end();
  });
  for (const auto& e : c.env)
    if (e.find('=') != std::string::npos) set_env(e);  // bare KEYs were resolved at create
  // The unit's notify socket is berth's: never the container's, except through the relay.
  std::erase_if(env, [](const std::string& e) {
    return e.starts_with("NOTIFY_SOCKET=") || e.starts_with("LISTEN_PID=") || e.starts_with("LISTEN_FDS=") ||
           e.starts_with("LISTEN_FDNAMES=");
  });
  if (c.sdnotify == "container" && in.notify_socket) set_env(std::string("NOTIFY_SOCKET=") + detail::kNotifySocket);
  return env;
}

// The user, its groups from the image's /etc/group, and --group-add.
Result<std::string> apply_user(const store::ContainerConfig& c, const image::ImageConfig& ic, const SpecInputs& in,
                               runtime::Spec& spec) {
  auto ids = TRY(resolve_user(c.user.empty() ? ic.user : c.user, in.passwd, in.group));
  spec.uid = ids.uid;
  spec.gid = ids.gid;
  spec.groups.assign(ids.groups.begin(), ids.groups.end());
  for (const auto& g : c.group_add) {
    if (g == "keep-groups") continue;
    auto gid = resolve_user("0:" + g, "", in.group);
    if (!gid) return fail(Errc::not_found, "unable to find group {}: no matching entries in group file", g);
    if (std::find(spec.groups.begin(), spec.groups.end(), gid->gid) == spec.groups.end())
      spec.groups.push_back(gid->gid);
  }
  return ids.home;
}

// berth's own files (/etc/hostname, hosts, resolv.conf, the notify dir, --init) and the
// user's volumes and tmpfs mounts, carried as they were parsed at create.
void add_mounts(const store::ContainerConfig& c, const SpecInputs& in, runtime::Spec& spec) {
  if (c.sdnotify == "container" && in.notify_socket)
    spec.binds.push_back({in.run_dir + "/notify", detail::kNotifyDir, false, false, false});
  if (c.init) spec.binds.push_back({in.init_path, "/run/berth-init", true, true, false});
  if (!in.for_exec)
    for (const char* f : {"hostname", "hosts", "resolv.conf"})
      if (!(c.no_hosts && std::string_view(f) == "hosts"))
        spec.binds.push_back({fmt::format("{}/{}", in.run_dir, f), fmt::format("/etc/{}", f), false, true, false});
  if (!in.for_exec && in.own_passwd) spec.binds.push_back({in.run_dir + "/passwd", "/etc/passwd", false, true, false});
  // --tz: the zone's file of the host's database (local: what the host's /etc/localtime is)
  if (!in.for_exec && !c.timezone.empty()) {
    std::string zone = c.timezone == "local" ? "/etc/localtime" : "/usr/share/zoneinfo/" + c.timezone;
    spec.binds.push_back({zone, "/etc/localtime", true, true, false});
  }
  // how programs tell they run in a container (podman's file: empty unless --privileged)
  if (!in.for_exec) spec.binds.push_back({in.run_dir + "/containerenv", "/run/.containerenv", true, true, false});
  for (const auto& v : c.volumes) spec.binds.push_back({v.source, v.target, v.read_only, v.is_file, true});
  for (const auto& t : c.tmpfs) spec.tmpfs.push_back({t.target, t.options});
}

}  // namespace

std::string passwd_with_user(std::string_view passwd, std::uint32_t uid, std::uint32_t gid, std::string_view name,
                             std::string_view home) {
  for (const auto& line : split(passwd, '\n')) {
    auto f = split(line, ':');
    if (f.size() >= 3 && f[2] == std::to_string(uid)) return "";
  }
  std::string out(passwd);
  if (!out.empty() && !out.ends_with('\n')) out += '\n';
  return out + fmt::format("{}:*:{}:{}:{}:{}:/bin/sh\n", name, uid, gid, name, home);
}

std::optional<std::uint32_t> parse_id(std::string_view s) {
  if (!all_digits(s) || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char ch : s) v = v * 10 + static_cast<std::uint64_t>(ch - '0');
  if (v > kMaxId) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

Result<void> check_user_spec(std::string_view spec) {
  auto colon = spec.find(':');
  std::string_view parts[] = {spec.substr(0, colon), colon == std::string_view::npos ? "" : spec.substr(colon + 1)};
  for (auto part : parts)
    if (all_digits(part) && !parse_id(part))
      return fail(Errc::usage, "invalid user \"{}\": ids must be between 0 and {}", spec, kMaxId);
  return {};
}

Result<UserIds> resolve_user(std::string_view spec, std::string_view passwd, std::string_view group) {
  UserIds ids;
  std::string user(spec.substr(0, spec.find(':')));
  std::string grp = spec.find(':') == std::string_view::npos ? "" : std::string(spec.substr(spec.find(':') + 1));
  if (user.empty()) user = "0";
  // A number is an id; one that does not fit is refused, never wrapped (4294967295 would be
  // -1, which setresuid reads as "unchanged": root). runc's limit, 2^31-1.
  auto id_of = [](const std::string& s, const char* what) -> Result<std::optional<std::uint32_t>> {
    if (!all_digits(s)) return std::optional<std::uint32_t>{};
    auto v = parse_id(s);
    if (!v) return fail(Errc::usage, "invalid {} \"{}\": ids must be between 0 and {}", what, s, kMaxId);
    return v;
  };
  auto uid_num = TRY(id_of(user, "user"));
  auto gid_num = TRY(id_of(grp, "group"));
  bool found = false;
  std::string name;
  for (const auto& line : split(passwd, '\n')) {
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    auto u = parse_id(f[2]), g = parse_id(f[3]);
    if (!u || !g) continue;  // an entry with an id out of range is no entry
    if (f[0] == user || (uid_num && *u == *uid_num)) {
      ids.uid = *u;
      ids.gid = *g;
      ids.home = f[5].empty() ? "/" : f[5];
      name = f[0];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!uid_num) return fail(Errc::not_found, "unable to find user {}: no matching entries in passwd file", user);
    ids.uid = *uid_num;
    ids.gid = 0;
  }
  auto groups = split(group, '\n');
  if (!grp.empty()) {
    bool gfound = false;
    for (const auto& line : groups) {
      auto f = split(line, ':');
      if (f.size() < 3) continue;
      auto g = parse_id(f[2]);
      if (g && (f[0] == grp || (gid_num && *g == *gid_num))) {
        ids.gid = *g;
        gfound = true;
        break;
      }
    }
    if (!gfound) {
      if (!gid_num) return fail(Errc::not_found, "unable to find group {}: no matching entries in group file", grp);
      ids.gid = *gid_num;
    }
  }
  // Supplementary groups from the image's /etc/group (CVE-2023-25173).
  if (!name.empty())
    for (const auto& line : groups) {
      auto f = split(line, ':');
      if (f.size() < 4) continue;
      auto g = parse_id(f[2]);
      if (!g) continue;
      for (const auto& m : split(f[3], ','))
        if (m == name && *g != ids.gid) ids.groups.push_back(*g);
    }
  return ids;
}

Result<std::uint64_t> capabilities(const std::vector<std::string>& add, const std::vector<std::string>& drop) {
  std::uint64_t caps = runtime::default_caps();
  for (const auto& c : drop) caps &= ~TRY(runtime::cap_mask(c));
  for (const auto& c : add) caps |= TRY(runtime::cap_mask(c));
  return caps;
}

Result<void> apply_security_opts(const std::vector<std::string>& opts, runtime::Spec& spec) {
  for (const auto& opt : opts) {
    if (opt == "no-new-privileges" || opt == "no-new-privileges=true" || opt == "no-new-privileges:true") {
      spec.no_new_privs = true;
    } else if (opt == "no-new-privileges=false" || opt == "no-new-privileges:false") {
      spec.no_new_privs = false;
    } else if (opt == "seccomp=unconfined" || opt == "seccomp:unconfined") {
      spec.seccomp = false;
    } else if (opt.starts_with("seccomp=") || opt.starts_with("seccomp:")) {
      continue;  // a profile file: read at create time into the record (seccomp_profile)
    } else if (opt.starts_with("mask=")) {
      for (const auto& p : split(opt.substr(5), ':')) spec.masked.push_back(p);
    } else if (opt.starts_with("unmask=")) {
      for (const auto& p : split(opt.substr(7), ':')) {
        if (p == "ALL") {
          spec.masked.clear();
          spec.readonly_paths.clear();
          continue;
        }
        std::erase(spec.masked, p);
        std::erase(spec.readonly_paths, p);
      }
    } else if (!opt.starts_with("label=")) {
      return fail(Errc::usage, "invalid --security-opt \"{}\"", opt);
    }
  }
  return {};
}

namespace {

// keep-id[:uid=N,gid=N]: the ids the user has inside (default: the same as outside).
Result<void> keep_id_options(std::string_view opts, std::uint32_t& uid, std::uint32_t& gid) {
  for (const auto& o : split(opts, ',')) {
    auto eq = o.find('=');
    std::string k = o.substr(0, eq);
    auto v = parse_id(eq == std::string::npos ? "" : std::string_view(o).substr(eq + 1));
    if ((k != "uid" && k != "gid") || !v)
      return fail(Errc::usage, "invalid --userns keep-id option \"{}\": use uid=N or gid=N", o);
    (k == "uid" ? uid : gid) = *v;
  }
  return {};
}

// Every host id of `m` exists in the namespace berth runs in (`self`).
Result<void> check_within(const IdMap& m, const IdMap& self, std::string_view flag) {
  std::uint64_t size = contiguous_size(self);
  for (const auto& r : m)
    if (std::uint64_t{r.host} + r.size > size)
      return fail(Errc::usage,
                  "{} {}:{}:{}: berth's user namespace has ids 0 to {} (the user's ranges in /etc/subuid and "
                  "/etc/subgid, after the user's own id)",
                  flag, r.container, r.host, r.size, size - 1);
  return {};
}

}  // namespace

std::string ContainerIdMaps::key() const {
  // FNV-1a: a name, not a security boundary; sha256 here would load libcrypto on the run path
  std::uint64_t h = 14695981039346656037ULL;
  for (char ch : idmap_string(uid) + ";" + idmap_string(gid))
    h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  return fmt::format("{:016x}", h);
}

namespace {

bool auto_mode(std::string_view mode) { return mode == "auto" || mode.starts_with("auto:"); }

// keep-id[:uid=N,gid=N]: the user inside as outside, every other id kept in order.
Result<void> keep_id_maps(std::string_view mode, ContainerIdMaps& m) {
  if (!sys::rootless()) return fail(Errc::usage, "keep-id is only supported in rootless mode");
  // the user: whom id 0 of berth's namespace is
  std::uint32_t uid = m.parent_uid.empty() ? 0 : m.parent_uid[0].host;
  std::uint32_t gid = m.parent_gid.empty() ? 0 : m.parent_gid[0].host;
  if (auto colon = mode.find(':'); colon != std::string::npos) TRY(keep_id_options(mode.substr(colon + 1), uid, gid));
  m.uid = keep_id_map(uid, contiguous_size(m.parent_uid));
  m.gid = keep_id_map(gid, contiguous_size(m.parent_gid));
  m.keep_id = true;
  m.default_user = fmt::format("{}:{}", uid, gid);
  return {};
}

}  // namespace

Result<std::optional<ContainerIdMaps>> container_idmaps(const store::ContainerConfig& c) {
  const std::string& mode = c.userns;
  bool maps = !c.uidmap.empty() || !c.gidmap.empty();
  if ((mode.empty() || mode == "host") && !maps) return std::nullopt;
  // auto's ranges were chosen at create and stored as maps
  if (!mode.empty() && !auto_mode(mode) && maps)
    return fail(Errc::usage, "--userns and --uidmap/--gidmap cannot be used together");
  ContainerIdMaps m;
  m.parent_uid = parse_proc_idmap(sys::read_host_file("/proc/self/uid_map", 1 << 16).value_or(""));
  m.parent_gid = parse_proc_idmap(sys::read_host_file("/proc/self/gid_map", 1 << 16).value_or(""));
  if (maps) {  // as podman: one of the two stands for both
    m.uid = TRY(c.uidmap.empty() ? parse_idmap(c.gidmap, "--gidmap") : parse_idmap(c.uidmap, "--uidmap"));
    m.gid = TRY(c.gidmap.empty() ? parse_idmap(c.uidmap, "--uidmap") : parse_idmap(c.gidmap, "--gidmap"));
    TRY(check_within(m.uid, m.parent_uid, "--uidmap"));
    TRY(check_within(m.gid, m.parent_gid, "--gidmap"));
    return m;
  }
  if (auto_mode(mode)) return fail(Errc::usage, "--userns=auto: no ranges were allocated for this container");
  if (mode == "nomap") {  // the subordinate ids only: the user's own id stays outside
    if (!sys::rootless()) return fail(Errc::usage, "nomap is only supported in rootless mode");
    std::uint32_t usize = contiguous_size(m.parent_uid), gsize = contiguous_size(m.parent_gid);
    if (usize < 2 || gsize < 2)
      return fail(Errc::usage, "--userns=nomap needs subordinate ids (`berth system check` says how to add them)");
    m.uid = {{0, 1, usize - 1}};
    m.gid = {{0, 1, gsize - 1}};
    return m;
  }
  if (mode != "keep-id" && !mode.starts_with("keep-id:"))
    return fail(Errc::usage, "unsupported --userns \"{}\": use host, keep-id[:uid=N,gid=N], nomap or auto[:size=N]",
                mode);
  TRY(keep_id_maps(mode, m));
  return m;
}

namespace {

// The ids --userns=auto may hand out: rootless, the subordinate ids of berth's namespace (all
// but 0, the user); as root, the ranges /etc/subuid and /etc/subgid give the user
// "containers", as podman's.
Result<IdMap> auto_pool(const IdMap& self, const char* file) {
  if (sys::rootless()) {
    std::uint32_t size = contiguous_size(self);
    if (size < 2) return IdMap{};
    return IdMap{{0, 1, size - 1}};
  }
  IdMap pool;
  for (auto r : sys::find_subids(sys::read_host_file(file, 1 << 20).value_or(""), "containers", uid_t(-1)))
    pool.push_back({0, r.start, r.count});
  if (pool.empty())
    return fail(Errc::usage,
                "--userns=auto: {} has no range for the user \"containers\" (add one, e.g. "
                "containers:2147483647:2147483648, as podman's)",
                file);
  return pool;
}

std::string read_image_file(const store::Store& s, const std::vector<ChainId>& layers, const std::string& path);

// The most ids the image's users and groups name, plus one (podman sizes auto's ranges so).
std::uint32_t image_id_need(const store::Store& s, const store::ImageRecord& img) {
  std::uint64_t top = 0;
  for (const char* f : {"etc/passwd", "etc/group"})
    for (const auto& line : split(read_image_file(s, img.layers, f), '\n')) {
      auto fields = split(line, ':');
      if (fields.size() > 2)
        if (auto id = parse_id(fields[2]); id && *id < 65536) top = std::max<std::uint64_t>(top, *id + 1ULL);
    }
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(top, 1024, 65536));
}

}  // namespace

Result<void> allocate_auto_userns(const store::Store& s, const store::ImageRecord& img, store::ContainerConfig& c) {
  if (!auto_mode(c.userns)) return {};
  if (!c.uidmap.empty() || !c.gidmap.empty())
    return fail(Errc::usage, "--userns and --uidmap/--gidmap cannot be used together");
  std::uint32_t size = 0;
  if (c.userns.size() > 5)
    for (const auto& o : split(c.userns.substr(5), ',')) {
      auto v = o.starts_with("size=") ? parse_id(std::string_view(o).substr(5)) : std::nullopt;
      if (!v || *v == 0) return fail(Errc::usage, "invalid --userns auto option \"{}\": use size=N", o);
      size = *v;
    }
  if (size == 0) size = image_id_need(s, img);
  IdMap taken_u, taken_g;
  for (const auto& r : TRY(store::read_containers(s)))
    if (auto_mode(r.config.userns) && r.config.id != c.id) {
      for (const auto& x : parse_idmap(r.config.uidmap, "--uidmap").value_or(IdMap{})) taken_u.push_back(x);
      for (const auto& x : parse_idmap(r.config.gidmap, "--gidmap").value_or(IdMap{})) taken_g.push_back(x);
    }
  IdMap self_u = parse_proc_idmap(sys::read_host_file("/proc/self/uid_map", 1 << 16).value_or(""));
  IdMap self_g = parse_proc_idmap(sys::read_host_file("/proc/self/gid_map", 1 << 16).value_or(""));
  auto u = free_block(TRY(auto_pool(self_u, "/etc/subuid")), taken_u, size);
  auto g = free_block(TRY(auto_pool(self_g, "/etc/subgid")), taken_g, size);
  if (!u || !g)
    return fail(Errc::usage,
                "--userns=auto: no free range of {} ids is left (other containers hold them; "
                "a smaller size=N may fit)",
                size);
  c.uidmap = {fmt::format("0:{}:{}", *u, size)};
  c.gidmap = {fmt::format("0:{}:{}", *g, size)};
  return {};
}

Result<std::vector<std::string>> container_lowers(const store::Store& s, const store::ImageRecord& img,
                                                  const std::optional<ContainerIdMaps>& maps, bool mountpoints) {
  std::vector<std::string> out;
  if (!maps) {
    if (mountpoints) out.push_back(TRY(s.mountpoints()));
    for (auto it = img.layers.rbegin(); it != img.layers.rend(); ++it) out.push_back(s.layer_diff_abs(*it));
    return out;
  }
  // its own user namespace: everything owned as its root and its users need it
  if (mountpoints)
    out.push_back(TRY(
        s.mountpoints(std::pair<uid_t, gid_t>{to_host(maps->uid, 0).value_or(0), to_host(maps->gid, 0).value_or(0)})));
  auto mapped = TRY(image::ensure_mapped(s, img.layers, {maps->uid, maps->gid, maps->key()}));
  out.insert(out.end(), mapped.rbegin(), mapped.rend());
  return out;
}

Result<std::string> init_binary() {
  for (const char* p : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit", "/usr/bin/tini-static", "/usr/bin/tini"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return fail(Errc::not_found, "--init needs catatonit or tini-static on the host (apt-get install catatonit)");
}

Result<runtime::Spec> make_spec(const store::ContainerConfig& c, const image::ImageConfig& ic, const SpecInputs& in) {
  runtime::Spec spec;
  spec.lowers = in.lowers;
  spec.layers_dir = in.layers_dir;
  spec.upper = in.container_dir + "/upper";
  spec.work = in.container_dir + "/work";
  spec.merged = in.container_dir + "/merged";
  spec.rootless = in.rootless;
  spec.userxattr = in.rootless;
  spec.volatile_upper = c.rm;
  spec.full_idmap = !in.rootless || in.full_idmap;
  if (in.idmaps) {  // a user namespace of its own, made by the runtime (berth mounts the overlay)
    spec.uid_map = proc_idmap_text(split_at(in.idmaps->uid, in.idmaps->parent_uid));
    spec.gid_map = proc_idmap_text(split_at(in.idmaps->gid, in.idmaps->parent_gid));
  }
  spec.hostname = c.hostname.empty() ? c.id.substr(0, 12) : c.hostname;
  spec.net_host = c.network == "host";
  spec.read_only = c.read_only;
  spec.privileged = c.privileged;
  spec.umask = static_cast<unsigned>(c.umask) & 0777;
  spec.caps = TRY(capabilities(c.cap_add, c.cap_drop));
  spec.masked = runtime::default_masked_paths();
  spec.readonly_paths = runtime::default_readonly_paths();
  TRY(apply_security_opts(c.security_opt, spec));
  std::string home = TRY(apply_user(c, ic, in, spec));
  spec.env = container_env(c, ic, spec, home, in);
  spec.argv = c.command;
  // The image's WORKDIR is resolved inside the root by the child; relative means from "/".
  spec.cwd = clean_path(!c.workdir.empty() ? c.workdir : ic.workdir.empty() ? "/" : ic.workdir);
  spec.create_cwd = c.workdir.empty();  // podman makes the image's WORKDIR, never a -w one
  spec.stdin_open = c.interactive;
  spec.limits.memory = c.memory;
  spec.limits.pids = c.pids_limit;
  spec.limits.cpus = c.cpus;
  spec.cgroup_name = "berth-" + c.id.substr(0, 12);
  spec.seccomp_profile = c.seccomp_profile;
  spec.seccomp_cache = in.seccomp_cache;
  for (const auto& u : c.ulimits) spec.rlimits.push_back(TRY(runtime::parse_ulimit(u)));
  add_mounts(c, in, spec);
  // As podman's catatonit: PID 1 is the init, which forwards signals and reaps zombies.
  if (c.init) spec.argv.insert(spec.argv.begin(), {"/run/berth-init", "--"});
  return spec;
}

namespace {

// The newest copy of `path` in the image's layers (top first); empty when absent or deleted.
std::string read_image_file(const store::Store& s, const std::vector<ChainId>& layers, const std::string& path) {
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    auto dir = sys::open_beneath(s.root(), s.layer_dir(*it) + "/diff", O_RDONLY | O_DIRECTORY, 0, true);
    if (!dir) continue;
    struct stat st;
    if (::fstatat(dir->get(), path.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (!S_ISREG(st.st_mode)) return "";  // a whiteout or something odd: treat as absent
    auto text = sys::read_file_at(dir->get(), path, 1 << 20);
    return text ? *text : "";
  }
  return "";
}

// /etc/hostname, /etc/hosts and /etc/resolv.conf for the container, made at each start in
// RUNROOT/containers/ID (a tmpfs, as podman's userdata: no disk inodes made and freed per run).
// --add-host lines come after localhost; a bridge container's own address is added by its
// network's start (net_hosts_lines); --dns, --dns-search and --dns-option replace the host's.
Result<void> write_etc_files(const store::Store& s, const store::ContainerConfig& c, const std::string& hostname) {
  auto dir = TRY(store::open_run_dir(s, c.id));
  TRY(sys::write_replace(dir.get(), "hostname", hostname + "\n", 0644));
  std::string env;
  if (c.privileged)
    env = fmt::format("engine=\"berth-{}\"\nname=\"{}\"\nid=\"{}\"\nimage=\"{}\"\nimageid=\"{}\"\nrootless={}\n",
                      BERTH_VERSION, c.name, c.id, c.image, c.image_id.hex(), sys::rootless() ? 1 : 0);
  TRY(sys::write_replace(dir.get(), "containerenv", env, 0644));
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";
  for (const auto& h : c.add_host)
    hosts += fmt::format("{}\t{}\n", h.substr(h.find(':') + 1), h.substr(0, h.find(':')));
  if (c.network != "bridge") hosts += fmt::format("127.0.1.1\t{}\n", hostname);
  TRY(sys::write_replace(dir.get(), "hosts", hosts, 0644));
  std::string resolv = sys::read_host_file("/etc/resolv.conf", 1 << 16).value_or("");
  if (!c.dns.empty() || !c.dns_search.empty() || !c.dns_option.empty()) {
    std::string keep;
    for (const auto& line : split(resolv, '\n')) {
      bool ns = line.starts_with("nameserver"), search = line.starts_with("search") || line.starts_with("domain"),
           opt = line.starts_with("options");
      if ((ns && !c.dns.empty()) || (search && !c.dns_search.empty()) || (opt && !c.dns_option.empty())) continue;
      if (!line.empty()) keep += line + "\n";
    }
    if (!c.dns_search.empty() && c.dns_search != std::vector<std::string>{"."}) {
      keep += "search";
      for (const auto& d : c.dns_search) keep += " " + d;
      keep += "\n";
    }
    for (const auto& d : c.dns)
      if (d != "none") keep += "nameserver " + d + "\n";
    if (!c.dns_option.empty()) {
      keep += "options";
      for (const auto& o : c.dns_option) keep += " " + o;
      keep += "\n";
    }
    resolv = keep;
  }
  TRY(sys::write_replace(dir.get(), "resolv.conf", resolv, 0644));
  return {};
}

// --network container:ID (running: its namespace) and ns:PATH; the same for uts and ipc.
Result<std::string> ns_to_join(const store::Store& s, const store::ContainerConfig& c, const std::string& mode,
                               const char* ns) {
  if (mode.starts_with("ns:")) return mode.substr(3);
  if (!mode.starts_with("container:")) return std::string();
  std::string_view word = std::string_view(ns) == "net" ? "network" : ns;
  auto target = store::read_container(s, mode.substr(10));
  if (!target) return fail(Errc::not_found, "the container whose {} namespace {} joins is gone", word, c.name);
  if (!target->state.alive())
    return fail(Errc::conflict, "container {} is not running: {} cannot join its {} namespace", target->config.name,
                c.name, word);
  return fmt::format("/proc/{}/ns/{}", target->state.pid, ns);
}

}  // namespace

namespace {

// The root directory and the files berth puts in /etc belong to the container's root, as in a
// container without a user namespace of its own (podman's do too).
Result<void> own_for_container_root(const store::Store& s, const std::string& id, const ContainerIdMaps& maps) {
  uid_t u = to_host(maps.uid, 0).value_or(0);
  gid_t g = to_host(maps.gid, 0).value_or(0);
  if (::chown((store::container_dir(s, id) + "/upper").c_str(), u, g) != 0)
    return fail_errno("chown the container's upper dir");
  auto dir = TRY(store::open_run_dir(s, id));
  for (const char* f : {"hostname", "hosts", "resolv.conf", "passwd"})
    if (::fchownat(dir.get(), f, u, g, AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT)
      return fail_errno("chown the container's /etc/{}", f);
  return {};
}

}  // namespace

Result<runtime::Spec> build_spec(const store::Store& s, const store::ContainerRecord& rec, bool for_exec) {
  const store::ContainerConfig& c = rec.config;
  auto img = TRY(context(s.image(c.image_id), "the container's image"));
  auto blob = TRY(parse_json(TRY(s.read_blob(c.image_id, kMax)), "image config"));
  if (!for_exec) TRY(image::ensure_unpacked(s, img.layers));  // a committed image's, on its first start
  SpecInputs in;
  in.idmaps = TRY(container_idmaps(c));
  in.lowers = TRY(container_lowers(s, img, in.idmaps, true));
  in.layers_dir = s.paths().root + "/layers";
  in.container_dir = store::container_dir(s, rec.id);
  in.run_dir = store::container_run_dir(s, rec.id);
  in.passwd = read_image_file(s, img.layers, "etc/passwd");
  if (in.idmaps && in.idmaps->keep_id && !in.passwd.empty()) {  // the user gets a line, as podman's keep-id
    std::uint32_t host_uid = in.idmaps->parent_uid.empty() ? 0 : in.idmaps->parent_uid[0].host;
    passwd* pw = ::getpwuid(host_uid);
    std::string name = pw ? pw->pw_name : "user", home = pw ? pw->pw_dir : "/home/user";
    std::string added = passwd_with_user(in.passwd, to_container(in.idmaps->uid, 0).value_or(0),
                                         to_container(in.idmaps->gid, 0).value_or(0), name, home);
    if (!added.empty()) {
      in.passwd = added;
      in.own_passwd = true;
    }
  }
  in.group = read_image_file(s, img.layers, "etc/group");
  if (c.init) in.init_path = TRY(init_binary());
  in.seccomp_cache = s.paths().runroot;
  in.rootless = sys::rootless();
  const char* full = std::getenv("_BERTH_USERNS_FULL");
  in.full_idmap = !full || std::string_view(full) != "0";
  in.notify_socket = std::getenv("NOTIFY_SOCKET") != nullptr;
  in.for_exec = for_exec;
  auto spec = TRY(make_spec(c, image::decode_image_config(blob), in));
  if (!for_exec) {
    spec.net_join = TRY(ns_to_join(s, c, c.network, "net"));
    spec.uts_join = TRY(ns_to_join(s, c, c.uts, "uts"));
    spec.ipc_join = TRY(ns_to_join(s, c, c.ipc, "ipc"));
    spec.pid_join = TRY(ns_to_join(s, c, c.pid, "pid"));
  }
  if (!for_exec) TRY(write_etc_files(s, rec.config, spec.hostname));
  if (!for_exec && in.own_passwd)
    TRY(sys::write_replace(TRY(store::open_run_dir(s, rec.id)).get(), "passwd", in.passwd, 0644));
  if (in.idmaps && !for_exec) TRY(own_for_container_root(s, rec.id, *in.idmaps));
  return spec;
}

Result<runtime::Spec> exec_spec(const store::Store& s, const store::ContainerRecord& rec, const ExecOptions& o) {
  store::ContainerRecord r = rec;
  r.config.command = o.command;
  for (const auto& e : o.env) {  // a bare KEY takes this berth's value, as at create
    if (e.find('=') != std::string::npos)
      r.config.env.push_back(e);
    else if (const char* v = std::getenv(e.c_str()))
      r.config.env.push_back(e + "=" + v);
  }
  if (!o.user.empty()) r.config.user = o.user;
  if (!o.workdir.empty()) r.config.workdir = o.workdir;
  if (o.privileged) r.config.privileged = true;
  r.config.tty = o.tty;
  r.config.init = false;  // the container's PID 1 is already there
  auto spec = TRY(build_spec(s, r, true));
  spec.create_cwd = true;  // exec never creates it (the join path); a missing one stays 127, as podman's exec
  return spec;
}

}  // namespace berth::engine

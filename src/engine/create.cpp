// create: what a container is asked to be, recorded in containers/<id>/config.json; and the
// Spec a start builds from that record and the image.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <random>

#include "berth/core/path.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/runtime/seccomp.hpp"
#include "berth/engine/run.hpp"
#include "berth/image/load.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "container_record.hpp"
#include "sdnotify.hpp"
#include "spec_builder.hpp"

namespace berth::engine {

namespace {

constexpr size_t kMax = 16 << 20;

std::string random_hex(size_t n) {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<unsigned long>(::getpid()));
  std::string out;
  while (out.size() < n) out += fmt::format("{:016x}", rng());
  return out.substr(0, n);
}

std::string random_name() {
  static const char* adj[] = {"brave", "calm", "eager", "fancy", "gentle", "happy", "jolly", "keen", "lucid", "merry",
                              "nifty", "proud", "quirky", "swift", "tender", "vivid", "wise", "zealous"};
  static const char* noun[] = {"anchor", "buoy", "cove", "dock", "ferry", "harbor", "jetty", "keel", "mooring",
                               "pier", "quay", "reef", "schooner", "tug", "wharf"};
  static std::mt19937 rng(std::random_device{}());
  return fmt::format("{}_{}", adj[rng() % std::size(adj)], noun[rng() % std::size(noun)]);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(sep, i);
    out.emplace_back(s.substr(i, j == std::string_view::npos ? j : j - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

bool all_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

std::vector<std::string> strings(const Json& j) {
  std::vector<std::string> out;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

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

Result<runtime::BindMount> parse_volume(const std::string& v) {
  auto parts = split(v, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return fail(Errc::usage, "invalid volume \"{}\": expected SRC:DST[:ro|rw]", v);
  if (parts[0][0] != '/')
    return fail(Errc::usage, "invalid volume \"{}\": named volumes are not supported yet; use an absolute host path", v);
  std::string dst = TRY(check_mount_destination(parts[1], fmt::format("volume \"{}\"", v)));
  runtime::BindMount b;
  struct stat st;
  if (::stat(parts[0].c_str(), &st) < 0) return fail(Errc::not_found, "statfs {}: no such file or directory", parts[0]);
  b.source = parts[0];
  b.target = dst;
  b.is_file = !S_ISDIR(st.st_mode);
  b.user = true;
  if (parts.size() == 3)
    for (const auto& opt : split(parts[2], ',')) {
      if (opt == "ro") b.read_only = true;
      else if (opt != "rw" && opt != "z" && opt != "Z") return fail(Errc::usage, "invalid volume option \"{}\" in \"{}\"", opt, v);
    }
  return b;
}

// As podman: drops apply to the default set first, then adds ("--cap-drop all --cap-add X"
// leaves exactly X).
Result<std::uint64_t> capabilities(const Json& conf) {
  std::uint64_t caps = runtime::default_caps();
  for (const auto& c : strings(json_obj(conf, "cap_drop"))) caps &= ~TRY(runtime::cap_mask(c));
  for (const auto& c : strings(json_obj(conf, "cap_add"))) caps |= TRY(runtime::cap_mask(c));
  return caps;
}

Result<void> apply_security_opts(const std::vector<std::string>& opts, runtime::Spec& spec) {
  for (const auto& opt : opts) {
    if (opt == "no-new-privileges" || opt == "no-new-privileges=true" || opt == "no-new-privileges:true") {
      spec.no_new_privs = true;
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

// /etc/hostname, /etc/hosts and /etc/resolv.conf for the container, made at each start in
// RUNROOT/containers/ID (a tmpfs, as podman's userdata: no disk inodes made and freed per run).
Result<std::string> write_etc_files(const store::Store& s, const std::string& id, const std::string& hostname) {
  auto dir = TRY(detail::open_run_dir(s, id));
  TRY(sys::write_replace(dir.get(), "hostname", hostname + "\n", 0644));
  TRY(sys::write_replace(dir.get(), "hosts", fmt::format("127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t{}\n", hostname),
                        0644));
  std::string resolv;
  if (int fd = ::open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC); fd >= 0) {
    sys::UniqueFd g(fd);
    if (auto t = sys::read_all(fd, 1 << 16); t) resolv = *t;
  }
  TRY(sys::write_replace(dir.get(), "resolv.conf", resolv, 0644));
  return detail::container_run_dir(s, id);
}

// KEY=VALUE lines; "#" comments and blank lines skipped; a bare KEY takes the host's value.
Result<std::vector<std::string>> read_env_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(Errc::not_found, "open {}: {}", path, errno_text(errno));
  sys::UniqueFd g(fd);
  auto text = TRY(context(sys::read_all(fd, 1 << 20), path));
  std::vector<std::string> out;
  for (auto line : split(text, '\n')) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '#') continue;
    line = line.substr(i);
    if (line[0] == '=') return fail(Errc::usage, "{}: invalid environment line \"{}\"", path, line);
    out.push_back(line);
  }
  return out;
}

// --tmpfs DST[:opts] and --mount type=tmpfs,dst=...: the tmpfs options kept as mount data.
Result<std::pair<std::string, std::string>> parse_tmpfs(const std::string& t) {
  auto colon = t.find(':');
  std::string dst = t.substr(0, colon);
  std::string opts = colon == std::string::npos ? "rw,noexec,nosuid,nodev" : t.substr(colon + 1);
  dst = TRY(check_mount_destination(dst, fmt::format("tmpfs \"{}\"", t)));
  return std::pair{dst, opts};
}

// --mount type=bind,source=/x,target=/y[,ro|readonly] | type=tmpfs,target=/y[,tmpfs-size=N]
// turned into the -v / --tmpfs forms.
Result<std::pair<std::string, bool>> parse_mount(const std::string& m) {
  std::string type, src, dst, size;
  bool ro = false;
  for (const auto& kv : split(m, ',')) {
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (k == "type") type = v;
    else if (k == "source" || k == "src") src = v;
    else if (k == "target" || k == "destination" || k == "dst") dst = v;
    else if (k == "ro" || k == "readonly") ro = v.empty() || v == "true" || v == "1";
    else if (k == "rw") ro = !(v.empty() || v == "true");
    else if (k == "tmpfs-size") size = v;
    else if (k == "bind-propagation" || k == "relabel" || k == "z" || k == "Z") continue;
    else return fail(Errc::usage, "invalid --mount \"{}\": unknown option \"{}\"", m, k);
  }
  if (dst.empty()) return fail(Errc::usage, "invalid --mount \"{}\": no target", m);
  if (type == "bind") {
    if (src.empty()) return fail(Errc::usage, "invalid --mount \"{}\": bind needs a source", m);
    return std::pair{fmt::format("{}:{}{}", src, dst, ro ? ":ro" : ""), false};
  }
  if (type == "tmpfs") {
    std::string opts = "rw,noexec,nosuid,nodev";
    if (ro) opts = "ro,noexec,nosuid,nodev";
    if (!size.empty()) opts += ",size=" + size;
    return std::pair{dst + ":" + opts, true};
  }
  return fail(Errc::usage, "invalid --mount \"{}\": type must be bind or tmpfs", m);
}

// --init: the host's catatonit (or tini), bind-mounted read-only as the container's PID 1.
Result<std::string> init_binary() {
  for (const char* p : {"/usr/libexec/podman/catatonit", "/usr/bin/catatonit", "/usr/bin/tini-static", "/usr/bin/tini"})
    if (::access(p, X_OK) == 0) return std::string(p);
  return fail(Errc::not_found, "--init needs catatonit or tini-static on the host (apt-get install catatonit)");
}

// The numbers in "user[:group]" fit (names are looked up at start, in the image's files).
Result<void> check_user_spec(std::string_view spec) {
  auto colon = spec.find(':');
  std::string_view parts[] = {spec.substr(0, colon), colon == std::string_view::npos ? "" : spec.substr(colon + 1)};
  for (auto part : parts)
    if (all_digits(part) && !parse_id(part))
      return fail(Errc::usage, "invalid user \"{}\": ids must be between 0 and {}", spec, kMaxId);
  return {};
}

// Validates what can be checked before anything is written (flags that would fail at start).
Result<void> validate(const RunOptions& o) {
  TRY(check_user_spec(o.user));
  for (const auto& g : o.group_add)
    if (all_digits(g) && !parse_id(g))
      return fail(Errc::usage, "invalid group \"{}\": ids must be between 0 and {}", g, kMaxId);
  if (!o.name.empty()) TRY(detail::check_container_name(o.name));
  if (o.network != "private" && o.network != "none" && o.network != "bridge" && o.network != "host" && !o.network.empty())
    return fail(Errc::usage, "unsupported network \"{}\": use none, host or private", o.network);
  for (const auto& c : o.cap_add) TRY(runtime::cap_mask(c));
  for (const auto& c : o.cap_drop) TRY(runtime::cap_mask(c));
  runtime::Spec scratch;
  TRY(apply_security_opts(o.security_opt, scratch));
  for (const auto& v : o.volumes) TRY(parse_volume(v));
  for (const auto& t : o.tmpfs) TRY(parse_tmpfs(t));
  for (const auto& m : o.mounts) TRY(parse_mount(m));
  if (!o.workdir.empty() && o.workdir[0] != '/') return fail(Errc::usage, "workdir \"{}\" is not an absolute path", o.workdir);
  if (!o.stop_signal.empty()) TRY(parse_signal(o.stop_signal));
  if (!o.memory.empty()) TRY(runtime::parse_memory(o.memory));
  for (const auto& u : o.ulimits) TRY(runtime::parse_ulimit(u));
  if (o.init) TRY(init_binary());
  TRY(detail::check_sdnotify_mode(o.sdnotify));
  auto restart = TRY(parse_restart_policy(o.restart));
  if (o.log_driver != "k8s-file" && o.log_driver != "journald" && o.log_driver != "none" && o.log_driver != "passthrough")
    return fail(Errc::usage, "invalid log driver \"{}\": use k8s-file, journald, none or passthrough", o.log_driver);
  for (const auto& opt : o.log_opt) {
    if (opt.starts_with("path=") && opt.size() > 6 && opt[5] == '/' && o.log_driver == "k8s-file") continue;
    if (opt.starts_with("tag=") && o.log_driver == "journald") continue;
    if (opt.starts_with("max-size=") || opt.starts_with("max_size=")) continue;  // accepted, not enforced
    return fail(Errc::usage, "invalid --log-opt \"{}\" for log driver {}: use path=/ABS (k8s-file) or tag= (journald)",
                opt, o.log_driver);
  }
  if (o.rm && restart.name != "no") return fail(Errc::usage, "the --rm option conflicts with --restart");
  // The health flags' syntax now (whether there is a check to act on depends on the image).
  TRY(resolve_healthcheck(Json{{"Test", Json::array({"CMD", "true"})}}, o.health));
  if (o.cpus && (*o.cpus <= 0 || *o.cpus > 1024)) return fail(Errc::usage, "invalid --cpus {}: must be above 0", *o.cpus);
  for (const auto& l : o.labels)
    if (l.empty() || l[0] == '=') return fail(Errc::usage, "invalid label \"{}\"", l);
  return {};
}

}  // namespace

std::optional<std::uint32_t> parse_id(std::string_view s) {
  if (!all_digits(s) || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char ch : s) v = v * 10 + static_cast<std::uint64_t>(ch - '0');
  if (v > kMaxId) return std::nullopt;
  return static_cast<std::uint32_t>(v);
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

Result<std::vector<std::string>> container_argv(const Json& image_config, const std::optional<std::string>& entrypoint,
                                                const std::vector<std::string>& command) {
  const Json& cfg = json_obj(image_config, "config");
  std::vector<std::string> argv;
  if (entrypoint) {
    if (entrypoint->starts_with("[")) {
      auto j = parse_json(*entrypoint, "--entrypoint", 4);
      if (!j || !j->is_array()) return fail(Errc::usage, "invalid --entrypoint \"{}\"", *entrypoint);
      argv = strings(*j);
    } else if (!entrypoint->empty()) {
      argv.push_back(*entrypoint);
    }
  } else {
    argv = strings(json_obj(cfg, "Entrypoint"));
  }
  if (!command.empty()) argv.insert(argv.end(), command.begin(), command.end());
  else if (!entrypoint)
    for (auto& a : strings(json_obj(cfg, "Cmd"))) argv.push_back(a);
  if (argv.empty()) return fail(Errc::usage, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  return argv;
}

Result<std::string> create_container(Context& c, const RunOptions& o_in) {
  RunOptions o = o_in;
  TRY(validate(o));
  // Environment: the host's (--env-host), then --env-file, then -e (later wins at start).
  std::vector<std::string> env;
  if (o.env_host)
    for (char** e = environ; *e; e++) env.push_back(*e);
  for (const auto& f : o.env_files)
    for (auto& kv : TRY(read_env_file(f))) env.push_back(kv);
  env.insert(env.end(), o.env.begin(), o.env.end());
  o.env = env;
  for (const auto& m : o.mounts) {
    auto [spec, is_tmpfs] = TRY(parse_mount(m));
    (is_tmpfs ? o.tmpfs : o.volumes).push_back(spec);
  }
  for (const auto& v : o.volumes) TRY(parse_volume(v));
  if (!o.cidfile.empty() && ::access(o.cidfile.c_str(), F_OK) == 0)
    return fail(Errc::conflict, "container id file exists. Ensure another container is not using it or delete {}", o.cidfile);
  std::string id = random_hex(64);
  auto lock = TRY(c.store.write_lock());
  auto names = TRY(c.store.names());
  auto img = TRY(resolve_image(c.store, names, o.image));
  // A committed image's layers are unpacked before its first container exists (berth killed
  // mid-unpack leaves no container behind), without the store lock, which the unpack takes
  // itself for its rename. build_spec checks again at each start.
  if (auto layers = TRY(c.store.image(img.id)).layers; !image::all_unpacked(c.store, layers)) {
    lock = sys::FileLock{};
    TRY(image::ensure_unpacked(c.store, layers));
    lock = TRY(c.store.write_lock());
    names = TRY(c.store.names());
    img = TRY(resolve_image(c.store, names, o.image));
  }
  auto cfg = TRY(parse_json(TRY(c.store.read_blob(img.id, kMax)), "image config"));
  // The image's USER and STOPSIGNAL are input too: refused before anything exists when they
  // are not valid (as podman refuses a bad StopSignal).
  if (o.user.empty()) TRY(context(check_user_spec(json_str(json_obj(cfg, "config"), "User")), "the image's USER"));
  if (std::string sig = json_str(json_obj(cfg, "config"), "StopSignal"); o.stop_signal.empty() && !sig.empty())
    TRY(context(parse_signal(sig), "the image's STOPSIGNAL"));
  Json healthcheck = TRY(resolve_healthcheck(json_obj(json_obj(cfg, "config"), "Healthcheck"), o.health));
  if (o.sdnotify == "healthy" && healthcheck.is_null())
    return fail(Errc::usage, "--sdnotify=healthy needs a health check (--health-cmd or the image's HEALTHCHECK)");
  std::string name = o.name.empty() ? random_name() + "_" + id.substr(0, 4) : o.name;
  // Claimed in the names index (a create that fails later leaves a stale link, which the
  // next claim of the name replaces).
  if (std::string holder = TRY(detail::claim_name(c.store, name, id)); !holder.empty()) {
    if (!o.replace)
      return fail(Errc::conflict,
                  "the container name \"{}\" is already in use by {}. You have to remove that container to be able to "
                  "reuse that name: that name is already in use",
                  name, holder);
    // --replace: the old container goes first (killed if it runs), as podman does.
    if (auto old = detail::read_container(c.store, holder); old && detail::alive(old->state))
      ::kill(static_cast<int>(json_int(old->state, "pid")), SIGKILL);
    TRY(detail::remove_container_dir(c.store, holder));
    if (!TRY(detail::claim_name(c.store, name, id)).empty()) return fail(Errc::conflict, "the container name \"{}\" is in use", name);
  }
  auto argv = TRY(container_argv(cfg, o.entrypoint, o.command));
  // --security-opt seccomp=FILE: the profile's text is kept in the record, so the container
  // does not depend on the file later; it must compile now.
  std::string profile;
  for (const auto& opt : o.security_opt)
    if ((opt.starts_with("seccomp=") || opt.starts_with("seccomp:")) && opt.substr(8) != "unconfined") {
      std::string path = opt.substr(8);
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return fail(Errc::not_found, "opening seccomp profile failed: open {}: {}", path, errno_text(errno));
      sys::UniqueFd g(fd);
      profile = TRY(context(sys::read_all(fd, 4 << 20), path));
      TRY(context(runtime::compile_profile(profile, runtime::default_caps()), path));
    }
  const Json& ic = json_obj(cfg, "config");
  Json labels = json_obj(ic, "Labels").is_object() ? json_obj(ic, "Labels") : Json::object();
  for (const auto& l : o.labels) labels[l.substr(0, l.find('='))] = l.find('=') == std::string::npos ? "" : l.substr(l.find('=') + 1);
  Json conf = {{"id", id},
               {"name", name},
               {"image_id", img.id.str()},
               {"image", img.name.empty() ? o.image : img.name},
               {"command", argv},
               {"env", o.env},
               {"workdir", o.workdir},
               {"user", o.user},
               {"hostname", o.hostname},
               {"volumes", o.volumes},
               {"tmpfs", o.tmpfs},
               {"group_add", o.group_add},
               {"memory", o.memory.empty() ? Json() : Json(*runtime::parse_memory(o.memory))},
               {"pids_limit", o.pids_limit ? Json(*o.pids_limit) : Json()},
               {"cpus", o.cpus ? Json(*o.cpus) : Json()},
               {"ulimits", o.ulimits},
               {"seccomp_profile", profile},
               {"init", o.init},
               {"cap_add", o.cap_add},
               {"cap_drop", o.cap_drop},
               {"security_opt", o.security_opt},
               {"network", o.network.empty() ? "private" : o.network},
               {"sdnotify", o.sdnotify},
               {"restart", o.restart.empty() ? "no" : o.restart},
               {"log_driver", o.log_driver},
               {"log_opt", o.log_opt},
               {"create_command", o.create_command},
               {"create_image_index", o.create_image_index},
               {"labels", labels},
               {"stop_signal", !o.stop_signal.empty()                 ? o.stop_signal
                               : !json_str(ic, "StopSignal").empty() ? json_str(ic, "StopSignal")
                                                                     : std::string("SIGTERM")},
               {"stop_timeout", o.stop_timeout},
               {"healthcheck", healthcheck},
               {"health_on_failure", o.health.on_failure},
               {"health_max_log_count", o.health.max_log_count.value_or(5)},
               {"health_max_log_size", o.health.max_log_size.value_or(500)},
               {"read_only", o.read_only},
               {"privileged", o.privileged},
               {"rm", o.rm},
               {"interactive", o.interactive},
               {"tty", o.tty},
               {"created", detail::now_ns()}};
  // Built in tmp/ and renamed into place: a reader never sees half a container.
  auto t = TRY(c.store.temp("ctr"));
  for (const char* d : {"upper", "work", "merged"}) TRY(sys::ensure_dir(t.fd(), d, 0755));
  // No state.json yet: a container without one is "created".
  // Durable (fsync) unless the container is --rm: a record that is gone when it exits is not
  // worth a disk flush on the way to every `run --rm` (after a power cut such a half-written
  // record is skipped like any unreadable one).
  if (o.rm) TRY(sys::write_replace(t.fd(), "config.json", dump_json(conf)));
  else TRY(sys::write_atomic(t.fd(), "config.json", dump_json(conf)));
  if (::renameat(c.store.tmp(), t.name().c_str(), c.store.root(), ("containers/" + id).c_str()) < 0)
    return fail_errno("create container {}", id);
  t.release();
  if (!o.cidfile.empty()) {
    // Written beside its target and linked into place: an existing file is never replaced.
    std::string dir = o.cidfile.substr(0, o.cidfile.rfind('/') + 1);
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      int e = errno;
      (void)detail::remove_container_dir(c.store, id);
      return fail(Errc::not_found, "opening cidfile {}: {}", o.cidfile, errno_text(e));
    }
    sys::UniqueFd dg(dfd);
    std::string base = o.cidfile.substr(o.cidfile.rfind('/') + 1);
    int fd = ::openat(dfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      int e = errno;
      (void)detail::remove_container_dir(c.store, id);
      return fail(Errc::conflict, "opening cidfile {}: {}", o.cidfile, errno_text(e));
    }
    sys::UniqueFd fg(fd);
    TRY(sys::write_all(fd, id));
  }
  emit_event(c.store, "container", "create", id, name, json_str(conf, "image"));
  return id;
}

namespace detail {

Result<runtime::Spec> build_spec(const store::Store& s, const std::string& id, const Json& conf, bool for_exec) {
  runtime::Spec spec;
  auto image_id = TRY(Digest::parse(json_str(conf, "image_id")));
  auto rec = TRY(context(s.image(image_id), "the container's image"));
  auto cfg = TRY(parse_json(TRY(s.read_blob(image_id, kMax)), "image config"));
  const Json& ic = json_obj(cfg, "config");
  spec.lowers.push_back(TRY(s.mountpoints()));
  if (!for_exec) TRY(image::ensure_unpacked(s, rec.layers));  // a committed image's, on its first start
  for (auto it = rec.layers.rbegin(); it != rec.layers.rend(); ++it) spec.lowers.push_back(s.layer_diff_abs(*it));
  spec.layers_dir = s.paths().root + "/layers";
  std::string cdir = container_dir(s, id);
  spec.upper = cdir + "/upper";
  spec.work = cdir + "/work";
  spec.merged = cdir + "/merged";
  spec.rootless = sys::rootless();
  spec.userxattr = spec.rootless;
  spec.volatile_upper = conf.value("rm", false);
  const char* full = std::getenv("_BERTH_USERNS_FULL");
  spec.full_idmap = !spec.rootless || !full || std::string_view(full) != "0";
  std::string host = json_str(conf, "hostname");
  spec.hostname = host.empty() ? id.substr(0, 12) : host;
  spec.net_host = json_str(conf, "network") == "host";
  spec.read_only = conf.value("read_only", false);
  spec.privileged = conf.value("privileged", false);
  spec.caps = TRY(capabilities(conf));
  spec.masked = runtime::default_masked_paths();
  spec.readonly_paths = runtime::default_readonly_paths();
  TRY(apply_security_opts(strings(json_obj(conf, "security_opt")), spec));
  std::string user = json_str(conf, "user");
  if (user.empty()) user = json_str(ic, "User");
  auto ids = TRY(resolve_user(user, read_image_file(s, rec.layers, "etc/passwd"), read_image_file(s, rec.layers, "etc/group")));
  spec.uid = ids.uid;
  spec.gid = ids.gid;
  spec.groups.assign(ids.groups.begin(), ids.groups.end());
  std::string group_file = read_image_file(s, rec.layers, "etc/group");
  for (const auto& g : strings(json_obj(conf, "group_add"))) {
    if (g == "keep-groups") continue;
    auto gid = resolve_user("0:" + g, "", group_file);
    if (!gid) return fail(Errc::not_found, "unable to find group {}: no matching entries in group file", g);
    if (std::find(spec.groups.begin(), spec.groups.end(), gid->gid) == spec.groups.end()) spec.groups.push_back(gid->gid);
  }
  spec.env = strings(json_obj(ic, "Env"));
  auto set_env = [&](const std::string& kv) {
    std::string key = kv.substr(0, kv.find('='));
    std::erase_if(spec.env, [&](const std::string& e) { return e.substr(0, e.find('=')) == key; });
    spec.env.push_back(kv);
  };
  bool has_path = false, has_home = false;
  for (const auto& e : spec.env) {
    has_path |= e.starts_with("PATH=");
    has_home |= e.starts_with("HOME=");
  }
  if (!has_path) set_env("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!has_home) set_env("HOME=" + ids.home);
  set_env("container=berth");
  set_env("HOSTNAME=" + spec.hostname);
  if (conf.value("tty", false)) set_env("TERM=xterm");
  for (const auto& e : strings(json_obj(conf, "env"))) {
    if (e.find('=') != std::string::npos) set_env(e);
    else if (const char* v = std::getenv(e.c_str())) set_env(e + "=" + v);
  }
  // The unit's notify socket is berth's: never the container's, except through the relay.
  std::erase_if(spec.env, [](const std::string& e) {
    return e.starts_with("NOTIFY_SOCKET=") || e.starts_with("LISTEN_PID=") || e.starts_with("LISTEN_FDS=") ||
           e.starts_with("LISTEN_FDNAMES=");
  });
  if (json_str(conf, "sdnotify") == "container" && std::getenv("NOTIFY_SOCKET")) {
    set_env(std::string("NOTIFY_SOCKET=") + kNotifySocket);
    spec.binds.push_back({container_run_dir(s, id) + "/notify", kNotifyDir, false, false});
  }
  spec.argv = strings(json_obj(conf, "command"));
  std::string wd = json_str(conf, "workdir");
  // The image's WORKDIR is resolved inside the root by the child; relative means from "/".
  spec.cwd = clean_path(!wd.empty() ? wd : json_str(ic, "WorkingDir", "/"));
  spec.stdin_open = conf.value("interactive", false);
  if (json_obj(conf, "memory").is_number()) spec.limits.memory = json_obj(conf, "memory").get<std::int64_t>();
  if (json_obj(conf, "pids_limit").is_number()) spec.limits.pids = json_obj(conf, "pids_limit").get<std::int64_t>();
  if (json_obj(conf, "cpus").is_number()) spec.limits.cpus = json_obj(conf, "cpus").get<double>();
  spec.cgroup_name = "berth-" + id.substr(0, 12);
  spec.seccomp_profile = json_str(conf, "seccomp_profile");
  spec.seccomp_cache = s.paths().runroot;
  for (const auto& u : strings(json_obj(conf, "ulimits"))) spec.rlimits.push_back(TRY(runtime::parse_ulimit(u)));
  if (conf.value("init", false)) {
    // As podman's catatonit: PID 1 is the init, which forwards signals and reaps zombies.
    spec.binds.push_back({TRY(init_binary()), "/run/berth-init", true, true});
    spec.argv.insert(spec.argv.begin(), {"/run/berth-init", "--"});
  }
  if (!for_exec) {
    std::string etc = TRY(write_etc_files(s, id, spec.hostname));
    for (const char* f : {"hostname", "hosts", "resolv.conf"})
      spec.binds.push_back({fmt::format("{}/{}", etc, f), fmt::format("/etc/{}", f), false, true});
  }
  for (const auto& v : strings(json_obj(conf, "volumes"))) spec.binds.push_back(TRY(parse_volume(v)));
  for (const auto& t : strings(json_obj(conf, "tmpfs"))) {
    auto [dst, opts] = TRY(parse_tmpfs(t));
    spec.tmpfs.push_back({dst, opts});
  }
  return spec;
}

}  // namespace detail

}  // namespace berth::engine

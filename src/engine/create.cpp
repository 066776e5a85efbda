// create: every flag parsed once, here, into the typed record (store::ContainerConfig) that
// start, inspect and the monitor read; nothing downstream parses a flag's text again.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <signal.h>
#include <variant>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/engine/network.hpp"
#include "berth/engine/pod.hpp"
#include "berth/engine/containers_conf.hpp"
#include "berth/engine/run.hpp"
#include "berth/engine/spec.hpp"
#include "berth/engine/volume.hpp"
#include "berth/image/load.hpp"
#include "berth/runtime/seccomp.hpp"
#include "berth/store/containers.hpp"
#include "berth/store/volumes.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "sdnotify.hpp"

namespace berth::engine {

namespace {

constexpr size_t kMax = 16 << 20;

std::string random_name() {
  static const char* adj[] = {"brave", "calm",  "eager", "fancy",  "gentle", "happy",  "jolly", "keen", "lucid",
                              "merry", "nifty", "proud", "quirky", "swift",  "tender", "vivid", "wise", "zealous"};
  static const char* noun[] = {"anchor",  "buoy", "cove", "dock", "ferry",    "harbor", "jetty", "keel",
                               "mooring", "pier", "quay", "reef", "schooner", "tug",    "wharf"};
  static std::mt19937 rng(std::random_device{}());
  return fmt::format("{}_{}", adj[rng() % std::size(adj)], noun[rng() % std::size(noun)]);
}

// A bind mount's source, checked now; its destination by runc's rules (core/path). A source
// that is no path names a volume of the store (made by create_container when it is missing);
// none at all makes an anonymous one.
Result<store::Volume> make_volume(const std::string& src, const std::string& dst, bool ro, const std::string& what) {
  store::Volume v;
  v.target = TRY(check_mount_destination(dst, what));
  v.read_only = ro;
  if (src.empty() || src[0] != '/') {
    if (!src.empty() && !store::valid_volume_name(src))
      return fail(Errc::usage,
                  "invalid {}: \"{}\" includes invalid characters for a local volume name, only "
                  "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed; a host directory must be an absolute path",
                  what, src);
    v.name = src.empty() ? kAnonymous : src;
    return v;
  }
  struct stat st;
  if (::stat(src.c_str(), &st) < 0) return fail(Errc::not_found, "statfs {}: no such file or directory", src);
  v.source = src;
  v.is_file = !S_ISDIR(st.st_mode);
  return v;
}

// -v SRC:DST[:ro|rw|z|Z|nocopy], -v NAME:DST[:...], -v DST (an anonymous volume)
Result<store::Volume> parse_volume(const std::string& text) {
  auto parts = split(text, ':');
  std::string what = fmt::format("volume \"{}\"", text);
  if (parts.size() == 1 && text.starts_with('/')) return make_volume("", text, false, what);
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return fail(Errc::usage, "invalid volume \"{}\": expected SRC:DST[:ro|rw]", text);
  bool ro = false, nocopy = false;
  if (parts.size() == 3)
    for (const auto& opt : split(parts[2], ',')) {
      if (opt == "ro")
        ro = true;
      else if (opt == "nocopy")
        nocopy = true;
      else if (opt != "rw" && opt != "z" && opt != "Z" && opt != "copy")
        return fail(Errc::usage, "invalid volume option \"{}\" in \"{}\"", opt, text);
    }
  auto v = TRY(make_volume(parts[0], parts[1], ro, what));
  v.nocopy = nocopy;
  return v;
}

// --tmpfs DST[:options]
Result<store::Tmpfs> parse_tmpfs(const std::string& t) {
  auto colon = t.find(':');
  std::string opts = colon == std::string::npos ? "rw,noexec,nosuid,nodev" : t.substr(colon + 1);
  std::string dst = TRY(check_mount_destination(t.substr(0, colon), fmt::format("tmpfs \"{}\"", t)));
  return store::Tmpfs{dst, opts};
}

// --mount type=bind,source=/x,target=/y[,ro|readonly] | type=volume[,source=NAME],target=/y
// [,volume-nocopy] | type=tmpfs,target=/y[,tmpfs-size=N]
Result<std::variant<store::Volume, store::Tmpfs>> parse_mount(const std::string& m) {
  std::string type, src, dst, size;
  bool ro = false, nocopy = false;
  for (const auto& kv : split(m, ',')) {
    auto eq = kv.find('=');
    std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
    if (k == "type")
      type = v;
    else if (k == "source" || k == "src")
      src = v;
    else if (k == "target" || k == "destination" || k == "dst")
      dst = v;
    else if (k == "ro" || k == "readonly")
      ro = v.empty() || v == "true" || v == "1";
    else if (k == "rw")
      ro = !(v.empty() || v == "true");
    else if (k == "tmpfs-size")
      size = v;
    else if (k == "volume-nocopy")
      nocopy = v.empty() || v == "true";
    else if (k == "bind-propagation" || k == "relabel" || k == "z" || k == "Z")
      continue;
    else
      return fail(Errc::usage, "invalid --mount \"{}\": unknown option \"{}\"", m, k);
  }
  if (dst.empty()) return fail(Errc::usage, "invalid --mount \"{}\": no target", m);
  std::string what = fmt::format("--mount \"{}\"", m);
  if (type == "bind") {
    if (src.empty()) return fail(Errc::usage, "invalid --mount \"{}\": bind needs a source", m);
    return TRY(make_volume(src, dst, ro, what));
  }
  if (type == "volume") {
    if (src.starts_with('/')) return fail(Errc::usage, "invalid --mount \"{}\": a volume's source is its name", m);
    auto vol = TRY(make_volume(src, dst, ro, what));
    vol.nocopy = nocopy;
    return vol;
  }
  if (type == "tmpfs") {
    std::string opts = ro ? "ro,noexec,nosuid,nodev" : "rw,noexec,nosuid,nodev";
    if (!size.empty()) opts += ",size=" + size;
    return store::Tmpfs{TRY(check_mount_destination(dst, what)), opts};
  }
  return fail(Errc::usage, "invalid --mount \"{}\": type must be bind, volume or tmpfs", m);
}

// KEY=VALUE lines; "#" comments and blank lines skipped; a bare KEY takes the host's value.
Result<std::vector<std::string>> read_env_file(const std::string& path) {
  auto text = sys::read_host_file(path, 1 << 20);
  if (!text) return fail(Errc::not_found, "open {}: {}", path, errno_text(text.error().sys_errno));
  std::vector<std::string> out;
  for (auto line : split(*text, '\n')) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string::npos || line[i] == '#') continue;
    line = line.substr(i);
    if (line[0] == '=') return fail(Errc::usage, "{}: invalid environment line \"{}\"", path, line);
    out.push_back(line);
  }
  return out;
}

// The environment from the flags: the host's (--env-host), then --env-file, then -e (later
// wins at start); a bare KEY takes the host's value now, or is dropped without one.
Result<std::vector<std::string>> flag_env(const RunOptions& o) {
  std::vector<std::string> raw, env;
  if (o.env_host)
    for (char** e = environ; *e; e++) raw.push_back(*e);
  for (const auto& f : o.env_files)
    for (auto& kv : TRY(read_env_file(f))) raw.push_back(kv);
  raw.insert(raw.end(), o.env.begin(), o.env.end());
  for (auto& e : raw) {
    if (e.find('=') != std::string::npos)
      env.push_back(std::move(e));
    else if (const char* v = std::getenv(e.c_str()))
      env.push_back(e + "=" + v);
  }
  return env;
}

// Validates what can be checked before anything is written (flags that would fail at start).
Result<void> validate(const RunOptions& o) {
  TRY(check_user_spec(o.user));
  for (const auto& g : o.group_add)
    if (all_digits(g) && !parse_id(g))
      return fail(Errc::usage, "invalid group \"{}\": ids must be between 0 and {}", g, kMaxId);
  if (!o.name.empty()) TRY(store::check_container_name(o.name));
  TRY(capabilities(o.cap_add, o.cap_drop));
  runtime::Spec scratch;
  TRY(apply_security_opts(o.security_opt, scratch));
  if (!o.workdir.empty() && o.workdir[0] != '/')
    return fail(Errc::usage, "workdir \"{}\" is not an absolute path", o.workdir);
  if (!o.stop_signal.empty()) TRY(parse_signal(o.stop_signal));
  if (!o.memory.empty() && o.memory != "0") TRY(runtime::parse_memory(o.memory));
  for (const auto& u : o.ulimits) TRY(runtime::parse_ulimit(u));
  if (o.init) TRY(init_binary());
  TRY(detail::check_sdnotify_mode(o.sdnotify));
  auto restart = TRY(parse_restart_policy(o.restart));
  if (o.log_driver != "k8s-file" && o.log_driver != "journald" && o.log_driver != "none" &&
      o.log_driver != "passthrough")
    return fail(Errc::usage, "invalid log driver \"{}\": use k8s-file, journald, none or passthrough", o.log_driver);
  for (const auto& opt : o.log_opt) {
    if (opt.starts_with("path=") && opt.size() > 6 && opt[5] == '/' && o.log_driver == "k8s-file") continue;
    if (opt.starts_with("tag=") && o.log_driver == "journald") continue;
    if (opt.starts_with("max-size=") || opt.starts_with("max_size=")) {  // accepted, not enforced
      if (!parse_human_size(opt.substr(9))) return fail(Errc::usage, "invalid --log-opt {}: not a size", opt);
      continue;
    }
    return fail(Errc::usage, "invalid --log-opt \"{}\" for log driver {}: use path=/ABS (k8s-file) or tag= (journald)",
                opt, o.log_driver);
  }
  if (o.rm && restart.name != "no") return fail(Errc::usage, "the --rm option conflicts with --restart");
  // The health flags' syntax now (whether there is a check to act on depends on the image).
  TRY(resolve_healthcheck(Json{{"Test", Json::array({"CMD", "true"})}}, o.health));
  if (o.cpus && (*o.cpus <= 0 || *o.cpus > 1024))
    return fail(Errc::usage, "invalid --cpus {}: must be above 0", *o.cpus);
  for (const auto& l : o.labels)
    if (l.empty() || l[0] == '=') return fail(Errc::usage, "invalid label \"{}\"", l);
  return {};
}

// The flags that need no image: mounts, env, limits, security, logging, lifecycle.
// --umask, --tz, --timeout, --preserve-fds: checked and recorded.
Result<void> process_settings(const RunOptions& o, store::ContainerConfig& c) {
  if (!o.umask.empty()) {
    bool octal = o.umask.size() <= 4 &&
                 std::all_of(o.umask.begin(), o.umask.end(), [](char ch) { return ch >= '0' && ch <= '7'; });
    if (!octal) return fail(Errc::usage, "invalid umask string {}: an octal value up to 0777", o.umask);
    c.umask = static_cast<int>(std::stoul(o.umask, nullptr, 8));
  }
  if (!o.tz.empty() && o.tz != "local") {
    // a zone name of the host's database, never a path out of it
    bool sane = o.tz.find("..") == std::string::npos && !o.tz.starts_with('/');
    struct stat st;
    if (!sane || ::stat(("/usr/share/zoneinfo/" + o.tz).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return fail(Errc::usage, "finding timezone: unknown time zone {}", o.tz);
  }
  c.timezone = o.tz;
  if (o.timeout < 0) return fail(Errc::usage, "--timeout must be 0 (no limit) or a number of seconds");
  c.timeout = o.timeout;
  if (o.preserve_fds < 0 || o.preserve_fds > 1024) return fail(Errc::usage, "--preserve-fds: 0 to 1024 fds");
  for (int fd = 3; fd < 3 + o.preserve_fds; fd++)
    if (::fcntl(fd, F_GETFD) < 0)
      return fail(Errc::usage,
                  "file descriptor {} is not available - the preserve-fds option requires that all file descriptors "
                  "must be passed",
                  fd);
  c.preserve_fds = o.preserve_fds;
  c.conmon_pidfile = o.conmon_pidfile;
  if (!o.kernel_memory.empty()) log::warn("The --kernel-memory flag is no longer supported. This flag is a noop.");
  if (!o.runtime.empty()) log::info("--runtime {}: berth runs containers itself", o.runtime);
  return {};
}

// -v, --tmpfs, --mount: the same mount given twice counts once; two different ones on one
// destination are refused, in podman's words.
Result<void> mounts_from_flags(const RunOptions& o, store::ContainerConfig& c) {
  // `m` joins `into` unless it is there already; another on its destination is refused
  auto add = [](auto& into, const auto& m, const auto& others) -> Result<void> {
    for (const auto& have : into)
      if (have.target == m.target) {
        if (have == m) return {};
        return fail(Errc::usage, "{}: duplicate mount destination", m.target);
      }
    for (const auto& other : others)
      if (other.target == m.target) return fail(Errc::usage, "{}: duplicate mount destination", m.target);
    into.push_back(m);
    return {};
  };
  auto add_volume = [&](const store::Volume& v) { return add(c.volumes, v, c.tmpfs); };
  auto add_tmpfs = [&](const store::Tmpfs& t) { return add(c.tmpfs, t, c.volumes); };
  for (const auto& v : o.volumes) TRY(add_volume(TRY(parse_volume(v))));
  for (const auto& t : o.tmpfs) TRY(add_tmpfs(TRY(parse_tmpfs(t))));
  for (const auto& m : o.mounts) {
    auto parsed = TRY(parse_mount(m));
    if (auto* v = std::get_if<store::Volume>(&parsed))
      TRY(add_volume(*v));
    else
      TRY(add_tmpfs(std::get<store::Tmpfs>(parsed)));
  }
  return {};
}

Result<store::ContainerConfig> config_from_flags(const RunOptions& o) {
  TRY(validate(o));
  store::ContainerConfig c;
  TRY(mounts_from_flags(o, c));
  c.env = TRY(flag_env(o));
  c.default_env = o.default_env;
  c.unsetenv = o.unsetenv;
  c.unsetenv_all = o.unsetenv_all;
  c.workdir = o.workdir;
  c.user = o.user;
  c.hostname = o.hostname;
  c.group_add = o.group_add;
  if (!o.memory.empty() && o.memory != "0") c.memory = TRY(runtime::parse_memory(o.memory));  // 0: no limit
  c.pids_limit = o.pids_limit;
  c.cpus = o.cpus;
  c.ulimits = o.ulimits;
  c.init = o.init;
  c.cap_add = o.cap_add;
  c.cap_drop = o.cap_drop;
  if (o.default_caps) {  // containers.conf's set, as changes to berth's own (the flags' own come after)
    auto ch = TRY(default_cap_changes(*o.default_caps, o.cap_add, o.cap_drop));
    c.cap_drop.insert(c.cap_drop.begin(), ch.drop.begin(), ch.drop.end());
    c.cap_add.insert(c.cap_add.begin(), ch.add.begin(), ch.add.end());
  }
  c.security_opt = o.security_opt;
  c.userns = o.userns;
  c.uidmap = o.uidmap;
  c.gidmap = o.gidmap;
  // keep-id: the process runs as the user, as podman's
  if (c.userns != "auto" && !c.userns.starts_with("auto:"))  // auto's maps come with the image, later
    if (auto maps = TRY(container_idmaps(c)); maps && c.user.empty() && maps->keep_id) c.user = maps->default_user;
  TRY(detail::network_flags(o, c));
  c.sdnotify = o.sdnotify;
  c.restart = o.restart.empty() ? "no" : o.restart;
  c.log_driver = o.log_driver;
  c.log_opt = o.log_opt;
  c.create_command = o.create_command;
  c.create_image_index = o.create_image_index;
  c.stop_timeout = o.stop_timeout;
  c.health_on_failure = o.health.on_failure;
  c.health_max_log_count = o.health.max_log_count.value_or(5);
  c.health_max_log_size = o.health.max_log_size.value_or(500);
  c.read_only = o.read_only;
  c.privileged = o.privileged;
  TRY(process_settings(o, c));
  c.rm = o.rm;
  c.interactive = o.interactive;
  c.tty = o.tty;
  // --security-opt seccomp=FILE: the profile's text is kept in the record, so the container
  // does not depend on the file later; it must compile now.
  for (const auto& opt : o.security_opt)
    if ((opt.starts_with("seccomp=") || opt.starts_with("seccomp:")) && opt.substr(8) != "unconfined") {
      std::string path = opt.substr(8);
      auto text = sys::read_host_file(path, 4 << 20);
      if (!text)
        return fail(Errc::not_found, "opening seccomp profile failed: open {}: {}", path,
                    errno_text(text.error().sys_errno));
      TRY(context(runtime::compile_profile(*text, runtime::default_caps()), path));
      c.seccomp_profile = *text;
    }
  if (!o.cidfile.empty() && ::access(o.cidfile.c_str(), F_OK) == 0)
    return fail(Errc::conflict, "container id file exists. Ensure another container is not using it or delete {}",
                o.cidfile);
  return c;
}

// What comes from the image, over which the flags win: argv, the health check, labels, the
// stop signal. The image's fields are untrusted input (docs/SECURITY.md).
Result<void> apply_image(store::ContainerConfig& c, const RunOptions& o, const Json& blob) {
  image::ImageConfig ic = image::decode_image_config(blob);
  c.command = TRY(container_argv(blob, o.entrypoint, o.command));
  // The image's USER and STOPSIGNAL: refused before anything exists when they are not valid
  // (as podman refuses a bad StopSignal).
  if (o.user.empty()) TRY(context(check_user_spec(ic.user), "the image's USER"));
  if (o.stop_signal.empty() && !ic.stop_signal.empty())
    TRY(context(parse_signal(ic.stop_signal), "the image's STOPSIGNAL"));
  c.stop_signal = !o.stop_signal.empty() ? o.stop_signal : !ic.stop_signal.empty() ? ic.stop_signal : "SIGTERM";
  Json hc = TRY(resolve_healthcheck(ic.healthcheck, o.health));
  if (hc.is_object()) {
    store::HealthCheck h;
    for (const auto& t : json_obj(hc, "Test"))
      if (t.is_string()) h.test.push_back(t.get<std::string>());
    h.interval = json_int(hc, "Interval");
    h.timeout = json_int(hc, "Timeout");
    h.start_period = json_int(hc, "StartPeriod");
    h.retries = static_cast<int>(json_int(hc, "Retries"));
    c.healthcheck = h;
  }
  if (o.sdnotify == "healthy" && !c.healthcheck)
    return fail(Errc::usage, "--sdnotify=healthy needs a health check (--health-cmd or the image's HEALTHCHECK)");
  c.labels = ic.labels;
  for (const auto& l : o.labels)
    c.labels[l.substr(0, l.find('='))] = l.find('=') == std::string::npos ? "" : l.substr(l.find('=') + 1);
  return {};
}

// Written beside its target and linked into place: an existing file is never replaced.
Result<void> write_cidfile(const std::string& path, const std::string& id) {
  std::string dir = path.substr(0, path.rfind('/') + 1);
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return fail(Errc::not_found, "opening cidfile {}: {}", path, errno_text(errno));
  sys::UniqueFd dg(dfd);
  std::string base = path.substr(path.rfind('/') + 1);
  int fd = ::openat(dfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail(Errc::conflict, "opening cidfile {}: {}", path, errno_text(errno));
  sys::UniqueFd fg(fd);
  return sys::write_all(fd, id);
}

// --volumes-from CTR[:ro|rw]: the mounts of CTR, read-only or read-write as asked (as they are
// there by default), unless this container mounts something on the same path.
Result<void> volumes_from(Context& c, const std::vector<std::string>& from, store::ContainerConfig& conf) {
  for (const auto& f : from) {
    auto colon = f.find(':');
    std::string key = f.substr(0, colon), mode = colon == std::string::npos ? "" : f.substr(colon + 1);
    if (!mode.empty() && mode != "ro" && mode != "rw" && mode != "z")
      return fail(Errc::usage, "invalid --volumes-from \"{}\": the mode must be ro or rw", f);
    auto id = TRY(store::resolve_container(c.store, key));
    auto other = TRY(store::read_container(c.store, id));
    for (auto v : other.config.volumes) {
      if (std::any_of(conf.volumes.begin(), conf.volumes.end(), [&](const auto& m) { return m.target == v.target; }))
        continue;
      if (!mode.empty()) v.read_only = mode == "ro";
      conf.volumes.push_back(v);
    }
  }
  return {};
}

// Claims the container's name; --replace removes the container that has it (killed if it runs).
Result<void> claim(Context& c, const std::string& name, const std::string& id, bool replace) {
  // Claimed in the names index (a create that fails later leaves a stale link, which the
  // next claim of the name replaces).
  std::string holder = TRY(store::claim_name(c.store, name, id));
  if (holder.empty()) return {};
  if (!replace)
    return fail(Errc::conflict,
                "the container name \"{}\" is already in use by {}. You have to remove that container to be able to "
                "reuse that name: that name is already in use",
                name, holder);
  if (auto old = store::read_container(c.store, holder); old && old->state.alive())
    (void)sys::send_signal(old->state.pid, SIGKILL);
  TRY(store::remove_container_dir(c.store, holder));
  if (!TRY(store::claim_name(c.store, name, id)).empty())
    return fail(Errc::conflict, "the container name \"{}\" is in use", name);
  return {};
}

}  // namespace

Result<std::vector<std::string>> container_argv(const Json& image_config, const std::optional<std::string>& entrypoint,
                                                const std::vector<std::string>& command) {
  image::ImageConfig ic = image::decode_image_config(image_config);
  std::vector<std::string> argv;
  if (entrypoint) {
    if (entrypoint->starts_with("[")) {
      auto j = parse_json(*entrypoint, "--entrypoint", 4);
      if (!j || !j->is_array()) return fail(Errc::usage, "invalid --entrypoint \"{}\"", *entrypoint);
      for (const auto& a : *j)
        if (a.is_string()) argv.push_back(a.get<std::string>());
    } else if (!entrypoint->empty()) {
      argv.push_back(*entrypoint);
    }
  } else {
    argv = ic.entrypoint;
  }
  if (!command.empty())
    argv.insert(argv.end(), command.begin(), command.end());
  else if (!entrypoint)
    argv.insert(argv.end(), ic.cmd.begin(), ic.cmd.end());
  if (argv.empty()) return fail(Errc::usage, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  return argv;
}

Result<std::string> create_container(Context& c, const RunOptions& o) {
  TRY(detail::check_pod_flags(o));
  store::ContainerConfig conf = TRY(config_from_flags(o));
  conf.id = random_hex(64);
  TRY(detail::join_pod(c, o, conf));  // before the lock: --pod new:NAME makes the pod
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
  conf.image_id = img.id;
  conf.image = img.name.empty() ? o.image : img.name;
  Json blob = TRY(parse_json(TRY(c.store.read_blob(img.id, kMax)), "image config"));
  TRY(apply_image(conf, o, blob));
  TRY(detail::network_image_ports(c.store, o, blob, conf));
  TRY(volumes_from(c, o.volumes_from, conf));
  TRY(detail::resolve_volumes(c.store, conf,
                              o.image_volumes ? image::decode_image_config(blob).volumes : std::vector<std::string>{}));
  TRY(allocate_auto_userns(c.store, TRY(c.store.image(img.id)), conf));
  conf.name = o.name.empty() ? random_name() + "_" + conf.id.substr(0, 4) : o.name;
  TRY(claim(c, conf.name, conf.id, o.replace));
  conf.created = store::now_ns();
  // Durable unless the container is --rm: a record that is gone when it exits is not worth a
  // disk flush on the way to every `run --rm`.
  TRY(store::publish_container(c.store, conf, !o.rm));
  auto undo = [&](const Error& e) -> Result<std::string> {
    (void)store::remove_container_dir(c.store, conf.id);
    detail::drop_anonymous_volumes(c.store, conf);
    return std::unexpected(e);
  };
  if (auto cu = detail::copy_up_volumes(c, conf); !cu) return undo(cu.error());
  if (!o.cidfile.empty())
    if (auto w = write_cidfile(o.cidfile, conf.id); !w) return undo(w.error());
  emit_event(c.store, "container", "create", conf.id, conf.name, conf.image);
  return conf.id;
}

}  // namespace berth::engine

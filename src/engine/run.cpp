#include "berth/engine/run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <random>

#include "berth/core/log.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/image/config.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

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

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
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

Json container_state(const std::string& status, int pid, std::int64_t started, std::int64_t finished, int code) {
  return {{"status", status}, {"pid", pid}, {"started", started}, {"finished", finished}, {"exit_code", code}};
}

Result<void> write_state(const store::Store& s, const std::string& id, const Json& st) {
  auto dir = TRY(sys::open_beneath(s.root(), "containers/" + id, O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_atomic(dir.get(), "state.json", dump_json(st));
}

struct ContainerRecord {
  std::string id;
  Json config, state;
};

Result<std::vector<ContainerRecord>> read_containers(const store::Store& s) {
  std::vector<ContainerRecord> out;
  for (const auto& id : TRY(sys::list_dir(s.root(), "containers"))) {
    auto cfg = sys::read_file_at(s.root(), "containers/" + id + "/config.json", kMax);
    if (!cfg) continue;
    auto cj = parse_json(*cfg, "container config");
    if (!cj) continue;
    Json sj = Json::object();
    if (auto st = sys::read_file_at(s.root(), "containers/" + id + "/state.json", kMax); st)
      if (auto p = parse_json(*st, "container state"); p) sj = *p;
    out.push_back({id, *cj, sj});
  }
  return out;
}

// A container is running only if its pid is alive with the recorded start time.
bool alive(const Json& state) {
  int pid = static_cast<int>(json_int(state, "pid"));
  if (json_str(state, "status") != "running" || pid <= 0) return false;
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

Result<std::string> find_container(const std::vector<ContainerRecord>& all, std::string_view key) {
  for (const auto& c : all)
    if (json_str(c.config, "name") == key || c.id == key) return c.id;
  std::string found;
  for (const auto& c : all)
    if (c.id.starts_with(key) && !key.empty()) {
      if (!found.empty()) return fail(Errc::conflict, "more than one result for container \"{}\"", key);
      found = c.id;
    }
  if (found.empty()) return fail(Errc::not_found, "no container with name or ID \"{}\" found: no such container", key);
  return found;
}

Result<runtime::BindMount> parse_volume(const std::string& v) {
  auto parts = split(v, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return fail(Errc::usage, "invalid volume \"{}\": expected SRC:DST[:ro|rw]", v);
  runtime::BindMount b;
  if (parts[0][0] != '/') return fail(Errc::usage, "invalid volume \"{}\": named volumes are not supported yet; use an absolute host path", v);
  if (parts[1][0] != '/') return fail(Errc::usage, "invalid volume \"{}\": the destination must be an absolute path", v);
  struct stat st;
  if (::stat(parts[0].c_str(), &st) < 0)
    return fail(Errc::not_found, "statfs {}: no such file or directory", parts[0]);
  b.source = parts[0];
  b.target = parts[1];
  b.is_file = !S_ISDIR(st.st_mode);
  if (parts.size() == 3) {
    for (const auto& opt : split(parts[2], ',')) {
      if (opt == "ro") b.read_only = true;
      else if (opt == "rw" || opt == "z" || opt == "Z") continue;
      else return fail(Errc::usage, "invalid volume option \"{}\" in \"{}\"", opt, v);
    }
  }
  return b;
}

Result<std::uint64_t> capabilities(const RunOptions& o) {
  // As podman: drops apply to the default set first, then adds (so "--cap-drop all --cap-add X"
  // leaves exactly X).
  std::uint64_t caps = runtime::default_caps();
  for (const auto& c : o.cap_drop) caps &= ~TRY(runtime::cap_mask(c));
  for (const auto& c : o.cap_add) caps |= TRY(runtime::cap_mask(c));
  return caps;
}

Result<void> apply_security_opts(const RunOptions& o, runtime::Spec& spec) {
  for (const auto& opt : o.security_opt) {
    if (opt == "no-new-privileges" || opt == "no-new-privileges=true" || opt == "no-new-privileges:true") spec.no_new_privs = true;
    else if (opt == "seccomp=unconfined" || opt == "seccomp:unconfined") spec.seccomp = false;
    else if (opt.starts_with("mask=")) for (const auto& p : split(opt.substr(5), ':')) spec.masked.push_back(p);
    else if (opt.starts_with("unmask=")) {
      for (const auto& p : split(opt.substr(7), ':')) {
        if (p == "ALL") { spec.masked.clear(); spec.readonly_paths.clear(); continue; }
        std::erase(spec.masked, p);
        std::erase(spec.readonly_paths, p);
      }
    } else if (opt == "label=disable" || opt.starts_with("label=")) continue;
    else return fail(Errc::usage, "invalid --security-opt \"{}\"", opt);
  }
  return {};
}

Result<std::string> write_etc_files(const store::Store& s, const std::string& id, const std::string& hostname) {
  auto dir = TRY(sys::open_beneath(s.root(), "containers/" + id, O_RDONLY | O_DIRECTORY, 0, true));
  TRY(sys::write_atomic(dir.get(), "hostname", hostname + "\n", 0644));
  TRY(sys::write_atomic(dir.get(), "hosts",
                        fmt::format("127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t{}\n", hostname), 0644));
  std::string resolv;
  if (int fd = ::open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC); fd >= 0) {
    sys::UniqueFd g(fd);
    if (auto t = sys::read_all(fd, 1 << 16); t) resolv = *t;
  }
  TRY(sys::write_atomic(dir.get(), "resolv.conf", resolv, 0644));
  return fmt::format("{}/containers/{}", s.paths().root, id);
}

}  // namespace

Result<UserIds> resolve_user(std::string_view spec, std::string_view passwd, std::string_view group) {
  UserIds ids;
  std::string user(spec.substr(0, spec.find(':')));
  std::string grp = spec.find(':') == std::string_view::npos ? "" : std::string(spec.substr(spec.find(':') + 1));
  if (user.empty()) user = "0";
  bool found = false;
  std::string name;
  for (const auto& line : split(passwd, '\n')) {
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    if (f[0] == user || (all_digits(user) && f[2] == user)) {
      if (!all_digits(f[2]) || !all_digits(f[3])) continue;
      ids.uid = static_cast<unsigned>(std::stoul(f[2]));
      ids.gid = static_cast<unsigned>(std::stoul(f[3]));
      ids.home = f[5].empty() ? "/" : f[5];
      name = f[0];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!all_digits(user)) return fail(Errc::not_found, "unable to find user {}: no matching entries in passwd file", user);
    ids.uid = static_cast<unsigned>(std::stoul(user));
    ids.gid = ids.uid == 0 ? 0 : ids.uid;
    if (ids.uid != 0) ids.gid = 0;
  }
  auto groups = split(group, '\n');
  if (!grp.empty()) {
    bool gfound = false;
    for (const auto& line : groups) {
      auto f = split(line, ':');
      if (f.size() >= 3 && (f[0] == grp || (all_digits(grp) && f[2] == grp)) && all_digits(f[2])) {
        ids.gid = static_cast<unsigned>(std::stoul(f[2]));
        gfound = true;
        break;
      }
    }
    if (!gfound) {
      if (!all_digits(grp)) return fail(Errc::not_found, "unable to find group {}: no matching entries in group file", grp);
      ids.gid = static_cast<unsigned>(std::stoul(grp));
    }
  }
  // Supplementary groups from the image's /etc/group (CVE-2023-25173).
  if (!name.empty())
    for (const auto& line : groups) {
      auto f = split(line, ':');
      if (f.size() < 4 || !all_digits(f[2])) continue;
      for (const auto& m : split(f[3], ','))
        if (m == name) {
          unsigned g = static_cast<unsigned>(std::stoul(f[2]));
          if (g != ids.gid) ids.groups.push_back(g);
        }
    }
  return ids;
}

Result<std::vector<std::string>> container_argv(const Json& image_config, const std::optional<std::string>& entrypoint,
                                                const std::vector<std::string>& command) {
  const Json& cfg = json_obj(image_config, "config");
  std::vector<std::string> argv;
  auto append = [&](const Json& arr) {
    if (arr.is_array())
      for (const auto& a : arr)
        if (a.is_string()) argv.push_back(a.get<std::string>());
  };
  if (entrypoint) {
    if (entrypoint->starts_with("[")) {
      auto j = parse_json(*entrypoint, "--entrypoint", 4);
      if (!j || !j->is_array()) return fail(Errc::usage, "invalid --entrypoint \"{}\"", *entrypoint);
      append(*j);
    } else if (!entrypoint->empty()) {
      argv.push_back(*entrypoint);
    }
  } else {
    append(json_obj(cfg, "Entrypoint"));
  }
  if (!command.empty()) argv.insert(argv.end(), command.begin(), command.end());
  else if (!entrypoint) append(json_obj(cfg, "Cmd"));
  if (argv.empty()) return fail(Errc::usage, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  return argv;
}

Result<int> run_container(Context& c, const RunOptions& o) {
  store::ImageRecord rec;
  Json cfg;
  std::string id = random_hex(64);
  std::string name = o.name;
  runtime::Spec spec;
  {
    auto lock = TRY(c.store.write_lock());
    auto names = TRY(c.store.names());
    auto img = TRY(resolve_image(c.store, names, o.image));
    rec = TRY(c.store.image(img.id));
    cfg = TRY(parse_json(TRY(c.store.read_blob(img.id, kMax)), "image config"));
    auto existing = TRY(read_containers(c.store));
    if (name.empty()) name = random_name() + "_" + id.substr(0, 4);
    for (const auto& ct : existing)
      if (json_str(ct.config, "name") == name)
        return fail(Errc::conflict,
                    "the container name \"{}\" is already in use by {}. You have to remove that container to be able to reuse that name: that name is already in use",
                    name, ct.id);
    spec.argv = TRY(container_argv(cfg, o.entrypoint, o.command));
    auto dir = TRY(sys::make_dirs(c.store.root(), "containers/" + id, 0700));
    for (const char* d : {"upper", "work", "merged"}) TRY(sys::ensure_dir(dir.get(), d, 0755));
    Json conf = {{"id", id},       {"name", name},  {"image_id", img.id.str()}, {"image", img.name.empty() ? o.image : img.name},
                 {"command", spec.argv}, {"created", static_cast<std::int64_t>(std::time(nullptr))}, {"rm", o.rm}};
    auto wdir = TRY(sys::open_beneath(c.store.root(), "containers/" + id, O_RDONLY | O_DIRECTORY, 0, true));
    TRY(write_state(c.store, id, container_state("created", 0, 0, 0, 0)));
    TRY(sys::write_atomic(wdir.get(), "config.json", dump_json(conf)));
  }
  auto cleanup_rm = [&]() {
    if (!o.rm) return;
    auto lock = c.store.write_lock();
    auto t = c.store.temp("rm");
    if (t) ::renameat(c.store.root(), ("containers/" + id).c_str(), c.store.tmp(), (t->name() + "/c").c_str());
  };
  auto prepared = [&]() -> Result<void> {
    const Json& ic = json_obj(cfg, "config");
    std::string root = c.store.paths().root;
    for (auto it = rec.layers.rbegin(); it != rec.layers.rend(); ++it) spec.lowers.push_back(c.store.layer_diff_abs(*it));
    spec.layers_dir = root + "/layers";
    std::string cdir = fmt::format("{}/containers/{}", root, id);
    spec.upper = cdir + "/upper";
    spec.work = cdir + "/work";
    spec.merged = cdir + "/merged";
    spec.rootless = sys::rootless();
    spec.userxattr = spec.rootless;
    const char* full = std::getenv("_BERTH_USERNS_FULL");
    spec.full_idmap = !spec.rootless || !full || std::string_view(full) != "0";
    spec.hostname = o.hostname.empty() ? id.substr(0, 12) : o.hostname;
    if (o.network == "host") spec.net_host = true;
    else if (o.network != "private" && o.network != "none" && o.network != "bridge" && !o.network.empty())
      return fail(Errc::usage, "unsupported network \"{}\": use none, host or private", o.network);
    spec.read_only = o.read_only;
    spec.privileged = o.privileged;
    spec.caps = TRY(capabilities(o));
    spec.masked = runtime::default_masked_paths();
    spec.readonly_paths = runtime::default_readonly_paths();
    TRY(apply_security_opts(o, spec));
    std::string user = o.user.empty() ? json_str(ic, "User") : o.user;
    auto ids = TRY(resolve_user(user, read_image_file(c.store, rec.layers, "etc/passwd"),
                                read_image_file(c.store, rec.layers, "etc/group")));
    spec.uid = ids.uid;
    spec.gid = ids.gid;
    spec.groups.assign(ids.groups.begin(), ids.groups.end());
    const Json& env = json_obj(ic, "Env");
    if (env.is_array())
      for (const auto& e : env)
        if (e.is_string()) spec.env.push_back(e.get<std::string>());
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
    for (const auto& e : o.env) {
      if (e.find('=') != std::string::npos) set_env(e);
      else if (const char* v = std::getenv(e.c_str())) set_env(e + "=" + v);
    }
    spec.cwd = !o.workdir.empty() ? o.workdir : json_str(ic, "WorkingDir", "/");
    if (spec.cwd.empty()) spec.cwd = "/";
    if (spec.cwd[0] != '/') return fail(Errc::usage, "workdir \"{}\" is not an absolute path", spec.cwd);
    spec.stdin_open = o.interactive;
    std::string etc = TRY(write_etc_files(c.store, id, spec.hostname));
    for (const char* f : {"hostname", "hosts", "resolv.conf"})
      spec.binds.push_back({fmt::format("{}/{}", etc, f), fmt::format("/etc/{}", f), false, true});
    for (const auto& v : o.volumes) spec.binds.push_back(TRY(parse_volume(v)));
    return {};
  }();
  if (!prepared) {
    cleanup_rm();
    return std::unexpected(prepared.error());
  }
  auto code = runtime::run_foreground(spec, [&](const runtime::Started& s) {
    auto w = write_state(c.store, id, container_state("running", s.pid, std::time(nullptr), 0, 0));
    if (!w) log::warn("record container state: {}", w.error().message);
  });
  auto st = write_state(c.store, id, container_state(code ? "exited" : "exited", 0, 0, std::time(nullptr), code ? *code : 125));
  (void)st;
  cleanup_rm();
  return code;
}

Result<std::vector<ContainerSummary>> list_containers(Context& c, bool all) {
  auto lock = TRY(c.store.read_lock());
  std::vector<ContainerSummary> out;
  for (const auto& r : TRY(read_containers(c.store))) {
    ContainerSummary s;
    s.id = r.id;
    s.name = json_str(r.config, "name");
    s.image = json_str(r.config, "image");
    const Json& cmd = json_obj(r.config, "command");
    if (cmd.is_array())
      for (const auto& a : cmd)
        if (a.is_string()) s.command.push_back(a.get<std::string>());
    s.created = json_int(r.config, "created");
    s.started = json_int(r.state, "started");
    s.finished = json_int(r.state, "finished");
    s.exit_code = static_cast<int>(json_int(r.state, "exit_code"));
    s.status = json_str(r.state, "status", "created");
    if (s.status == "running" && !alive(r.state)) s.status = "exited";
    if (s.status == "running") s.pid = static_cast<int>(json_int(r.state, "pid"));
    if (!all && s.status != "running") continue;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
  return out;
}

Result<RmReport> remove_containers(Context& c, const RmOptions& o) {
  RmReport rep;
  auto lock = TRY(c.store.write_lock());
  auto all = TRY(read_containers(c.store));
  std::vector<std::string> ids;
  if (o.all) for (const auto& r : all) ids.push_back(r.id);
  for (const auto& k : o.containers) {
    auto id = find_container(all, k);
    if (!id) rep.errors.push_back(id.error());
    else ids.push_back(*id);
  }
  for (const auto& id : ids) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& r) { return r.id == id; });
    if (it == all.end()) continue;
    if (alive(it->state)) {
      if (!o.force) {
        rep.errors.push_back(Error{Errc::conflict, 0,
                                   fmt::format("cannot remove container {} as it is running - running or paused containers cannot be removed without force: container state improper",
                                               id)});
        continue;
      }
      ::kill(static_cast<pid_t>(json_int(it->state, "pid")), SIGKILL);
    }
    auto t = TRY(c.store.temp("rm"));
    if (::renameat(c.store.root(), ("containers/" + id).c_str(), c.store.tmp(), (t.name() + "/c").c_str()) < 0)
      return fail_errno("remove container {}", id);
    rep.removed.push_back(id);
  }
  return rep;
}

}  // namespace berth::engine

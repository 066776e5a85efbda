// The store's container wing: see include/berth/store/containers.hpp.
#include "berth/store/containers.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>

#include "berth/sys/file.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/userns.hpp"
#include "berth/sys/lock.hpp"
#include "berth/sys/mount.hpp"

namespace berth::store {

namespace {

constexpr size_t kRecordMax = 16 << 20;
constexpr const char* kNames = "container-names";

bool flag(const Json& j, const char* key, bool def = false) {
  const Json& v = json_obj(j, key);
  return v.is_boolean() ? v.get<bool>() : def;
}

std::optional<std::int64_t> opt_int(const Json& j, const char* key) {
  const Json& v = json_obj(j, key);
  if (!v.is_number()) return std::nullopt;
  return json_int(j, key);
}

}  // namespace

Json health_json(const HealthCheck& h) {
  return Json{{"Test", h.test},
              {"Interval", h.interval},
              {"Timeout", h.timeout},
              {"StartPeriod", h.start_period},
              {"Retries", h.retries}};
}

namespace {

std::optional<HealthCheck> health_from_json(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  HealthCheck h;
  h.test = json_strings(json_obj(j, "Test"));
  if (h.test.empty()) return std::nullopt;
  h.interval = json_int(j, "Interval");
  h.timeout = json_int(j, "Timeout");
  h.start_period = json_int(j, "StartPeriod");
  h.retries = static_cast<int>(json_int(j, "Retries"));
  return h;
}

// Schema 1 kept tmpfs mounts as "DST[:options]".
Tmpfs legacy_tmpfs(const std::string& t) {
  auto colon = t.find(':');
  return Tmpfs{t.substr(0, colon), colon == std::string::npos ? "rw,noexec,nosuid,nodev" : t.substr(colon + 1)};
}

}  // namespace

std::optional<Volume> legacy_volume(std::string_view s) {
  auto a = s.find(':');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = s.find(':', a + 1);
  Volume v;
  v.source = std::string(s.substr(0, a));
  v.target = std::string(s.substr(a + 1, b == std::string_view::npos ? b : b - a - 1));
  if (b != std::string_view::npos) {
    std::string_view opts = s.substr(b + 1);
    size_t i = 0;
    while (i <= opts.size()) {
      size_t j = opts.find(',', i);
      if (j == std::string_view::npos) j = opts.size();
      if (opts.substr(i, j - i) == "ro") v.read_only = true;
      i = j + 1;
    }
  }
  if (v.source.empty() || v.target.empty()) return std::nullopt;
  return v;
}

Json volumes_json(const ContainerConfig& c) {
  Json vols = Json::array();
  for (const auto& v : c.volumes) {
    Json one = {{"source", v.source}, {"target", v.target}, {"ro", v.read_only}, {"file", v.is_file}};
    if (!v.name.empty()) one["volume"] = v.name;
    vols.push_back(std::move(one));
  }
  return vols;
}

Json to_json(const ContainerConfig& c) {
  Json vols = volumes_json(c), tmpfs = Json::array(), ports = Json::array();
  for (const auto& t : c.tmpfs) tmpfs.push_back({{"target", t.target}, {"options", t.options}});
  for (const auto& p : c.ports)
    ports.push_back({{"host_ip", p.host_ip},
                     {"host_port", p.host_port},
                     {"container_port", p.container_port},
                     {"protocol", p.protocol}});
  Json j = {{"schema", kContainerSchema},
            {"id", c.id},
            {"name", c.name},
            {"image_id", c.image_id.str()},
            {"image", c.image},
            {"command", c.command},
            {"env", c.env},
            {"unsetenv", c.unsetenv},
            {"default_env", c.default_env},
            {"unsetenv_all", c.unsetenv_all},
            {"workdir", c.workdir},
            {"user", c.user},
            {"hostname", c.hostname},
            {"volumes", vols},
            {"tmpfs", tmpfs},
            {"group_add", c.group_add},
            {"memory", c.memory ? Json(*c.memory) : Json()},
            {"pids_limit", c.pids_limit ? Json(*c.pids_limit) : Json()},
            {"cpus", c.cpus ? Json(*c.cpus) : Json()},
            {"ulimits", c.ulimits},
            {"seccomp_profile", c.seccomp_profile},
            {"init", c.init},
            {"cap_add", c.cap_add},
            {"cap_drop", c.cap_drop},
            {"security_opt", c.security_opt},
            {"userns", c.userns},
            {"uidmap", c.uidmap},
            {"gidmap", c.gidmap},
            {"network", c.network},
            {"networks", c.networks},
            {"network_opts", c.network_opts},
            {"ports", ports},
            {"ip", c.ip},
            {"mac", c.mac},
            {"aliases", c.aliases},
            {"dns", c.dns},
            {"dns_search", c.dns_search},
            {"dns_option", c.dns_option},
            {"add_host", c.add_host},
            {"no_hosts", c.no_hosts},
            {"pod", c.pod},
            {"is_infra", c.is_infra},
            {"uts", c.uts},
            {"ipc", c.ipc},
            {"pid", c.pid},
            {"sdnotify", c.sdnotify},
            {"restart", c.restart},
            {"log_driver", c.log_driver},
            {"log_opt", c.log_opt},
            {"create_command", c.create_command},
            {"create_image_index", c.create_image_index},
            {"labels", c.labels},
            {"stop_signal", c.stop_signal},
            {"stop_timeout", c.stop_timeout},
            {"healthcheck", c.healthcheck ? health_json(*c.healthcheck) : Json()},
            {"health_on_failure", c.health_on_failure},
            {"health_max_log_count", c.health_max_log_count},
            {"health_max_log_size", c.health_max_log_size},
            {"read_only", c.read_only},
            {"umask", c.umask},
            {"timeout", c.timeout},
            {"preserve_fds", c.preserve_fds},
            {"conmon_pidfile", c.conmon_pidfile},
            {"timezone", c.timezone},
            {"privileged", c.privileged},
            {"rm", c.rm},
            {"interactive", c.interactive},
            {"tty", c.tty},
            {"created", c.created}};
  return j;
}

// The network, pod and namespace-sharing fields of a container record.
static void network_from_json(const Json& j, ContainerConfig& c) {
  c.network = json_str(j, "network", "private");
  c.networks = json_strings(json_obj(j, "networks"));
  c.network_opts = json_strings(json_obj(j, "network_opts"));
  for (const auto& p : json_obj(j, "ports").is_array() ? json_obj(j, "ports") : Json::array())
    c.ports.push_back(PortMapping{json_str(p, "host_ip"), static_cast<std::uint16_t>(json_int(p, "host_port")),
                                  static_cast<std::uint16_t>(json_int(p, "container_port")),
                                  json_str(p, "protocol", "tcp")});
  c.ip = json_str(j, "ip");
  c.mac = json_str(j, "mac");
  c.aliases = json_strings(json_obj(j, "aliases"));
  c.dns = json_strings(json_obj(j, "dns"));
  c.dns_search = json_strings(json_obj(j, "dns_search"));
  c.dns_option = json_strings(json_obj(j, "dns_option"));
  c.add_host = json_strings(json_obj(j, "add_host"));
  c.no_hosts = flag(j, "no_hosts");
  c.pod = json_str(j, "pod");
  c.is_infra = flag(j, "is_infra");
  c.uts = json_str(j, "uts");
  c.ipc = json_str(j, "ipc");
  c.pid = json_str(j, "pid");
}

Result<ContainerConfig> container_config_from_json(const Json& j) {
  if (!j.is_object()) return fail(Errc::invalid_input, "container config is not a JSON object");
  ContainerConfig c;
  c.schema = static_cast<int>(json_int(j, "schema", 1));
  c.id = json_str(j, "id");
  if (!is_full_id(c.id)) return fail(Errc::invalid_input, "container config has no valid id");
  c.image_id = TRY(context(Digest::parse(json_str(j, "image_id")), "container config"));
  c.name = json_str(j, "name");
  c.image = json_str(j, "image");
  c.command = json_strings(json_obj(j, "command"));
  c.env = json_strings(json_obj(j, "env"));
  c.unsetenv = json_strings(json_obj(j, "unsetenv"));
  c.default_env = json_strings(json_obj(j, "default_env"));
  c.unsetenv_all = json_obj(j, "unsetenv_all") == true;
  c.workdir = json_str(j, "workdir");
  c.user = json_str(j, "user");
  c.hostname = json_str(j, "hostname");
  for (const auto& v : json_obj(j, "volumes").is_array() ? json_obj(j, "volumes") : Json::array()) {
    if (v.is_string()) {  // schema 1
      if (auto lv = legacy_volume(v.get<std::string>())) c.volumes.push_back(*lv);
    } else if (v.is_object()) {
      c.volumes.push_back(Volume{json_str(v, "source"), json_str(v, "target"), flag(v, "ro"), flag(v, "file"),
                                 json_str(v, "volume"), false});
    }
  }
  for (const auto& t : json_obj(j, "tmpfs").is_array() ? json_obj(j, "tmpfs") : Json::array()) {
    if (t.is_string())
      c.tmpfs.push_back(legacy_tmpfs(t.get<std::string>()));
    else if (t.is_object())
      c.tmpfs.push_back(Tmpfs{json_str(t, "target"), json_str(t, "options")});
  }
  c.group_add = json_strings(json_obj(j, "group_add"));
  c.memory = opt_int(j, "memory");
  c.pids_limit = opt_int(j, "pids_limit");
  if (json_obj(j, "cpus").is_number()) c.cpus = json_obj(j, "cpus").get<double>();
  c.ulimits = json_strings(json_obj(j, "ulimits"));
  c.seccomp_profile = json_str(j, "seccomp_profile");
  c.init = flag(j, "init");
  c.cap_add = json_strings(json_obj(j, "cap_add"));
  c.cap_drop = json_strings(json_obj(j, "cap_drop"));
  c.security_opt = json_strings(json_obj(j, "security_opt"));
  c.userns = json_str(j, "userns");
  c.uidmap = json_strings(json_obj(j, "uidmap"));
  c.gidmap = json_strings(json_obj(j, "gidmap"));
  network_from_json(j, c);
  c.sdnotify = json_str(j, "sdnotify", "conmon");
  c.restart = json_str(j, "restart", "no");
  c.log_driver = json_str(j, "log_driver", "k8s-file");
  c.log_opt = json_strings(json_obj(j, "log_opt"));
  c.create_command = json_strings(json_obj(j, "create_command"));
  c.create_image_index = static_cast<int>(json_int(j, "create_image_index", -1));
  c.labels = json_string_map(json_obj(j, "labels"));
  c.stop_signal = json_str(j, "stop_signal", "SIGTERM");
  if (c.stop_signal.empty()) c.stop_signal = "SIGTERM";
  c.stop_timeout = static_cast<int>(json_int(j, "stop_timeout", 10));
  c.healthcheck = health_from_json(json_obj(j, "healthcheck"));
  c.health_on_failure = json_str(j, "health_on_failure", "none");
  c.health_max_log_count = static_cast<int>(json_int(j, "health_max_log_count", 5));
  c.health_max_log_size = static_cast<int>(json_int(j, "health_max_log_size", 500));
  c.read_only = flag(j, "read_only");
  c.timeout = static_cast<int>(json_int(j, "timeout", 0));
  c.preserve_fds = static_cast<int>(json_int(j, "preserve_fds", 0));
  c.conmon_pidfile = json_str(j, "conmon_pidfile", "");
  c.umask = j.contains("umask") ? static_cast<int>(json_int(j, "umask")) & 0777 : 022;
  c.timezone = json_str(j, "timezone");
  c.privileged = flag(j, "privileged");
  c.rm = flag(j, "rm");
  c.interactive = flag(j, "interactive");
  c.tty = flag(j, "tty");
  c.created = json_int(j, "created");
  return c;
}

Json to_json(const ContainerState& s) {
  Json j = {{"status", s.status},   {"pid", s.pid},           {"start_time", s.start_time},
            {"started", s.started}, {"finished", s.finished}, {"exit_code", s.exit_code},
            {"error", s.error}};
  if (s.restart_count > 0) j["restart_count"] = s.restart_count;
  if (s.paused) j["paused"] = true;
  if (s.restarting) {
    j["restarting"] = true;
    j["monitor_pid"] = s.monitor_pid;
    j["monitor_start_time"] = s.monitor_start_time;
  }
  return j;
}

ContainerState container_state_from_json(const Json& j) {
  ContainerState s;
  s.status = json_str(j, "status", "created");
  s.pid = static_cast<int>(json_int(j, "pid"));
  s.start_time = static_cast<unsigned long long>(json_int(j, "start_time"));
  s.started = json_int(j, "started");
  s.finished = json_int(j, "finished");
  s.exit_code = static_cast<int>(json_int(j, "exit_code"));
  s.error = json_str(j, "error");
  s.restart_count = static_cast<int>(json_int(j, "restart_count"));
  s.restarting = flag(j, "restarting");
  s.paused = flag(j, "paused");
  s.monitor_pid = static_cast<int>(json_int(j, "monitor_pid"));
  s.monitor_start_time = static_cast<unsigned long long>(json_int(j, "monitor_start_time"));
  return s;
}

bool ContainerState::alive() const {
  if (status != "running" || pid <= 0 || start_time == 0) return false;
  return sys::process_start_time(pid) == start_time;
}

std::string ContainerState::shown_status() const {
  if (status == "running" && !alive()) return "exited";
  if (status == "running" && paused) return "paused";
  return status;
}

bool ContainerState::restart_pending() const {
  return restarting && monitor_pid > 0 && monitor_start_time != 0 &&
         sys::process_start_time(monitor_pid) == monitor_start_time;
}

ContainerState ContainerState::running(int pid, unsigned long long start_time, std::int64_t started_ns) {
  ContainerState s;
  s.status = "running";
  s.pid = pid;
  s.start_time = start_time;
  s.started = started_ns;
  return s;
}

ContainerState ContainerState::exited(int code, const std::string& err) const {
  ContainerState s = *this;
  s.status = "exited";
  s.paused = false;
  s.pid = 0;
  s.finished = now_ns();
  s.exit_code = code;
  s.error = err;
  return s;
}

ContainerState ContainerState::with_restarting(bool on) const {
  ContainerState s = *this;
  s.restarting = on;
  s.monitor_pid = on ? ::getpid() : 0;
  s.monitor_start_time = on ? sys::process_start_time(::getpid()) : 0;
  return s;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- records ----------------------------------------------------------------------------------

Result<ContainerRecord> read_container(const Store& s, const std::string& id) {
  auto text = sys::read_file_at(s.root(), "containers/" + id + "/config.json", kRecordMax);
  if (!text) return fail(Errc::not_found, "no container with ID {} found in the store", id);
  auto cfg = TRY(container_config_from_json(TRY(parse_json(*text, "container config"))));
  if (cfg.schema < 2)  // schema 1 did not record whether a volume's source is a file
    for (auto& v : cfg.volumes) {
      struct stat st;
      v.is_file = ::stat(v.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    }
  ContainerState state;
  if (auto st = sys::read_file_at(s.root(), "containers/" + id + "/state.json", kRecordMax); st)
    if (auto p = parse_json(*st, "container state"); p) state = container_state_from_json(*p);
  return ContainerRecord{id, std::move(cfg), std::move(state)};
}

Result<std::vector<ContainerRecord>> read_containers(const Store& s) {
  std::vector<ContainerRecord> out;
  for (const auto& id : TRY(sys::list_dir(s.root(), "containers"))) {
    auto r = read_container(s, id);
    if (r) out.push_back(std::move(*r));  // a half-created or removed one is skipped
  }
  return out;
}

Result<void> write_config(const Store& s, const ContainerConfig& c, bool durable) {
  auto dir = TRY(sys::open_beneath(s.root(), "containers/" + c.id, O_RDONLY | O_DIRECTORY, 0, true));
  if (durable) return sys::write_atomic(dir.get(), "config.json", dump_json(to_json(c)));
  return sys::write_replace(dir.get(), "config.json", dump_json(to_json(c)));
}

Result<void> write_state(const Store& s, const std::string& id, const ContainerState& st) {
  auto dir = TRY(sys::open_beneath(s.root(), "containers/" + id, O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_replace(dir.get(), "state.json", dump_json(to_json(st)));
}

Result<void> publish_container(const Store& s, const ContainerConfig& c, bool durable) {
  auto t = TRY(s.temp("ctr"));
  for (const char* d : {"upper", "work", "merged"}) TRY(sys::ensure_dir(t.fd(), d, 0755));
  // No state.json yet: a container without one is "created". A --rm record is not worth a
  // disk flush on the way to every `run --rm` (after a power cut such a half-written record
  // is skipped like any unreadable one).
  if (durable)
    TRY(sys::write_atomic(t.fd(), "config.json", dump_json(to_json(c))));
  else
    TRY(sys::write_replace(t.fd(), "config.json", dump_json(to_json(c))));
  if (::renameat(s.tmp(), t.name().c_str(), s.root(), ("containers/" + c.id).c_str()) < 0)
    return fail_errno("create container {}", c.id);
  t.release();
  return {};
}

Result<std::vector<Digest>> Store::container_image_ids() const {
  std::vector<Digest> out;
  for (const auto& r : TRY(read_containers(*this))) out.push_back(r.config.image_id);
  return out;
}

// ---- names ------------------------------------------------------------------------------------

Result<std::string> find_container(const std::vector<ContainerRecord>& all, std::string_view key) {
  for (const auto& c : all)
    if (c.config.name == key || c.id == key) return c.id;
  std::string found;
  if (!key.empty())
    for (const auto& c : all)
      if (c.id.starts_with(key)) {
        if (!found.empty()) return fail(Errc::conflict, "more than one result for container \"{}\"", key);
        found = c.id;
      }
  if (found.empty()) return fail(Errc::not_found, "no container with name or ID \"{}\" found: no such container", key);
  return found;
}

bool is_full_id(std::string_view k) { return k.size() == 64 && is_hex(k); }

namespace {

// The id a name's link points to ("" when there is no link).
std::string name_link(const Store& s, std::string_view name) {
  if (name.empty() || name.find('/') != std::string_view::npos || name == "." || name == "..") return "";
  char buf[128];
  ssize_t n = ::readlinkat(s.root(), fmt::format("{}/{}", kNames, name).c_str(), buf, sizeof buf);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof buf)) return "";
  return std::string(buf, static_cast<size_t>(n));
}

bool container_exists(const Store& s, std::string_view id) {
  return is_full_id(id) && sys::exists_at(s.root(), fmt::format("containers/{}/config.json", id));
}

// Under the write lock: the index, built from the records when the store has none yet.
Result<void> ensure_name_index(const Store& s) {
  struct stat st;
  if (::fstatat(s.root(), kNames, &st, AT_SYMLINK_NOFOLLOW) == 0) return {};
  auto t = TRY(s.temp("names"));
  for (const auto& r : TRY(read_containers(s)))
    if (check_container_name(r.config.name)) (void)::symlinkat(r.id.c_str(), t.fd(), r.config.name.c_str());
  if (::renameat(s.tmp(), t.name().c_str(), s.root(), kNames) != 0)
    return fail_errno("create the container names index");
  t.release();
  return {};
}

}  // namespace

Result<std::string> resolve_container(const Store& s, std::string_view key) {
  if (std::string id = name_link(s, key); container_exists(s, id)) return id;
  if (container_exists(s, key)) return std::string(key);
  if (!key.empty() && key.size() < 64 && is_hex(key)) {
    std::string found;
    for (const auto& id : TRY(sys::list_dir(s.root(), "containers")))
      if (std::string_view(id).starts_with(key) && container_exists(s, id)) {
        if (!found.empty()) return fail(Errc::conflict, "more than one result for container \"{}\"", key);
        found = id;
      }
    if (!found.empty()) return found;
  }
  return find_container(TRY(read_containers(s)), key);  // not indexed (an older store), or unknown
}

Result<void> check_container_name(std::string_view name) {
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0])) ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
          std::string_view::npos)
    return fail(Errc::usage, "invalid container name \"{}\": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", name);
  return {};
}

Result<std::string> claim_name(const Store& s, const std::string& name, const std::string& id) {
  TRY(check_container_name(name));  // never a path out of the index
  TRY(ensure_name_index(s));
  std::string link = fmt::format("{}/{}", kNames, name);
  for (int attempt = 0; attempt < 2; attempt++) {
    if (::symlinkat(id.c_str(), s.root(), link.c_str()) == 0) return std::string();
    if (errno != EEXIST) return fail_errno("claim the container name {}", name);
    std::string holder = name_link(s, name);
    if (holder == id) return std::string();
    if (container_exists(s, holder)) return holder;
    ::unlinkat(s.root(), link.c_str(), 0);  // stale: its container is gone
  }
  return fail(Errc::conflict, "claim the container name {}: it keeps changing", name);
}

void release_name(const Store& s, const std::string& name, const std::string& id) {
  if (check_container_name(name) && name_link(s, name) == id)
    ::unlinkat(s.root(), fmt::format("{}/{}", kNames, name).c_str(), 0);
}

// ---- directories ------------------------------------------------------------------------------

void mark_stopped(const Store& s, const std::string& id) {
  // No run dir: the container never ran, and nothing is there to restart it.
  int fd = ::open((container_run_dir(s, id) + "/stopped").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) ::close(fd);
}

void clear_stopped(const Store& s, const std::string& id) { ::unlink((container_run_dir(s, id) + "/stopped").c_str()); }

bool was_stopped(const Store& s, const std::string& id) {
  return ::access((container_run_dir(s, id) + "/stopped").c_str(), F_OK) == 0;
}

void mark_stopping(const Store& s, const std::string& id, bool on) {
  std::string path = container_run_dir(s, id) + "/stopping";
  if (!on) {
    ::unlink(path.c_str());
    return;
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) ::close(fd);
}

bool is_stopping(const Store& s, const std::string& id) {
  return ::access((container_run_dir(s, id) + "/stopping").c_str(), F_OK) == 0;
}

Result<std::optional<TakenDir>> take_container_dir(const Store& s, const std::string& id) {
  // `berth mount` may have left the overlay mounted here: never delete through it.
  // A commit reading the container holds a shared lock on its directory: wait for it.
  sys::UniqueFd dir(::openat(s.root(), ("containers/" + id).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) (void)sys::FileLock::lock_fd(dir.get(), sys::FileLock::Mode::exclusive);
  std::string merged = container_dir(s, id) + "/merged";
  for (int i = 0; i < 16 && sys::unmount(merged, true); i++) {}
  // Renamed into tmp/ under a name of its own, its directory lock still held (sweeps of tmp/
  // skip it), then deleted there: no directory is made just to delete one.
  std::string name = "rm-" + id;  // ids are never reused
  if (::renameat(s.root(), ("containers/" + id).c_str(), s.tmp(), name.c_str()) < 0) {
    if (errno == ENOENT) return std::nullopt;
    return fail_errno("remove container {}", id);
  }
  // The name goes after the container (a crash in between leaves a stale link, never a live
  // container whose name could be claimed twice).
  if (auto text = sys::read_file_at(s.tmp(), name + "/config.json", kRecordMax); text)
    if (auto j = parse_json(*text, "container config"); j) release_name(s, json_str(*j, "name"), id);
  return TakenDir{std::move(dir), name, id};
}

void delete_taken(const Store& s, TakenDir& t) {
  (void)sys::remove_tree(s.tmp(), t.name);                    // what stays (an error) goes with a later sweep
  (void)sys::remove_tree(s.runroot(), "containers/" + t.id);  // its tmpfs files, if any
  t.lock.reset();
}

Result<void> remove_container_dir(const Store& s, const std::string& id, bool background) {
  auto taken = TRY(take_container_dir(s, id));
  if (!taken) return {};
  if (background && sys::thread_count() == 1) {
    // A child nobody waits for: the caller is a foreground berth about to exit. It holds none
    // of the caller's fds: not its output (a shell reading it waits for every writer), not the
    // store's lock (a flock lives as long as any copy of its fd). It takes the directory's
    // lock anew (once the caller's goes), so no sweep deletes beside it; killed half-way, it
    // leaves a directory the next sweep removes.
    std::string tmp = s.paths().root + "/tmp", run = s.paths().runroot, name = taken->name;
    auto child = sys::spawn_detached([&] {
      int tmp_fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      int mine = tmp_fd < 0 ? -1 : ::openat(tmp_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (mine >= 0 && sys::FileLock::lock_fd(mine, sys::FileLock::Mode::exclusive))
        (void)sys::remove_tree(tmp_fd, name);  // once the caller let go
      int run_fd = ::open(run.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (run_fd >= 0) (void)sys::remove_tree(run_fd, "containers/" + id);
    });
    if (child) return {};
  }
  delete_taken(s, *taken);
  return {};
}

std::string container_run_dir(const Store& s, const std::string& id) {
  return fmt::format("{}/containers/{}", s.paths().runroot, id);
}

Result<sys::UniqueFd> open_run_dir(const Store& s, const std::string& id) {
  return sys::make_dirs(s.runroot(), "containers/" + id, 0700);
}

std::string container_dir(const Store& s, const std::string& id) {
  return fmt::format("{}/containers/{}", s.paths().root, id);
}

}  // namespace berth::store

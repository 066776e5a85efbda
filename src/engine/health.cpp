// Health checks: the configuration (flags over the image's), the state machine, one check
// (`healthcheck run`), and the timer that runs them from a container's monitor.
#include "berth/engine/health.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/run.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/lock.hpp"
#include "berth/sys/userns.hpp"
#include "berth/engine/spec.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/event.hpp"
#include "berth/sys/process.hpp"
#include "health_timer.hpp"

namespace berth::engine {

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// The longest interval, timeout or start period taken from an image: a year.
constexpr std::int64_t kHealthMaxDuration = 366LL * 24 * 3600 * kSecond;
constexpr size_t kMaxOutput = 1 << 20;  // read from a check; what is kept is --health-max-log-size

Result<std::int64_t> duration_flag(std::string_view flag, const std::string& v, std::int64_t min_ns) {
  auto ns = parse_duration_ns(v);
  if (!ns) return fail(Errc::usage, "invalid {} \"{}\": use a duration like 30s, 1m30s or 500ms", flag, v);
  if (*ns < min_ns)
    return fail(Errc::usage, "invalid {} \"{}\": must be at least {}", flag, v, min_ns == kSecond ? "1 second" : "0s");
  return *ns;
}

bool is_health_test(const Json& test) {
  if (!test.is_array() || test.empty() || !test[0].is_string()) return false;
  for (const auto& a : test)
    if (!a.is_string()) return false;
  std::string kind = test[0].get<std::string>();
  return (kind == "CMD" && test.size() > 1) || (kind == "CMD-SHELL" && test.size() == 2);
}

// --health-cmd: "none", a JSON array (exec form, CMD implied), or text for /bin/sh -c.
Result<Json> cmd_test(const std::string& cmd) {
  if (cmd == "none") return Json(nullptr);
  if (cmd.find_first_not_of(" \t") == std::string::npos)
    return fail(Errc::usage, "invalid --health-cmd: must provide a non-empty command to run a health check");
  if (!cmd.starts_with("[")) return Json::array({"CMD-SHELL", cmd});
  auto j = parse_json(cmd, "--health-cmd", 4);
  if (!j || !j->is_array() || j->empty())
    return fail(Errc::usage, "invalid --health-cmd \"{}\": not a JSON array of strings", cmd);
  for (const auto& a : *j)
    if (!a.is_string()) return fail(Errc::usage, "invalid --health-cmd \"{}\": not a JSON array of strings", cmd);
  std::string first = (*j)[0].get<std::string>();
  if (first == "NONE") return Json(nullptr);
  Json test = *j;
  if (first != "CMD" && first != "CMD-SHELL") test.insert(test.begin(), "CMD");
  if (!is_health_test(test)) return fail(Errc::usage, "invalid --health-cmd \"{}\": no command to run", cmd);
  return test;
}

std::string timestamp(std::int64_t ns) { return rfc3339_utc(ns / kSecond, static_cast<long>(ns % kSecond)); }

}  // namespace

Result<Json> resolve_healthcheck(const Json& image_hc, const HealthFlags& f) {
  if (f.on_failure != "none" && f.on_failure != "kill" && f.on_failure != "restart" && f.on_failure != "stop")
    return fail(Errc::usage, "invalid --health-on-failure \"{}\": use none, kill, restart or stop", f.on_failure);
  if (f.max_log_count && *f.max_log_count < 0)
    return fail(Errc::usage, "invalid --health-max-log-count: must not be negative");
  if (f.max_log_size && *f.max_log_size < 0)
    return fail(Errc::usage, "invalid --health-max-log-size: must not be negative");
  const Json img = image_hc.is_object() ? image_hc : Json::object();
  Json test = nullptr;
  if (f.cmd)
    test = TRY(cmd_test(*f.cmd));
  else if (!f.disable && is_health_test(json_obj(img, "Test")))
    test = json_obj(img, "Test");
  if (f.disable) test = nullptr;
  // The other flags are checked even when there is no command for them.
  // The image's values are untrusted: out of range means the default (an interval under a
  // second would busy-loop the monitor; a year-long one overflows nothing).
  auto image_ns = [&](const char* key, std::int64_t min, std::int64_t def) {
    std::int64_t v = json_int(img, key, def);
    return v < min || v > kHealthMaxDuration ? def : v;
  };
  std::int64_t interval = image_ns("Interval", kSecond, kHealthDefaultInterval);
  std::int64_t timeout = image_ns("Timeout", kSecond, kHealthDefaultTimeout);
  std::int64_t start_period = image_ns("StartPeriod", 0, 0);
  long long image_retries = json_int(img, "Retries", kHealthDefaultRetries);
  int retries =
      image_retries > 0 && image_retries <= 1'000'000 ? static_cast<int>(image_retries) : kHealthDefaultRetries;
  if (f.interval) interval = *f.interval == "disable" ? 0 : TRY(duration_flag("--health-interval", *f.interval, 0));
  if (interval > 0 && interval < kSecond)
    return fail(Errc::usage, "invalid --health-interval \"{}\": must be at least 1 second (or disable)",
                f.interval.value_or(""));
  if (f.timeout) timeout = TRY(duration_flag("--health-timeout", *f.timeout, kSecond));
  if (f.start_period) start_period = TRY(duration_flag("--health-start-period", *f.start_period, 0));
  if (f.retries) {
    if (*f.retries < 1) return fail(Errc::usage, "invalid --health-retries {}: must be greater than 0", *f.retries);
    retries = *f.retries;
  }
  if (test.is_null()) {
    if (f.on_failure != "none")
      return fail(Errc::usage, "cannot set on-failure action to {} without a health check", f.on_failure);
    return Json(nullptr);
  }
  return Json{{"Test", test},
              {"Interval", interval},
              {"Timeout", timeout},
              {"StartPeriod", start_period},
              {"Retries", retries}};
}

std::vector<std::string> health_argv(const Json& test) {
  if (!is_health_test(test)) return {};
  if (test[0] == "CMD-SHELL") return {"/bin/sh", "-c", test[1].get<std::string>()};
  std::vector<std::string> argv;
  for (size_t i = 1; i < test.size(); i++) argv.push_back(test[i].get<std::string>());
  return argv;
}

Json initial_health() { return Json{{"Status", "starting"}, {"FailingStreak", 0}, {"Log", Json::array()}}; }

Json apply_health_result(const Json& previous, const HealthResult& r, const Json& hc, std::int64_t started_ns,
                         const HealthLimits& limits) {
  Json st = previous.is_object() && previous.contains("Status") ? previous : initial_health();
  int streak = static_cast<int>(json_int(st, "FailingStreak"));
  if (r.exit_code == 0) {
    st["Status"] = "healthy";
    streak = 0;
  } else {
    // Failures while starting up, within the start period, do not count (Docker's rule).
    bool starting = json_str(st, "Status") == "starting" && r.start_ns < started_ns + json_int(hc, "StartPeriod");
    if (!starting) {
      streak++;
      if (streak >= std::max<std::int64_t>(json_int(hc, "Retries", kHealthDefaultRetries), 1))
        st["Status"] = "unhealthy";
    }
  }
  st["FailingStreak"] = streak;
  std::string out = r.output;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  if (limits.max_log_size > 0 && out.size() > static_cast<size_t>(limits.max_log_size))
    out.resize(static_cast<size_t>(limits.max_log_size));
  Json log = json_obj(st, "Log").is_array() ? json_obj(st, "Log") : Json::array();
  log.push_back(
      {{"Start", timestamp(r.start_ns)}, {"End", timestamp(r.end_ns)}, {"ExitCode", r.exit_code}, {"Output", out}});
  if (limits.max_log_count > 0 && log.size() > static_cast<size_t>(limits.max_log_count))
    log.erase(log.begin(), log.end() - limits.max_log_count);
  st["Log"] = log;
  return st;
}

namespace {

// Runs the check's command in the container (as `exec` does), its stdout and stderr caught
// together, SIGKILLed when it outlives the timeout.
HealthResult exec_check(Context& c, const store::ContainerRecord& rec, const store::HealthCheck& hc) {
  HealthResult res;
  res.start_ns = store::now_ns();
  auto done = [&](int code, std::string output) {
    res.end_ns = store::now_ns();
    res.exit_code = code;
    res.output = std::move(output);
    return res;
  };
  ExecOptions o;
  o.command = health_argv(Json(hc.test));
  auto spec = exec_spec(c.store, rec, o);
  if (!spec) return done(exit_code(spec.error().code), spec.error().message);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return done(125, "pipe: " + errno_text(errno));
  sys::UniqueFd out_r(p[0]), out_w(p[1]);
  sys::UniqueFd timer = sys::timer_fd();
  std::string output;
  bool timed_out = false;
  pid_t pid = -1;
  runtime::Supervision sup;
  sup.stdio.out = sup.stdio.err = out_w.get();
  sup.relays.push_back({out_r.get(), [&output](int fd) {
                          char buf[16384];
                          ssize_t n = ::read(fd, buf, sizeof buf);
                          if (n < 0 && errno == EINTR) return true;
                          if (n <= 0) return false;
                          if (output.size() < kMaxOutput) output.append(buf, static_cast<size_t>(n));
                          return true;
                        }});
  if (timer)
    sup.relays.push_back({timer.get(),
                          [&](int fd) {
                            (void)sys::read_timer(fd);
                            timed_out = true;
                            if (pid > 0) (void)sys::send_signal(pid, SIGKILL);
                            return false;
                          },
                          false});
  std::int64_t timeout = hc.timeout > 0 ? hc.timeout : kHealthDefaultTimeout;
  sup.on_started = [&](const runtime::Started& s) {
    pid = s.pid;
    out_w.reset();
    if (timer) sys::arm_timer(timer.get(), timeout);
  };
  runtime::JoinTarget target{rec.state.pid, rec.state.start_time, false};
  auto code = runtime::exec_container_process(*spec, target, sup);
  if (timed_out) return done(-1, fmt::format("Health check exceeded timeout of {}s", timeout / kSecond));
  if (!code) return done(exit_code(code.error().code), code.error().message);
  return done(*code, std::move(output));
}

// --health-on-failure, once the container is unhealthy.
Result<void> act_on_failure(Context& c, const store::ContainerRecord& rec, const std::string& action) {
  std::string id = rec.id;
  if (action == "kill") {
    auto r = TRY(kill_containers(c, {id}, false, "SIGKILL"));
    if (!r.errors.empty()) return std::unexpected(r.errors.front());
  } else if (action == "stop") {
    auto r = TRY(stop_containers(c, StopOptions{{id}, false, std::nullopt}));
    if (!r.errors.empty()) return std::unexpected(r.errors.front());
  } else if (action == "restart") {
    // The container's monitor starts it again at once when it finds this mark (and removes it
    // once it runs again); a foreground container's berth removes it as it exits.
    std::string mark = store::container_run_dir(c.store, id) + "/health-restart";
    sys::UniqueFd m(::open(mark.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!m) return fail_errno("mark container {} for restart", id);
    pid_t pid = rec.state.pid;
    if (rec.state.alive()) (void)sys::send_signal(pid, SIGKILL);
    emit_event(c.store, "container", "kill", id, rec.config.name, rec.config.image,
               {{"signal", std::to_string(SIGKILL)}});
    for (int i = 0; i < 600 && ::access(mark.c_str(), F_OK) == 0; i++) ::usleep(50000);
  }
  return {};
}

}  // namespace

Result<HealthcheckOutcome> run_healthcheck(Context& c, const std::string& key) {
  std::string id = TRY(container_id(c, key));
  auto rec = TRY(store::read_container(c.store, id));
  std::string name = rec.config.name;
  if (!rec.config.healthcheck || health_argv(Json(rec.config.healthcheck->test)).empty())
    return fail(Errc::usage, "container {} has no defined healthcheck", name);
  const store::HealthCheck& hc = *rec.config.healthcheck;
  if (!rec.state.alive()) return fail(Errc::conflict, "container {} is not running", name);
  if (sys::rootless_pending()) TRY(sys::join_userns_of(rec.state.pid));
  HealthResult res = exec_check(c, rec, hc);
  HealthcheckOutcome out;
  out.passed = res.exit_code == 0;
  {
    auto dir = TRY(store::open_run_dir(c.store, id));
    auto lock = TRY(sys::FileLock::acquire(dir.get(), "health.lock", sys::FileLock::Mode::exclusive));
    auto cur = store::read_container(c.store, id);
    // A check that straddled a restart says nothing about the new run.
    if (!cur || cur->state.start_time != rec.state.start_time) {
      out.status = health_status(c, id, rec.config);
      return out;
    }
    Json prev = initial_health();
    if (auto t = sys::read_file_at(dir.get(), "health.json", 16 << 20); t)
      if (auto j = parse_json(*t, "health state"); j) prev = *j;
    HealthLimits limits{rec.config.health_max_log_count, rec.config.health_max_log_size};
    Json next = apply_health_result(prev, res, store::health_json(hc), cur->state.started, limits);
    TRY(sys::write_replace(dir.get(), "health.json", dump_json(next)));
    out.status = json_str(next, "Status");
  }
  emit_event(c.store, "container", "health_status", id, name, rec.config.image, Json::object(),
             {{"HealthStatus", out.status}});
  std::string action = rec.config.health_on_failure;
  if (!out.passed && out.status == "unhealthy" && action != "none") {
    log::info("container {} is unhealthy: --health-on-failure={}", name, action);
    TRY(act_on_failure(c, rec, action));
  }
  return out;
}

Json health_state(Context& c, const std::string& id) {
  if (auto t = sys::read_file_at(c.store.runroot(), "containers/" + id + "/health.json", 16 << 20); t)
    if (auto j = parse_json(*t, "health state"); j && j->is_object()) return *j;
  return initial_health();
}

std::string health_status(Context& c, const std::string& id, const store::ContainerConfig& config) {
  if (!config.healthcheck || health_argv(Json(config.healthcheck->test)).empty()) return "";
  return json_str(health_state(c, id), "Status", "starting");
}

// ---- the timer ---------------------------------------------------------------------------

namespace detail {

HealthTimer::HealthTimer(const store::Store& s, const std::string& id, const store::ContainerConfig& config,
                         std::function<void(const std::string& status)> on_result)
    : on_result_(std::move(on_result)) {
  if (!config.healthcheck || health_argv(Json(config.healthcheck->test)).empty()) return;
  interval_ns_ = config.healthcheck->interval;
  if (interval_ns_ <= 0) return;
  int idle[2];
  if (::pipe2(idle, O_CLOEXEC) < 0) return;
  idle_r_.reset(idle[0]);
  idle_w_.reset(idle[1]);
  done_.reset(::fcntl(idle_r_.get(), F_DUPFD_CLOEXEC, 3));
  timer_ = sys::timer_fd();
  if (!done_ || !timer_) {
    log::warn("health checks of container {} will not run: {}", id.substr(0, 12), errno_text(errno));
    timer_.reset();
    return;
  }
  health_file_ = container_run_dir(s, id) + "/health.json";
  log_file_ = container_run_dir(s, id) + "/monitor.log";
  for (const char* a : {"berth", "--root", s.paths().root.c_str(), "--runroot", s.paths().runroot.c_str(),
                        "healthcheck", "run", id.c_str()})
    argv_.emplace_back(a);
}

void HealthTimer::add_relays(runtime::Supervision& sup) {
  if (!timer_) return;
  sup.relays.push_back({timer_.get(), [this](int fd) { return on_timer(fd); }, false});
  sup.relays.push_back({done_.get(), [this](int fd) { return on_done(fd); }, false});
}

void HealthTimer::started() {
  if (!timer_) return;
  ::unlink(health_file_.c_str());                 // a new run starts from "starting"
  sys::arm_timer(timer_.get(), 1, interval_ns_);  // the first check at once, as podman does
}

void HealthTimer::stopped() {
  if (!timer_) return;
  sys::arm_timer(timer_.get(), 0);
}

bool HealthTimer::on_timer(int fd) {
  (void)sys::read_timer(fd);
  if (pid_ > 0) return true;  // the last check still runs: its own timeout ends it
  launch();
  return true;
}

void HealthTimer::launch() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return;
  sys::UniqueFd rd(p[0]), wr(p[1]);
  sys::UniqueFd logfd(::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  // The monitor may have threads (the attach hub): spawned, not forked. Its stdout is the
  // pipe (the monitor's "done" fd sees EOF once the check exits), its stderr the monitor's
  // log; the signals the launch loop blocks are unblocked.
  sys::SpawnOptions so;
  so.fds = {{1, wr.get()}};
  if (logfd) so.fds.push_back({2, logfd.get()});
  so.reset_signals = true;
  auto pid = sys::spawn("/proc/self/exe", argv_, so);
  if (!pid) {
    log::warn("health check: {}", pid.error().message);
    return;
  }
  pid_ = *pid;
  // The relay's fd number stays; what it refers to is this check's pipe now.
  ::dup3(rd.get(), done_.get(), O_CLOEXEC);
}

bool HealthTimer::on_done(int fd) {
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) return true;  // its "unhealthy" line
  if (pid_ > 0) {
    (void)sys::wait_child(pid_);
    pid_ = -1;
  }
  ::dup3(idle_r_.get(), done_.get(), O_CLOEXEC);  // quiet until the next check
  if (on_result_) {
    std::string status;
    if (auto t = sys::read_host_file(health_file_, 16 << 20); t)
      if (auto j = parse_json(*t, "health state"); j) status = json_str(*j, "Status");
    on_result_(status);
  }
  return true;
}

}  // namespace detail

}  // namespace berth::engine

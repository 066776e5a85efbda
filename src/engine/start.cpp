// Starting containers. One code path serves both modes (STYLE.md 2.8):
// - attached (`run`, `start -a`): this berth is the container's parent;
// - detached (`run -d`, `start`): berth spawns `berth __monitor ---... 3` in a session of its
//   own (a re-executed, clean process), which becomes the container's parent with its output
//   going to the container's log. It is spawned first, so that it starts up while the
//   container is created, and reads the container's id on fd 4 when that is done (and shows
//   it in its command line in place of the dashes). The
//   original berth waits on fd 3's pipe until the monitor reports "started" (after any
//   warnings) or the error that kept the container from starting.
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <cstdlib>
#include <algorithm>
#include <functional>
#include <thread>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/network.hpp"
#include "berth/engine/pod.hpp"
#include "berth/engine/volume.hpp"
#include "berth/engine/run.hpp"
#include "berth/engine/spec.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/event.hpp"
#include "berth/sys/process.hpp"
#include "berth/sys/socket.hpp"
#include "berth/sys/terminal.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"
#include "attach.hpp"
#include "health_timer.hpp"
#include "journal.hpp"
#include "sdnotify.hpp"

namespace berth::engine {

namespace {

// Takes the container from "created"/"exited" to ready-to-start, under the write lock.
Result<store::ContainerRecord> prepare_start(Context& c, const std::string& id) {
  auto lock = TRY(c.store.write_lock());
  auto rec = TRY(store::read_container(c.store, id));
  if (rec.state.alive()) return fail(Errc::conflict, "container {} is already running", rec.config.name);
  if (rec.state.restart_pending())
    return fail(Errc::conflict, "container {} is restarting: its monitor starts it again (berth stop ends that)",
                rec.config.name);
  store::clear_stopped(c.store, id);
  store::mark_stopping(c.store, id, false);
  return rec;
}

// A start's networks: reserved before the container exists (its /etc/hosts names its
// address), plumbed between clone and exec, released once it has exited and before its exit is
// recorded (so that `rm`, `stop` and `run --rm` return with the address and ports free).
class NetSession {
 public:
  NetSession(const store::Store& s, std::string id) : s_(s), id_(std::move(id)) {}
  ~NetSession() { release(); }
  Result<void> reserve(const store::ContainerRecord& rec, const std::string& hostname) {
    plan_ = TRY(detail::net_reserve(s_, rec));
    TRY(detail::net_write_hosts(s_, rec, plan_, hostname));
    return {};
  }
  void hook(runtime::Supervision& sup) {
    if (!plan_.empty()) sup.on_created = [this](pid_t pid) { return detail::net_attach(plan_, pid); };
  }
  void release() {
    detail::net_release(s_, plan_, id_);
    plan_ = {};
  }

 private:
  const store::Store& s_;
  std::string id_;
  detail::NetPlan plan_;
};

// `background_rm`: a --rm container's files are deleted by a detached process (a foreground
// run returns sooner); the container itself is gone from the store before this returns.
// `removed`: closed once a --rm container's directory is renamed away (the monitor's exit
// fifo, which berth stop waits on), before its files are deleted.
void record_exit(Context& c, const store::ContainerRecord& rec, const Result<int>& code, bool background_rm = false,
                 sys::UniqueFd* removed = nullptr) {
  std::string name = rec.config.name, image = rec.config.image;
  emit_event(c.store, "container", "died", rec.id, name, image,
             {{"containerExitCode", std::to_string(code ? *code : exit_code(code.error().code))}});
  auto lock = c.store.write_lock();
  auto cur = store::read_container(c.store, rec.id);
  store::ContainerState prev = cur ? cur->state : rec.state;
  store::ContainerState st =
      code ? prev.exited(*code) : prev.exited(exit_code(code.error().code), code.error().message);
  if (rec.config.rm) {
    if (background_rm) {
      auto r = store::remove_container_dir(c.store, rec.id, true);
      if (r) detail::drop_anonymous_volumes(c.store, rec.config);
      if (!r)
        log::warn("remove container {}: {}", rec.id, r.error().message);
      else
        emit_event(c.store, "container", "remove", rec.id, name, image);
      return;
    }
    // Renamed away under the lock; deleted once other writers may go on.
    auto taken = store::take_container_dir(c.store, rec.id);
    if (taken) detail::drop_anonymous_volumes(c.store, rec.config);
    lock = sys::FileLock{};  // released: the deletion below holds only the directory's own lock
    if (removed) removed->reset();
    if (!taken) return log::warn("remove container {}: {}", rec.id, taken.error().message);
    emit_event(c.store, "container", "remove", rec.id, name, image);
    if (*taken) store::delete_taken(c.store, **taken);
    return;
  }
  auto w = store::write_state(c.store, rec.id, st);
  if (!w) log::warn("record the exit of container {}: {}", rec.id, w.error().message);
}

// False when the container is gone (rm -f between its exit and this): nothing to restart.
bool set_restarting(Context& c, const std::string& id, bool on) {
  auto lock = c.store.write_lock();
  auto cur = store::read_container(c.store, id);
  if (!cur) return false;
  auto w = store::write_state(c.store, id, cur->state.with_restarting(on));
  if (!w) log::warn("record container state: {}", w.error().message);
  return true;
}

void record_started(Context& c, const store::ContainerRecord& rec, const runtime::Started& s, int restarts = 0) {
  const std::string& id = rec.id;
  emit_event(c.store, "container", restarts > 0 ? "restart" : "start", id, rec.config.name, rec.config.image);
  log::debug("container started, pid {}", s.pid);
  auto st = store::ContainerState::running(s.pid, s.start_time, store::now_ns());
  st.restart_count = restarts;
  auto w = store::write_state(c.store, id, st);
  if (!w) log::warn("record container state: {}", w.error().message);
  if (!rec.config.conmon_pidfile.empty())  // this process supervises it, as conmon does podman's
    if (auto p = sys::write_output_file(rec.config.conmon_pidfile,
                                        [](int fd) { return sys::write_all(fd, std::to_string(::getpid())); });
        !p)
      log::warn("--conmon-pidfile {}: {}", rec.config.conmon_pidfile, p.error().message);
}

// Appends output to the container's log in podman's k8s-file format:
//   2024-01-02T03:04:05.123456789Z stdout F a whole line
// A line cut by a read boundary is written as "P" (partial) and continued.
class LogWriter {
 public:
  // fd < 0: no k8s-file log (--log-driver none or journald).
  explicit LogWriter(int fd, const detail::Journal* journal = nullptr) : fd_(fd), journal_(journal) {}
  // Reads once from `from`; false at EOF or error.
  bool relay(int from, const char* stream) {
    char buf[65536];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false;
    std::string_view data(buf, static_cast<size_t>(n));
    if (journal_) {
      std::string_view rest = data;
      while (!rest.empty()) {
        auto nl = rest.find('\n');
        journal_->line(rest.substr(0, nl), stream[3] == 'e');
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      }
    }
    if (fd_ < 0) {
      if (tee) tee(stream, data);
      return true;
    }
    std::int64_t ns = store::now_ns();
    std::string ts = rfc3339_utc(ns / 1000000000, ns % 1000000000);
    std::string out;
    while (!data.empty()) {
      auto nl = data.find('\n');
      bool full = nl != std::string_view::npos;
      auto line = data.substr(0, full ? nl : data.size());
      out += fmt::format("{} {} {} {}\n", ts, stream, full ? "F" : "P", line);
      data.remove_prefix(full ? nl + 1 : data.size());
    }
    (void)sys::write_all(fd_, out);
    if (tee) tee(stream, std::string_view(buf, static_cast<size_t>(n)));
    return true;
  }
  // Also gets every chunk as read (attach clients, the terminal of an attached run).
  std::function<void(const char* stream, std::string_view data)> tee;

 private:
  int fd_;
  const detail::Journal* journal_;
};

// --log-driver and --log-opt as recorded: where a container's output goes.
struct LogTarget {
  std::string driver = "k8s-file";
  std::string path;  // k8s-file: the log file
  std::optional<detail::Journal> journal;
};

LogTarget log_target(const store::Store& s, const store::ContainerConfig& config) {
  LogTarget t;
  t.driver = config.log_driver;
  std::string tag;
  for (const auto& o : config.log_opt) {
    if (o.starts_with("path=")) t.path = o.substr(5);
    if (o.starts_with("tag=")) tag = o.substr(4);
  }
  if (t.path.empty()) t.path = store::container_dir(s, config.id) + "/ctr.log";
  if (t.driver == "journald") t.journal.emplace(config.id, config.name, tag);
  return t;
}

// The container's stdout and stderr as pipes whose read ends `writer` relays; the write ends
// go to the container (and must be closed here once it has them, or EOF never comes).
struct OutputPipes {
  sys::UniqueFd out_r, out_w, err_r, err_w;
};
Result<void> pipe_output(runtime::Supervision& sup, OutputPipes& p, LogWriter& writer) {
  int po[2], pe[2];
  if (::pipe2(po, O_CLOEXEC) < 0) return fail_errno("pipe");
  p.out_r.reset(po[0]);
  p.out_w.reset(po[1]);
  if (::pipe2(pe, O_CLOEXEC) < 0) return fail_errno("pipe");
  p.err_r.reset(pe[0]);
  p.err_w.reset(pe[1]);
  sup.stdio.out = p.out_w.get();
  sup.stdio.err = p.err_w.get();
  sup.relays.push_back({p.out_r.get(), [&writer](int fd) { return writer.relay(fd, "stdout"); }});
  sup.relays.push_back({p.err_r.get(), [&writer](int fd) { return writer.relay(fd, "stderr"); }});
  return {};
}

// One read from `from` written whole to `to`; false at EOF or an error (the relay is done).
bool copy_once(int from, int to) {
  char buf[65536];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n < 0 && errno == EINTR) return true;
  if (n <= 0) return false;
  return sys::write_all(to, std::string_view(buf, static_cast<size_t>(n))).has_value();
}

// How an attached process talks to this terminal: inherited fds, or with -t a terminal of the
// container's own devpts relayed here (raw mode while stdin is attached, size kept in step).
runtime::Supervision attached_supervision(bool tty, bool interactive, std::optional<sys::RawMode>& raw,
                                          LogWriter* log = nullptr) {
  runtime::Supervision sup;
  if (!tty) {
    if (interactive) sup.stdio.in = 0;
    return sup;
  }
  if (interactive) raw.emplace(0);
  auto master_fd = std::make_shared<int>(-1);
  sys::terminal_size(sup.console_rows, sup.console_cols);
  sup.console = [interactive, master_fd, log](int master) {
    *master_fd = master;
    std::vector<runtime::Relay> relays;
    // EIO once the container's side closed
    if (log)
      relays.push_back({master, [log](int fd) { return log->relay(fd, "stdout"); }});
    else
      relays.push_back({master, [](int fd) { return copy_once(fd, 1); }});
    if (interactive) relays.push_back({0, [master](int fd) { return copy_once(fd, master); }, false});
    return relays;
  };
  sup.on_signal = [master_fd](int sig) {
    // The container's terminal size follows ours; the kernel then signals its foreground group.
    if (sig != SIGWINCH) return false;
    if (*master_fd >= 0) sys::copy_winsize(0, *master_fd) || sys::copy_winsize(1, *master_fd);
    return true;
  };
  return sup;
}

// SIGTERM sent to berth itself (systemctl stop, kill of a unit's main process) stops the
// container as `berth stop` does: its stop signal now, SIGKILL once its stop timeout is over.
// A container whose PID 1 ignores SIGTERM (a shell, sleep) would otherwise never end. Other
// signals are forwarded as they come.
class StopOnTerm {
 public:
  explicit StopOnTerm(const store::ContainerConfig& config)
      : signal_(parse_signal(config.stop_signal).value_or(SIGTERM)), timeout_(config.stop_timeout) {}
  void started(pid_t pid) { pidfd_ = sys::pidfd_open(pid); }
  bool on_signal(int sig) {
    if (sig != SIGTERM || !pidfd_) return false;
    sys::pidfd_signal(pidfd_.get(), signal_);
    if (!armed_) {
      armed_ = true;
      // The pidfd names this process only: a reused pid is never hit.
      std::thread([fd = std::make_shared<sys::UniqueFd>(::fcntl(pidfd_.get(), F_DUPFD_CLOEXEC, 0)), t = timeout_] {
        std::this_thread::sleep_for(std::chrono::seconds(std::max(t, 0)));
        sys::pidfd_signal(fd->get(), SIGKILL);
      }).detach();
    }
    return true;
  }
  bool stopping() const { return armed_; }

 private:
  int signal_;
  int timeout_;
  sys::UniqueFd pidfd_;
  bool armed_ = false;
};

// Socket activation (sd_listen_fds(3)): the sockets systemd passed to this berth (fds 3..,
// LISTEN_PID is ours) go to the container as its fds 3.., with LISTEN_PID=1 (its PID 1; a
// --init forwards them) and LISTEN_FDS/LISTEN_FDNAMES as given. 0 when there are none.
int activation_fds() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (!pid || !fds || std::atol(pid) != ::getpid()) return 0;
  long n = std::atol(fds);
  if (n <= 0 || n > 256) return 0;
  for (int fd = 3; fd < 3 + n; fd++)
    if (::fcntl(fd, F_GETFD) < 0) {
      log::warn("LISTEN_FDS={} but fd {} is not open: no socket activation", n, fd);
      return 0;
    }
  return static_cast<int>(n);
}

// --preserve-fds N: this berth's fds 3 .. 3+N-1 (the run that created it); none when one is
// not open (a later start, without them).
int preserved_fds(int n) {
  for (int fd = 3; fd < 3 + n; fd++)
    if (::fcntl(fd, F_GETFD) < 0) {
      log::debug("--preserve-fds={}: fd {} is not open here (a later start); no fds passed on", n, fd);
      return 0;
    }
  return n;
}

// The fds this berth hands on: systemd's sockets, --preserve-fds.
void pass_fds(runtime::Spec& spec, const store::ContainerConfig& config) {
  if (int n = activation_fds(); n > 0) {
    spec.listen_fds = n;
    spec.env.push_back("LISTEN_PID=1");
    spec.env.push_back(fmt::format("LISTEN_FDS={}", n));
    if (const char* names = std::getenv("LISTEN_FDNAMES")) spec.env.push_back(std::string("LISTEN_FDNAMES=") + names);
  }
  spec.listen_fds = std::max(spec.listen_fds, preserved_fds(config.preserve_fds));
}

// The --sdnotify mode that applies: empty when systemd gave no socket or it is ignored.
std::string notify_mode(const store::ContainerConfig& config) {
  const char* sock = std::getenv("NOTIFY_SOCKET");
  return sock && *sock && config.sdnotify != "ignore" ? config.sdnotify : "";
}

Result<int> run_attached(Context& c, const store::ContainerRecord& rec, bool interactive) {
  log::debug("start {} attached", rec.id.substr(0, 12));
  auto spec = TRY(build_spec(c.store, rec));
  NetSession net(c.store, rec.id);
  TRY(net.reserve(rec, spec.hostname));
  log::debug("spec built");
  pass_fds(spec, rec.config);
  bool tty = rec.config.tty;
  // The output also goes to the container's log, as podman's does, so that `logs` shows it
  // later; not for --rm, whose log goes with it (its output then reaches this terminal direct).
  // --log-driver none and passthrough: the container writes straight to berth's fds.
  LogTarget target = log_target(c.store, rec.config);
  std::optional<LogWriter> writer;
  sys::UniqueFd logfd;
  if (target.driver == "k8s-file" && !rec.config.rm)
    logfd.reset(::open(target.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (logfd || target.journal) {
    {
      writer.emplace(logfd.get(), target.journal ? &*target.journal : nullptr);
      writer->tee = [](const char* stream, std::string_view data) {
        (void)sys::write_all(stream[3] == 'o' ? 1 : 2, data);  // a closed reader only stops this copy
      };
    }
  }
  std::optional<sys::RawMode> raw;
  runtime::Supervision sup = attached_supervision(tty, interactive, raw, writer ? &*writer : nullptr);
  sup.timeout_s = rec.config.timeout;
  OutputPipes pipes;
  if (writer && !tty) TRY(pipe_output(sup, pipes, *writer));
  StopOnTerm stopper(rec.config);
  sup.on_signal = [&stopper, winch = sup.on_signal](int sig) {
    return stopper.on_signal(sig) || (winch && winch(sig));
  };
  std::string notify = notify_mode(rec.config);
  std::optional<detail::NotifyRelay> relay;
  if (notify == "container") {
    TRY(store::open_run_dir(c.store, rec.id));
    relay = TRY(detail::NotifyRelay::open(store::container_run_dir(c.store, rec.id) + "/notify"));
    sup.relays.push_back({relay->fd(), [&](int) { return relay->forward(::getpid()); }, false});
  }
  // --sdnotify=healthy: READY once the first check passes.
  detail::HealthTimer health(c.store, rec.id, rec.config, [&notify](const std::string& status) {
    if (notify == "healthy" && status == "healthy") {
      detail::sd_notify(fmt::format("MAINPID={}\nREADY=1\n", ::getpid()));
      notify = "healthy-sent";
    }
  });
  health.add_relays(sup);
  sys::ScopedIgnore pipe_ignore(SIGPIPE);
  sup.on_started = [&](const runtime::Started& s) {
    pipes.out_w.reset();
    pipes.err_w.reset();
    // A reader of our output that goes away must not kill berth (and with it the container).
    // Only now: an ignored SIGPIPE would have survived into the container's exec.
    if (writer) pipe_ignore.ignore();
    record_started(c, rec, s);
    stopper.started(s.pid);
    health.started();
    if (notify == "conmon") detail::sd_notify(fmt::format("MAINPID={}\nREADY=1\n", ::getpid()));
  };
  net.hook(sup);
  auto code = runtime::run_container_process(spec, sup);
  net.release();
  if (!code && !notify.empty()) detail::sd_notify_error(code.error());
  health.stopped();
  // A foreground container is not started again by --health-on-failure=restart: its end is
  // berth's (the mark only tells `healthcheck run` that it is over).
  ::unlink((store::container_run_dir(c.store, rec.id) + "/health-restart").c_str());
  if (!notify.empty()) detail::sd_notify("STOPPING=1\n");
  raw.reset();
  log::debug("container exited");
  record_exit(c, rec, code, true);
  log::debug("exit recorded");
  detail::pod_member_exited(c, rec.config);
  return code;
}

// The id argument of a monitor spawned before its container exists: as long as an id, which
// it replaces in place once known (ps and pgrep then show `__monitor ID`).
constexpr std::string_view kPendingId = "----------------------------------------------------------------";
static_assert(kPendingId.size() == 64);

// Writes `id` over the placeholder argument in this process's own argv strings, which are what
// /proc/self/cmdline shows; they are contiguous from argv[0] (program_invocation_name).
void show_id_in_cmdline(const std::string& id) {
  if (id.size() != kPendingId.size()) return;
  char* p = program_invocation_name;
  for (int i = 0; i < 8 && p; i++) {  // the monitor's argv has 8 strings
    size_t n = std::strlen(p);
    if (std::string_view(p, n) == kPendingId) {
      std::memcpy(p, id.data(), n);
      return;
    }
    p += n + 1;
  }
}

// A monitor spawned but not yet told which container to start: it starts up (exec, its
// libraries, the store) while the caller is still creating the container.
struct PendingMonitor {
  sys::UniqueFd ready;  // the monitor's answer: "W warning" lines, then "OK PID" or "E<code> message"
  sys::UniqueFd go;     // the container's id goes here (a socket); closed unwritten, the monitor just exits
};

Result<PendingMonitor> spawn_monitor(Context& c) {
  int ready[2];
  if (::pipe2(ready, O_CLOEXEC) < 0) return fail_errno("pipe");
  sys::UniqueFd rd(ready[0]), wr(ready[1]);
  // A socket rather than a pipe: the id is sent with MSG_NOSIGNAL, so a monitor that died
  // before reading it is an error message here, not a SIGPIPE that kills this berth.
  auto [go_rd, go_wr] = TRY(sys::socket_pair(sys::SocketKind::stream));
  // The monitor: a clean re-executed berth in a session of its own, spawned (vfork-style, no
  // copy of this process) rather than double-forked; nobody waits for it (this berth exits,
  // and init adopts it). Nothing of the caller's fds may reach it (a test runner's output
  // pipe, a terminal): 0-2 are /dev/null, fd 3 is the ready pipe, fd 4 the id socket,
  // everything else closes.
  sys::SpawnOptions so;
  so.fds = {{3, wr.get()}, {4, go_rd.get()}};
  so.new_session = true;
  TRY(context(sys::spawn("/proc/self/exe",
                         {"berth", "--root", c.store.paths().root, "--runroot", c.store.paths().runroot, "__monitor",
                          std::string(kPendingId), "3"},
                         so),
              "start the monitor"));
  return PendingMonitor{std::move(rd), std::move(go_wr)};
}

// Tells the monitor which container to start and waits for its answer.
Result<int> start_detached(const store::ContainerRecord& rec, PendingMonitor m) {
  std::string line = rec.id + "\n";
  (void)sys::send_message(m.go.get(), line);  // a dead monitor: no answer below
  m.go.reset();
  auto all = sys::read_all(m.ready.get(), 1 << 16);
  std::optional<std::string> msg = all ? std::optional<std::string>(*all) : std::nullopt;
  while (msg && msg->starts_with("W ")) {  // the monitor's warnings, then its answer
    auto nl = msg->find('\n');
    log::warn("{}", msg->substr(2, nl == std::string::npos ? std::string::npos : nl - 2));
    msg = nl == std::string::npos ? "" : msg->substr(nl + 1);
  }
  if (!msg || msg->empty()) return fail(Errc::system, "the monitor of container {} exited before starting it", rec.id);
  if (msg->starts_with("OK")) {
    // A unit's main process hands over to the monitor (it stays; this berth exits): conmon
    // mode says READY now, container mode leaves READY to the container (relayed by the
    // monitor, which is then the main process that systemd listens to).
    std::string notify = notify_mode(rec.config);
    long mon = std::atol(msg->c_str() + 2);
    if (mon > 0 && notify == "conmon")
      detail::sd_notify(fmt::format("MAINPID={}\nREADY=1\n", mon));
    else if (mon > 0 && (notify == "container" || notify == "healthy"))
      detail::sd_notify(fmt::format("MAINPID={}\n", mon));
    return 0;
  }
  if (msg->starts_with("E")) {
    int code = std::atoi(msg->c_str() + 1);
    auto sp = msg->find(' ');
    std::string text = sp == std::string::npos ? *msg : msg->substr(sp + 1);
    while (!text.empty() && text.back() == '\n') text.pop_back();
    Error e{errc_from_exit_code(code), 0, text};
    if (!notify_mode(rec.config).empty()) detail::sd_notify_error(e);
    return std::unexpected(e);
  }
  return fail(Errc::system, "unexpected answer from the monitor: {}", *msg);
}

}  // namespace

Result<int> start_container(Context& c, const std::string& id, bool attach, bool interactive) {
  if (auto rec = store::read_container(c.store, id); rec) TRY(detail::ensure_infra(c, rec->config));
  if (attach) return run_attached(c, TRY(prepare_start(c, id)), interactive);
  auto monitor = TRY(spawn_monitor(c));
  return start_detached(TRY(prepare_start(c, id)), std::move(monitor));
}

Result<int> run_container(Context& c, const RunOptions& o, std::string* id_out) {
  log::debug("run {}", o.image);
  if (o.detach && o.log_driver == "passthrough")
    return fail(Errc::usage,
                "the passthrough log driver cannot be used with -d: the container needs berth's own stdout and stderr");
  // -d: the monitor starts up while the container is created (on another CPU, when there is one)
  std::optional<PendingMonitor> monitor;
  if (o.detach) monitor.emplace(TRY(spawn_monitor(c)));
  std::string id = TRY(create_container(c, o));
  log::debug("created {}", id.substr(0, 12));
  if (id_out) *id_out = id;
  auto start = [&]() -> Result<int> {
    if (!o.detach) return start_container(c, id, true, o.interactive);
    if (!o.pod.empty()) TRY(detail::ensure_infra(c, TRY(store::read_container(c.store, id)).config));
    return start_detached(TRY(prepare_start(c, id)), std::move(*monitor));
  };
  auto r = start();
  if (!r && o.rm) {
    auto lock = c.store.write_lock();
    auto rec = store::read_container(c.store, id);
    if (store::remove_container_dir(c.store, id) && rec) detail::drop_anonymous_volumes(c.store, rec->config);
  }
  return r;
}

Result<int> exec_container(Context& c, const ExecOptions& o) {
  std::string id = TRY(container_id(c, o.container));
  auto rec = TRY(store::read_container(c.store, id));
  if (!rec.state.alive())
    return fail(Errc::system, "can only create exec sessions on running containers: container state improper");
  if (rec.state.paused)
    return fail(Errc::system,
                "can only create exec sessions on running containers: container {} is paused: "
                "container state improper",
                rec.config.name);
  if (o.command.empty()) return fail(Errc::usage, "exec requires at least one command argument");
  // Rootless: the container lives in the user namespace of the berth that started it; join
  // that one (its owner, this user, may) rather than a new one with no rights over it.
  if (sys::rootless_pending()) TRY(sys::join_userns_of(rec.state.pid));
  auto spec = TRY(exec_spec(c.store, rec, o));
  runtime::JoinTarget target{rec.state.pid, rec.state.start_time, o.detach};
  std::optional<sys::RawMode> raw;
  runtime::Supervision sup = o.detach ? runtime::Supervision{} : attached_supervision(o.tty, o.interactive, raw);
  auto code = runtime::exec_container_process(spec, target, sup);
  raw.reset();
  return code;
}

namespace {

// A detached container's monitor: the container's parent for its whole life, across the
// restarts of its --restart policy and --health-on-failure=restart.
class Monitor {
 public:
  Monitor(Context& c, int ready_fd) : c_(c), ready_fd_(ready_fd) {}
  int main(const std::string& id_arg);

 private:
  // The answer the spawning berth waits for ("OK PID", "E<code> message"), once.
  void tell(const std::string& s) {
    if (ready_fd_ < 0) return;
    (void)sys::write_all(ready_fd_, s);
    ::close(ready_fd_);
    ready_fd_ = -1;
  }
  int fail_start(const Error& e) {
    tell(fmt::format("E{} {}", exit_code(e.code), e.message));
    return exit_code(e.code);
  }
  Result<void> prepare();
  Result<int> run_once(int restarts);
  bool start_again(const Result<int>& code, int& restarts);

  Context& c_;
  int ready_fd_;
  std::string id_, dir_, notify_, health_restart_;
  std::optional<store::ContainerRecord> rec_;
  std::optional<runtime::Spec> spec_;
  sys::UniqueFd exit_fifo_, log_fd_, in_r_, in_w_;
  LogTarget target_;
  std::optional<LogWriter> writer_;
  detail::AttachHub hub_;
  std::optional<detail::NotifyRelay> relay_;
  std::optional<StopOnTerm> stopper_;
  std::optional<detail::HealthTimer> health_;
  RestartPolicy policy_;
  int master_fd_ = -1;
};

// The record, the run dir and the monitor's own log, the --rm exit fifo, the spec, the
// container's log, its stdin pipe, the notify relay and the health timer.
Result<void> Monitor::prepare() {
  rec_ = TRY(store::read_container(c_.store, id_));
  TRY(store::open_run_dir(c_.store, id_));
  dir_ = store::container_run_dir(c_.store, id_);
  if (int lf = ::open((dir_ + "/monitor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600); lf >= 0) {
    ::dup2(lf, 2);
    ::close(lf);
  }
  // -d --rm: berth stop waits on this fifo's hang-up, which comes when the record is gone.
  if (rec_->config.rm) {
    std::string fifo = dir_ + "/exit";
    if (::mkfifo(fifo.c_str(), 0600) == 0 || errno == EEXIST)
      exit_fifo_.reset(::open(fifo.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
  }
  auto spec = build_spec(c_.store, *rec_);
  if (!spec) {
    record_exit(c_, *rec_, std::unexpected(spec.error()));
    return std::unexpected(spec.error());
  }
  spec_ = std::move(*spec);
  target_ = log_target(c_.store, rec_->config);
  if (target_.driver == "passthrough")
    return fail(Errc::usage,
                "the passthrough log driver hands berth's own stdout and stderr to the container: it needs "
                "a container in the foreground, not -d");
  if (target_.driver == "k8s-file") {
    log_fd_.reset(::open(target_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!log_fd_) return fail_errno("open the container log {}", target_.path);
  }
  writer_.emplace(log_fd_.get(), target_.journal ? &*target_.journal : nullptr);
  if (auto l = hub_.listen(dir_); !l) log::warn("berth attach will not work: {}", l.error().message);
  writer_->tee = [this](const char* stream, std::string_view data) {
    hub_.broadcast(stream[3] == 'o' ? '1' : '2', data);
  };
  // -i: the container's stdin is a pipe that stays open; attach writes into it.
  if (rec_->config.interactive && !rec_->config.tty) {
    int pi[2];
    if (::pipe2(pi, O_CLOEXEC) < 0) return fail_errno("pipe");
    in_r_.reset(pi[0]);
    in_w_.reset(pi[1]);
  }
  policy_ = parse_restart_policy(rec_->config.restart).value_or(RestartPolicy{});
  notify_ = notify_mode(rec_->config);
  if (notify_ == "container") relay_ = TRY(detail::NotifyRelay::open(dir_ + "/notify"));
  stopper_.emplace(rec_->config);
  health_.emplace(c_.store, id_, rec_->config, [this](const std::string& status) {
    if (notify_ == "healthy" && status == "healthy") {
      detail::sd_notify(fmt::format("MAINPID={}\nREADY=1\n", ::getpid()));
      notify_ = "healthy-sent";
    }
  });
  // --health-on-failure=restart: `healthcheck run` leaves this mark and kills the container.
  health_restart_ = dir_ + "/health-restart";
  return {};
}

// One start of the container, until it exits, its exit recorded.
Result<int> Monitor::run_once(int restarts) {
  bool interactive = rec_->config.interactive, tty = rec_->config.tty;
  runtime::Supervision sup;
  sup.timeout_s = rec_->config.timeout;
  sup.on_signal = [this](int sig) { return stopper_->on_signal(sig); };
  OutputPipes pipes;
  sup.on_started = [&](const runtime::Started& s) {
    pipes.out_w.reset();  // the write ends must close here once the child has them, or EOF never comes
    pipes.err_w.reset();
    record_started(c_, *rec_, s, restarts);
    ::unlink(health_restart_.c_str());
    stopper_->started(s.pid);
    health_->started();
    if (policy_.name == "no") in_r_.reset();  // a restarted container needs it again
    hub_.serve(master_fd_ >= 0 ? (interactive ? master_fd_ : -1) : in_w_.get(), master_fd_);
    tell(fmt::format("OK {}\n", ::getpid()));
  };
  if (tty) {
    sup.console = [this](int master) {
      master_fd_ = master;
      return std::vector<runtime::Relay>{{master, [this](int fd) { return writer_->relay(fd, "stdout"); }}};
    };
  } else {
    sup.stdio.in = in_r_ ? in_r_.get() : -1;
    TRY(pipe_output(sup, pipes, *writer_));
  }
  if (relay_) sup.relays.push_back({relay_->fd(), [this](int) { return relay_->forward(::getpid()); }, false});
  health_->add_relays(sup);
  NetSession net(c_.store, id_);
  if (auto r = net.reserve(*rec_, spec_->hostname); !r) {
    record_exit(c_, *rec_, std::unexpected(r.error()));
    return std::unexpected(r.error());
  }
  net.hook(sup);
  auto code = runtime::run_container_process(*spec_, sup);
  net.release();
  health_->stopped();
  // --rm: recorded once the attach thread is gone. berth stop returns when the container's
  // directory is renamed away, before its files are deleted here (no process is forked to
  // delete them: nobody waits for this monitor's exit).
  if (!rec_->config.rm) record_exit(c_, *rec_, code);
  hub_.pause();
  if (rec_->config.rm) record_exit(c_, *rec_, code, false, &exit_fifo_);
  return code;
}

// Whether the container starts again: --health-on-failure=restart at once, --restart after
// its back-off; never after berth stop or kill, nor after SIGTERM to the monitor.
bool Monitor::start_again(const Result<int>& code, int& restarts) {
  bool stopped = store::was_stopped(c_.store, id_);
  if (code && !stopper_->stopping() && !stopped && ::access(health_restart_.c_str(), F_OK) == 0) {
    restarts++;
    log::info("restarting unhealthy container {} (--health-on-failure=restart)", id_.substr(0, 12));
    return true;
  }
  ::unlink(health_restart_.c_str());
  if (!code || stopper_->stopping() || !should_restart(policy_, *code, restarts, stopped)) return false;
  // ps and inspect say so; start, rm -f know a monitor still owns it
  if (!set_restarting(c_, id_, true)) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(restart_delay_ms(restarts)));
  if (store::was_stopped(c_.store, id_) || stopper_->stopping()) {
    set_restarting(c_, id_, false);
    return false;
  }
  restarts++;
  log::info("restarting container {} (restart {}, policy {})", id_.substr(0, 12), restarts, policy_.name);
  return true;
}

int Monitor::main(const std::string& id_arg) {
  // Spawned ahead of time: the id comes on fd 4 once the container exists (EOF: it never will).
  id_ = id_arg;
  if (id_ == kPendingId) {
    auto line = sys::read_all(4, 256);
    ::close(4);
    if (!line || line->empty() || line->back() != '\n') return 0;
    id_ = line->substr(0, line->size() - 1);
    show_id_in_cmdline(id_);
  }
  // Warnings until the container runs (a limit that cannot be applied, ...) reach the user
  // too, as "W text" lines before the answer; later ones stay in monitor.log.
  log::copy_warnings(
      [](std::string_view m, void* fd) {
        int f = *static_cast<int*>(fd);
        std::string line = "W " + std::string(m) + "\n";
        std::replace(line.begin(), line.end() - 1, '\n', ' ');
        if (f >= 0) (void)sys::write_all(f, line);
      },
      &ready_fd_);
  struct Uncopy {
    ~Uncopy() { log::copy_warnings(nullptr, nullptr); }
  } uncopy;
  if (auto p = prepare(); !p) return fail_start(p.error());
  int restarts = 0;
  Result<int> code = 0;
  do {
    code = run_once(restarts);
  } while (start_again(code, restarts));
  hub_.finish(code ? *code : exit_code(code.error().code));
  detail::pod_member_exited(c_, rec_->config);
  if (!notify_.empty()) detail::sd_notify("STOPPING=1\n");
  if (!code) return fail_start(code.error());
  return *code;
}

}  // namespace

int monitor_main(Context& c, const std::string& id_arg, int ready_fd) { return Monitor(c, ready_fd).main(id_arg); }

}  // namespace berth::engine

// engine-private: the health-check timer of a running container, polled with its relays by
// the monitor (or by the berth of a foreground container). Each tick forks and executes
// `berth healthcheck run ID` (the monitor may have threads; the runtime clones only from a
// single-threaded process), one check at a time; its exit is seen as EOF on a pipe.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/fd.hpp"

namespace berth::engine::detail {

class HealthTimer {
 public:
  // Inert when the container has no health check or its interval is "disable".
  // `on_result` gets the container's health status after each check.
  HealthTimer(const store::Store& s, const std::string& id, const store::ContainerConfig& config,
              std::function<void(const std::string& status)> on_result = {});
  // A check still running when the timer goes finishes on its own (it may be waiting for this
  // very monitor to restart the container): it is not killed, and init reaps it.
  ~HealthTimer() = default;
  HealthTimer(const HealthTimer&) = delete;
  HealthTimer& operator=(const HealthTimer&) = delete;

  // Its two fds (the timer, the running check's pipe) as relays of a run of the container.
  void add_relays(runtime::Supervision& sup);
  // The container runs (again): its health starts over as "starting"; a check now, then
  // one every interval.
  void started();
  // The container exited: no checks until started() again.
  void stopped();

 private:
  bool on_timer(int fd);
  bool on_done(int fd);
  void launch();

  std::function<void(const std::string&)> on_result_;
  std::int64_t interval_ns_ = 0;
  sys::UniqueFd timer_, done_, idle_r_, idle_w_;
  pid_t pid_ = -1;
  std::vector<std::string> argv_;
  std::string health_file_, log_file_;
};

}  // namespace berth::engine::detail

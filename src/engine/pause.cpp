// pause / unpause (docs/ARCHITECTURE.md "Pause and stats"): the container's cgroup freezer. Every rootful
// container has a berth cgroup of its own (runtime::Cgroup::create_for_container), so any can
// be paused; the state records it ("paused": alive, shown as paused) under the store lock.
#include <fmt/format.h>

#include "berth/engine/events.hpp"
#include "berth/engine/run.hpp"
#include "berth/runtime/cgroup.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

namespace {

Result<void> pause_one(Context& c, const std::string& id, bool pause) {
  auto lock = TRY(c.store.write_lock());
  auto rec = TRY(store::read_container(c.store, id));
  const char* verb = pause ? "pause" : "unpause";
  if (!rec.state.alive())
    return fail(Errc::conflict, "\"{}\" is not running, can't {}: container state improper", rec.state.shown_status(),
                verb);
  // the kernel's word too: a berth killed between the freeze and the record left it frozen
  bool paused = rec.state.paused || runtime::cgroup_frozen(rec.state.pid);
  if (pause && paused) return fail(Errc::conflict, "\"{}\" is already paused: container state improper", id);
  if (!pause && !paused)
    return fail(Errc::conflict, "\"{}\" is not paused, can't unpause: container state improper", id);
  if (runtime::berth_cgroup_of(rec.state.pid, "freezer").empty()) {
    if (sys::rootless())
      return fail(Errc::unsupported, "{} is not supported for rootless containers here: it needs a delegated cgroup v2",
                  verb);
    return fail(Errc::unsupported,
                "container {} has no cgroup of its own (started by an older berth): restart it to {} it",
                rec.config.name, verb);
  }
  TRY(runtime::freeze_cgroup_of(rec.state.pid, pause));
  store::ContainerState st = rec.state;
  st.paused = pause;
  TRY(store::write_state(c.store, id, st));
  emit_event(c.store, "container", verb, id, rec.config.name, rec.config.image);
  return {};
}

}  // namespace

Result<MultiReport> pause_containers(Context& c, const std::vector<std::string>& names, bool all, bool pause) {
  MultiReport rep;
  std::vector<std::pair<std::string, std::string>> todo;  // id, what to print
  {
    auto lock = TRY(c.store.read_lock());
    if (all)
      for (const auto& r : TRY(store::read_containers(c.store)))
        if (r.state.alive() && r.state.paused != pause) todo.emplace_back(r.id, r.id);
    for (const auto& n : names) {
      auto id = store::resolve_container(c.store, n);
      if (id)
        todo.emplace_back(*id, n);
      else
        rep.errors.push_back(id.error());
    }
  }
  for (const auto& [id, label] : todo) {
    if (auto r = pause_one(c, id, pause); !r)
      rep.errors.push_back(r.error());
    else
      rep.done.push_back(label);
  }
  return rep;
}

}  // namespace berth::engine

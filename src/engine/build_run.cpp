// berth build's RUN: a container of berth's own on the stage's image so far, committed.
#include "berth/engine/changes.hpp"
#include "berth/engine/run.hpp"
#include "build_internal.hpp"

namespace berth::engine {

Result<StepContainer> run_step_container(Context& c, const BuildOptions& o, const StageState& st, const Digest& base,
                                         const std::vector<std::string>& argv) {
  RunOptions r;
  r.image = base.str();
  r.command = argv;
  r.entrypoint = "";  // RUN runs its own command, not the image's entrypoint
  r.env = st.run_env();
  const Json& cfg = st.cfg["config"];
  if (cfg.is_object() && cfg.contains("User") && cfg["User"].is_string()) r.user = cfg["User"].get<std::string>();
  r.workdir = st.workdir();
  r.network = o.network;
  r.volumes = o.volumes;
  r.cap_add = o.cap_add;
  r.cap_drop = o.cap_drop;
  r.log_driver = "passthrough";  // its output is the build's, straight on berth's stdout and stderr
  r.health.disable = true;
  StepContainer out;
  out.id = TRY(create_container(c, r));
  auto status = start_container(c, out.id, true, false);
  if (!status) {
    remove_step_container(c, out.id);
    return std::unexpected(status.error());
  }
  out.status = *status;
  return out;
}

Result<Digest> commit_step_container(Context& c, const std::string& id, const StageState& st,
                                     const std::string& created_by) {
  (void)st;
  CommitRequest r;
  r.container = id;
  r.created_by = created_by;
  auto img = commit_container(c, r);
  remove_step_container(c, id);
  return img;
}

void remove_step_container(Context& c, const std::string& id) {
  RmOptions r;
  r.containers = {id};
  r.force = true;
  (void)remove_containers(c, r);
}

}  // namespace berth::engine

// Running containers (the foreground path; detached runs, ps/logs/stop... build on it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"

namespace berth::engine {

struct RunOptions {
  std::string image;
  std::vector<std::string> command;
  std::optional<std::string> entrypoint;
  std::vector<std::string> env;
  std::string workdir;
  std::string user;
  std::string name;
  std::string hostname;
  std::vector<std::string> volumes;  // SRC:DST[:ro|rw]
  std::vector<std::string> cap_add, cap_drop;
  std::vector<std::string> security_opt;
  std::string network = "private";
  bool rm = false;
  bool interactive = false;
  bool read_only = false;
  bool privileged = false;
};

// Creates the container, runs it in the foreground and returns its exit code.
Result<int> run_container(Context& c, const RunOptions& o);

struct ContainerSummary {
  std::string id, name, image, status;
  std::vector<std::string> command;
  std::int64_t created = 0, started = 0, finished = 0;
  int exit_code = 0;
  int pid = 0;
};
Result<std::vector<ContainerSummary>> list_containers(Context& c, bool all);

struct RmOptions {
  std::vector<std::string> containers;
  bool force = false;
  bool all = false;
};
struct RmReport {
  std::vector<std::string> removed;
  std::vector<Error> errors;
};
Result<RmReport> remove_containers(Context& c, const RmOptions& o);

// User and group resolution against the image's /etc/passwd and /etc/group (pure; tested).
struct UserIds {
  unsigned uid = 0, gid = 0;
  std::vector<unsigned> groups;
  std::string home = "/";
};
Result<UserIds> resolve_user(std::string_view spec, std::string_view passwd, std::string_view group);

// Docker's rule for combining image and flags into argv.
Result<std::vector<std::string>> container_argv(const Json& image_config, const std::optional<std::string>& entrypoint,
                                                const std::vector<std::string>& command);

}  // namespace berth::engine

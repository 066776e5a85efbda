// The Kubernetes bridge (docs/ARCHITECTURE.md "Kubernetes"): `kube generate` writes a v1 Pod (or an
// apps/v1 Deployment, and a Service) for containers or pods; `kube play` runs the Pods,
// Deployments, ConfigMaps, Secrets and PersistentVolumeClaims of a YAML stream as berth pods;
// `kube down` removes what play made. YAML is read and written with yaml-cpp (core/yaml).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "berth/core/json.hpp"
#include "berth/engine/context.hpp"
#include "berth/engine/pod.hpp"

namespace berth::engine {

struct KubeGenerateOptions {
  std::vector<std::string> names;  // containers, or pods
  bool service = false;            // also a Service for the published ports
  std::string type = "pod";        // pod | deployment
  int replicas = 1;
};
// The YAML stream, podman's header comment first.
Result<std::string> kube_generate(Context& c, const KubeGenerateOptions& o);

struct KubePlayOptions {
  std::vector<std::string> configmaps;  // --configmap FILE: more ConfigMap documents
  bool replace = false;                 // remove pods of the same names first
  bool start = true;
  std::string network;               // --network for every pod (default: berth's)
  std::vector<std::string> publish;  // --publish for every pod, besides the hostPorts
  // --build: a container whose image's name is a directory of context_dir (default: the
  // working directory) holding a Containerfile or Dockerfile gets that built as its image:
  // when the image is missing (unset), always (true), never (false).
  std::optional<bool> build;
  std::string context_dir;
};
struct KubePlayReport {
  std::vector<std::string> volumes;  // names of the volumes made for claims and ConfigMaps
  struct Pod {
    std::string id;
    std::vector<std::string> containers;
  };
  std::vector<Pod> pods;
};
// `what` names the input in errors. Everything is checked (kinds, images, claims, ConfigMap and
// Secret keys, host paths, names) before anything is made; a failure after that removes what
// was made.
Result<KubePlayReport> kube_play(Context& c, const KubePlayOptions& o, std::string_view yaml, std::string_view what);

struct KubeDownReport {
  std::vector<std::string> stopped, removed;  // pod ids
};
Result<KubeDownReport> kube_down(Context& c, std::string_view yaml, std::string_view what);

// The YAML of FILE, or of standard input for "-" (at most 16 MiB).
Result<std::string> read_kube_input(const std::string& file);

namespace detail {
// Kubernetes quantities: "64Mi" -> 67108864, "1G" -> 1e9, "128974848"; "500m" -> 0.5 (cpu).
std::optional<std::int64_t> kube_bytes(const Json& q);
std::optional<double> kube_cpus(const Json& q);
// And back, as podman writes them: 67108864 -> "64Mi"; 0.5 -> "500m".
std::string kube_bytes_text(std::int64_t bytes);
std::string kube_cpus_text(double cpus);
// The container's argv split as Kubernetes keeps it against the image's Entrypoint and Cmd:
// {command, args}; both empty when argv is just the image's.
std::pair<std::vector<std::string>, std::vector<std::string>> kube_command(const std::vector<std::string>& argv,
                                                                           const std::vector<std::string>& entrypoint,
                                                                           const std::vector<std::string>& cmd);
// A DNS-1123 label from any text ("/srv/My_Data" -> "srv-my-data"), for volume names.
std::string kube_name(std::string_view s);
}  // namespace detail

}  // namespace berth::engine

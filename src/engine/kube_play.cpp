// kube play / kube down: a YAML stream of Pods, Deployments, ConfigMaps, Secrets and
// PersistentVolumeClaims as berth pods, containers and volumes. Two phases: everything is read
// and checked into a plan (nothing made), then the plan is made, and undone if a step fails.
#include <fmt/format.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <set>

#include "berth/core/digest.hpp"
#include "berth/core/log.hpp"
#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"
#include "berth/core/yaml.hpp"
#include "berth/engine/build.hpp"
#include "berth/engine/kube.hpp"
#include "berth/engine/network.hpp"
#include "berth/engine/registry.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/engine/volume.hpp"
#include "berth/store/containers.hpp"
#include "berth/store/volumes.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

namespace detail {

std::optional<std::int64_t> kube_bytes(const Json& q) {
  if (q.is_number_integer()) return q.get<std::int64_t>();
  if (!q.is_string()) return std::nullopt;
  std::string s = q.get<std::string>();
  const std::pair<const char*, double> units[] = {
      {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0}, {"k", 1e3}, {"M", 1e6},
      {"G", 1e9},     {"T", 1e12},       {"m", 1e-3}};
  double mult = 1;
  for (const auto& [suffix, m] : units)
    if (s.ends_with(suffix)) {
      mult = m;
      s.resize(s.size() - std::string_view(suffix).size());
      break;
    }
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  double v = std::strtod(s.c_str(), nullptr) * mult;
  if (!std::isfinite(v) || v < 0 || v > 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(std::ceil(v));
}

std::optional<double> kube_cpus(const Json& q) {
  if (q.is_number()) return q.get<double>();
  if (!q.is_string()) return std::nullopt;
  std::string s = q.get<std::string>();
  double div = 1;
  if (s.ends_with("m")) {
    div = 1000;
    s.pop_back();
  }
  if (s.empty() || s.find_first_not_of("0123456789.") != std::string::npos) return std::nullopt;
  return std::strtod(s.c_str(), nullptr) / div;
}

}  // namespace detail

namespace {

using StringMap = std::map<std::string, std::string>;

struct KubePod {
  std::string name;
  Json spec, labels;
};

struct Docs {
  std::vector<KubePod> pods;
  std::map<std::string, StringMap> configmaps, secrets;
  std::vector<std::string> claims;
};

Result<StringMap> secret_data(const Json& doc, std::string_view what) {
  StringMap out;
  for (const auto& [k, v] : json_string_map(json_obj(doc, "data"))) {
    auto d = base64_decode(v);
    if (!d)
      return fail(Errc::invalid_input, "{}: Secret {}: key {} is not base64", what,
                  json_str(json_obj(doc, "metadata"), "name"), k);
    out[k] = *d;
  }
  for (const auto& [k, v] : json_string_map(json_obj(doc, "stringData"))) out[k] = v;
  return out;
}

Result<void> read_doc(const Json& doc, std::string_view what, Docs& d) {
  if (!doc.is_object()) return fail(Errc::invalid_input, "{}: a YAML document that is not a mapping", what);
  std::string kind = json_str(doc, "kind");
  const Json& meta = json_obj(doc, "metadata");
  std::string name = json_str(meta, "name");
  if (kind == "Service") return {};  // podman too: a cluster's object, nothing to run here
  if (kind.empty()) return fail(Errc::invalid_input, "{}: a YAML document without a kind", what);
  static const std::set<std::string> known = {"Pod", "Deployment", "ConfigMap", "Secret", "PersistentVolumeClaim"};
  if (!known.contains(kind))
    return fail(
        Errc::invalid_input,
        "{}: unsupported kind \"{}\" (berth plays Pod, Deployment, ConfigMap, Secret, PersistentVolumeClaim, Service)",
        what, kind);
  if (name.empty()) return fail(Errc::invalid_input, "{}: a {} without metadata.name", what, kind);
  if (kind == "Pod") {
    d.pods.push_back({name, json_obj(doc, "spec"), json_obj(meta, "labels")});
  } else if (kind == "Deployment") {
    const Json& tmpl = json_obj(json_obj(doc, "spec"), "template");
    d.pods.push_back({name + "-pod", json_obj(tmpl, "spec"), json_obj(json_obj(tmpl, "metadata"), "labels")});
  } else if (kind == "ConfigMap") {
    d.configmaps[name] = json_string_map(json_obj(doc, "data"));
  } else if (kind == "Secret") {
    d.secrets[name] = TRY(secret_data(doc, what));
  } else {
    d.claims.push_back(name);
  }
  return {};
}

Result<Docs> read_docs(std::string_view yaml, std::string_view what, const std::vector<std::string>& configmaps) {
  Docs d;
  for (const auto& doc : TRY(yaml_documents(yaml, what))) TRY(read_doc(doc, what, d));
  for (const auto& f : configmaps) {
    auto text = TRY(context(sys::read_host_file(f, 4 << 20), "--configmap " + f));
    Docs more;
    for (const auto& doc : TRY(yaml_documents(text, f))) TRY(read_doc(doc, f, more));
    if (!more.pods.empty() || more.configmaps.empty())
      return fail(Errc::invalid_input, "{}: --configmap takes a file of ConfigMap documents", f);
    d.configmaps.insert(more.configmaps.begin(), more.configmaps.end());
  }
  if (d.pods.empty() && d.claims.empty())
    return fail(Errc::invalid_input, "{}: no Pod, Deployment or PersistentVolumeClaim in it", what);
  return d;
}

// A file a ConfigMap or Secret volume writes into its volume.
struct VolumeFile {
  std::string path, data;
};
struct MadeVolume {
  std::string name;
  std::vector<VolumeFile> files;  // a ConfigMap's or Secret's keys; empty for a claim
};
struct HostPathToMake {
  std::string path;
  bool file = false;
};

struct PodPlan {
  PodCreateOptions pod;
  std::vector<RunOptions> inits, containers;
  std::vector<HostPathToMake> host_paths;
  std::string replaces;  // the id of the pod of that name (--replace)
};

struct Plan {
  std::vector<MadeVolume> volumes;
  std::vector<PodPlan> pods;
};

struct PodContext {
  const KubePod& pod;
  const Docs& docs;
  std::string_view what;
  std::map<std::string, Json> volumes;  // spec.volumes by name
  const KubePlayOptions& opts;
};

// --build: the image built from CONTEXT/NAME/Containerfile (or Dockerfile), NAME the image's
// name without registry, path or tag, as podman looks for it; nullopt when there is nothing to
// build (no such directory, --build=false, or the image is here and --build was not given).
Result<std::optional<std::string>> build_for(Context& c, const KubePlayOptions& o, const std::string& image) {
  if (o.build == false) return std::nullopt;
  std::string name = image.substr(image.rfind('/') + 1);
  name = name.substr(0, name.find_first_of(":@"));
  if (name.empty() || name == "." || name == "..") return std::nullopt;
  std::string dir = (o.context_dir.empty() ? std::string(".") : o.context_dir) + "/" + name;
  struct stat st;
  bool has_file = ::stat((dir + "/Containerfile").c_str(), &st) == 0 || ::stat((dir + "/Dockerfile").c_str(), &st) == 0;
  if (!has_file) return std::nullopt;
  if (!o.build) {
    auto names = TRY(c.store.names());
    if (resolve_image(c.store, names, image)) return std::nullopt;  // here already
  }
  BuildOptions b;
  b.context = dir;
  b.tags = {image};
  auto built = TRY(context(build_image(c, b, stderr), fmt::format("build {} from {}", image, dir)));
  if (built.run_status != 0)
    return fail(Errc::system, "build {} from {}: {} failed with exit status {}", image, dir, built.failed_step,
                built.run_status);
  return image;
}

Result<std::string> keyed_value(const PodContext& p, const Json& ref, bool secret) {
  const auto& maps = secret ? p.docs.secrets : p.docs.configmaps;
  const char* kind = secret ? "Secret" : "ConfigMap";
  std::string name = json_str(ref, "name"), key = json_str(ref, "key");
  bool optional = json_obj(ref, "optional") == true;
  auto it = maps.find(name);
  if (it == maps.end()) {
    if (optional) return std::string();
    return fail(Errc::invalid_input, "{}: pod {}: no {} named {}", p.what, p.pod.name, kind, name);
  }
  auto v = it->second.find(key);
  if (v == it->second.end()) {
    if (optional) return std::string();
    return fail(Errc::invalid_input, "{}: pod {}: {} {} has no key {}", p.what, p.pod.name, kind, name, key);
  }
  return v->second;
}

Result<std::vector<std::string>> container_env(const PodContext& p, const Json& ctr) {
  std::vector<std::string> env;
  for (const auto& from : json_obj(ctr, "envFrom")) {
    bool secret = from.contains("secretRef");
    const Json& ref = json_obj(from, secret ? "secretRef" : "configMapRef");
    const auto& maps = secret ? p.docs.secrets : p.docs.configmaps;
    auto it = maps.find(json_str(ref, "name"));
    if (it == maps.end()) {
      if (json_obj(ref, "optional") == true) continue;
      return fail(Errc::invalid_input, "{}: pod {}: no {} named {}", p.what, p.pod.name,
                  secret ? "Secret" : "ConfigMap", json_str(ref, "name"));
    }
    for (const auto& [k, v] : it->second) env.push_back(json_str(from, "prefix") + k + "=" + v);
  }
  for (const auto& e : json_obj(ctr, "env")) {
    std::string name = json_str(e, "name");
    if (name.empty()) return fail(Errc::invalid_input, "{}: pod {}: an env entry without a name", p.what, p.pod.name);
    const Json& from = json_obj(e, "valueFrom");
    std::string value = json_str(e, "value");
    if (from.contains("configMapKeyRef")) value = TRY(keyed_value(p, from["configMapKeyRef"], false));
    if (from.contains("secretKeyRef")) value = TRY(keyed_value(p, from["secretKeyRef"], true));
    if (json_str(json_obj(from, "fieldRef"), "fieldPath") == "metadata.name") value = p.pod.name;
    env.push_back(name + "=" + value);
  }
  return env;
}

Result<void> check_host_path(const PodContext& p, const std::string& path, const std::string& type,
                             std::vector<HostPathToMake>& make) {
  if (path.empty() || path.front() != '/')
    return fail(Errc::invalid_input, "{}: pod {}: hostPath \"{}\" is not an absolute path", p.what, p.pod.name, path);
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (!exists && (type == "DirectoryOrCreate" || type == "FileOrCreate")) {
    make.push_back({path, type == "FileOrCreate"});
    return {};
  }
  if (!exists)
    return fail(Errc::not_found, "{}: pod {}: hostPath {}: no such file or directory", p.what, p.pod.name, path);
  if ((type == "Directory" || type == "DirectoryOrCreate") && !S_ISDIR(st.st_mode))
    return fail(Errc::invalid_input, "{}: pod {}: hostPath {} is not a directory", p.what, p.pod.name, path);
  if ((type == "File" || type == "FileOrCreate") && !S_ISREG(st.st_mode))
    return fail(Errc::invalid_input, "{}: pod {}: hostPath {} is not a file", p.what, p.pod.name, path);
  return {};
}

// A ConfigMap's or Secret's keys as files of a volume named after it (podman does the same).
Result<MadeVolume> keyed_volume(const PodContext& p, const Json& src, bool secret) {
  std::string name = json_str(src, secret ? "secretName" : "name");
  const auto& maps = secret ? p.docs.secrets : p.docs.configmaps;
  auto it = maps.find(name);
  bool optional = json_obj(src, "optional") == true;
  if (it == maps.end() && !optional)
    return fail(Errc::invalid_input, "{}: pod {}: no {} named {}", p.what, p.pod.name, secret ? "Secret" : "ConfigMap",
                name);
  MadeVolume v{name, {}};
  if (it == maps.end()) return v;
  auto safe = [](const std::string& rel) {
    return !rel.empty() && rel.front() != '/' &&
           std::ranges::none_of(split(rel, '/'), [](const std::string& c) { return c == ".." || c.empty(); });
  };
  const Json& items = json_obj(src, "items");
  for (const auto& [k, data] : it->second)
    if (items.empty()) v.files.push_back({k, data});
  for (const auto& item : items) {
    auto d = it->second.find(json_str(item, "key"));
    if (d == it->second.end())
      return fail(Errc::invalid_input, "{}: pod {}: {} {} has no key {}", p.what, p.pod.name,
                  secret ? "Secret" : "ConfigMap", name, json_str(item, "key"));
    v.files.push_back({json_str(item, "path", d->first), d->second});
  }
  for (const auto& f : v.files)
    if (!safe(f.path))
      return fail(Errc::invalid_input, "{}: pod {}: {} file \"{}\" is not a relative path inside the volume", p.what,
                  p.pod.name, name, f.path);
  return v;
}

Result<void> add_mount(const PodContext& p, const Json& m, RunOptions& r, Plan& plan, PodPlan& pp) {
  std::string name = json_str(m, "name"), target = json_str(m, "mountPath");
  auto src = p.volumes.find(name);
  if (src == p.volumes.end())
    return fail(Errc::invalid_input, "{}: pod {}: volumeMount {} names no volume of the pod", p.what, p.pod.name, name);
  if (target.empty() || target.front() != '/')
    return fail(Errc::invalid_input, "{}: pod {}: volumeMount {}: mountPath must be absolute", p.what, p.pod.name,
                name);
  std::string ro = json_obj(m, "readOnly") == true ? ":ro" : "";
  const Json& v = src->second;
  if (v.contains("hostPath")) {
    std::string path = json_str(v["hostPath"], "path");
    TRY(check_host_path(p, path, json_str(v["hostPath"], "type"), pp.host_paths));
    r.volumes.push_back(path + ":" + target + ro);
  } else if (v.contains("persistentVolumeClaim")) {
    std::string claim = json_str(v["persistentVolumeClaim"], "claimName");
    if (!store::valid_volume_name(claim))
      return fail(Errc::invalid_input, "{}: pod {}: invalid claimName \"{}\"", p.what, p.pod.name, claim);
    r.volumes.push_back(claim + ":" + target + ro);
  } else if (v.contains("emptyDir")) {
    const Json& e = v["emptyDir"];
    if (json_str(e, "medium") == "Memory") {
      auto size = detail::kube_bytes(json_obj(e, "sizeLimit"));
      r.tmpfs.push_back(size ? fmt::format("{}:size={}", target, *size) : target);
    } else {
      r.volumes.push_back(target);  // an anonymous volume, removed with the pod
    }
  } else if (v.contains("configMap") || v.contains("secret")) {
    bool secret = v.contains("secret");
    auto made = TRY(keyed_volume(p, v[secret ? "secret" : "configMap"], secret));
    if (!store::valid_volume_name(made.name))
      return fail(Errc::invalid_input, "{}: pod {}: invalid volume name \"{}\"", p.what, p.pod.name, made.name);
    r.volumes.push_back(made.name + ":" + target + ro);
    plan.volumes.push_back(std::move(made));
  } else {
    return fail(Errc::invalid_input,
                "{}: pod {}: volume {}: unsupported source (berth plays hostPath, persistentVolumeClaim, emptyDir, "
                "configMap, secret)",
                p.what, p.pod.name, name);
  }
  return {};
}

Result<void> health_from_probe(const PodContext& p, const Json& probe, HealthFlags& h) {
  if (probe.contains("exec")) {
    const Json& cmd = json_obj(probe["exec"], "command");
    bool shell = cmd.size() == 3 && cmd[0] == "/bin/sh" && cmd[1] == "-c" && cmd[2].is_string();
    h.cmd = shell ? cmd[2].get<std::string>() : dump_json(cmd);  // a shell command: CMD-SHELL again
  } else if (probe.contains("tcpSocket")) {
    h.cmd = fmt::format("nc -z {} {}", json_str(probe["tcpSocket"], "host", "127.0.0.1"),
                        json_obj(probe["tcpSocket"], "port").dump());
  } else if (probe.contains("httpGet")) {
    const Json& g = probe["httpGet"];
    h.cmd =
        fmt::format("curl -f -o /dev/null {}://{}:{}{}", json_str(g, "scheme", "HTTP") == "HTTPS" ? "https" : "http",
                    json_str(g, "host", "127.0.0.1"), json_obj(g, "port").dump(), json_str(g, "path", "/"));
  } else {
    return fail(Errc::invalid_input, "{}: pod {}: a livenessProbe without exec, tcpSocket or httpGet", p.what,
                p.pod.name);
  }
  h.interval = fmt::format("{}s", json_int(probe, "periodSeconds", 10));
  h.timeout = fmt::format("{}s", json_int(probe, "timeoutSeconds", 1));
  h.start_period = fmt::format("{}s", json_int(probe, "initialDelaySeconds", 0));
  h.retries = static_cast<int>(json_int(probe, "failureThreshold", 3));
  return {};
}

Result<void> apply_security(const PodContext& p, const Json& ctr, RunOptions& r) {
  Json sc = json_obj(p.pod.spec, "securityContext");
  if (!sc.is_object()) sc = Json::object();
  if (json_obj(ctr, "securityContext").is_object()) sc.update(ctr["securityContext"]);
  if (json_obj(sc, "privileged") == true) r.privileged = true;
  if (json_obj(sc, "readOnlyRootFilesystem") == true) r.read_only = true;
  if (json_obj(sc, "allowPrivilegeEscalation") == false) r.security_opt.push_back("no-new-privileges");
  const Json& caps = json_obj(sc, "capabilities");
  r.cap_add = json_strings(json_obj(caps, "add"));
  r.cap_drop = json_strings(json_obj(caps, "drop"));
  if (json_obj(sc, "runAsUser").is_number_integer()) {
    r.user = std::to_string(sc["runAsUser"].get<long long>());
    if (json_obj(sc, "runAsGroup").is_number_integer())
      r.user += ":" + std::to_string(sc["runAsGroup"].get<long long>());
  }
  return {};
}

Result<void> apply_resources(const PodContext& p, const Json& ctr, RunOptions& r) {
  const Json& limits = json_obj(json_obj(ctr, "resources"), "limits");
  if (limits.contains("memory")) {
    auto b = detail::kube_bytes(limits["memory"]);
    if (!b)
      return fail(Errc::invalid_input, "{}: pod {}: invalid memory limit {}", p.what, p.pod.name,
                  limits["memory"].dump());
    r.memory = std::to_string(*b);
  }
  if (limits.contains("cpu")) {
    auto c = detail::kube_cpus(limits["cpu"]);
    if (!c)
      return fail(Errc::invalid_input, "{}: pod {}: invalid cpu limit {}", p.what, p.pod.name, limits["cpu"].dump());
    r.cpus = *c;
  }
  return {};
}

std::string restart_of(const Json& spec) {
  std::string p = json_str(spec, "restartPolicy", "Always");
  return p == "Never" ? "no" : p == "OnFailure" ? "on-failure" : "always";
}

Result<RunOptions> container_options(Context& c, const PodContext& p, const Json& ctr, Plan& plan, PodPlan& pp) {
  RunOptions r;
  std::string name = json_str(ctr, "name"), image = json_str(ctr, "image");
  if (name.empty()) return fail(Errc::invalid_input, "{}: pod {}: a container without a name", p.what, p.pod.name);
  if (image.empty())
    return fail(Errc::invalid_input, "{}: pod {}: container {} has no image", p.what, p.pod.name, name);
  r.name = p.pod.name + "-" + name;
  std::string pull = json_str(ctr, "imagePullPolicy");
  auto policy = pull == "Always" ? PullPolicy::always : pull == "Never" ? PullPolicy::never : PullPolicy::missing;
  if (auto built = TRY(build_for(c, p.opts, image)))
    r.image = *built;
  else
    r.image = TRY(
        context(ensure_image(c, image, policy, PullRequest{}), fmt::format("pod {}: container {}", p.pod.name, name)));
  if (ctr.contains("command")) r.entrypoint = dump_json(json_obj(ctr, "command"));
  r.command = json_strings(json_obj(ctr, "args"));
  r.env = TRY(container_env(p, ctr));
  r.workdir = json_str(ctr, "workingDir");
  r.interactive = json_obj(ctr, "stdin") == true;
  r.tty = json_obj(ctr, "tty") == true;
  r.restart = restart_of(p.pod.spec);
  for (const auto& m : json_obj(ctr, "volumeMounts")) TRY(add_mount(p, m, r, plan, pp));
  TRY(apply_security(p, ctr, r));
  TRY(apply_resources(p, ctr, r));
  if (ctr.contains("livenessProbe")) TRY(health_from_probe(p, ctr["livenessProbe"], r.health));
  for (const auto& port : json_obj(ctr, "ports")) {
    if (!json_obj(port, "hostPort").is_number_integer()) continue;  // not published, as podman
    std::string ip = json_str(port, "hostIP");
    std::string proto = json_str(port, "protocol", "TCP");
    std::transform(proto.begin(), proto.end(), proto.begin(), ::tolower);
    pp.pod.net.publish.push_back(fmt::format("{}{}:{}/{}", ip.empty() ? "" : ip + ":",
                                             port["hostPort"].get<long long>(), json_int(port, "containerPort"),
                                             proto));
  }
  return r;
}

Result<PodPlan> plan_pod(Context& c, const KubePlayOptions& o, const KubePod& kp, const Docs& docs,
                         std::string_view what, Plan& plan) {
  PodContext p{kp, docs, what, {}, o};
  for (const auto& v : json_obj(kp.spec, "volumes")) p.volumes[json_str(v, "name")] = v;
  PodPlan pp;
  pp.pod.name = kp.name;
  pp.pod.replace = false;
  for (const auto& [k, v] : json_string_map(kp.labels)) pp.pod.labels.push_back(k + "=" + v);
  pp.pod.net.hostname = json_str(kp.spec, "hostname", kp.name);
  if (!o.network.empty()) pp.pod.net.network = o.network;
  if (json_obj(kp.spec, "hostNetwork") == true) pp.pod.net.network = "host";
  if (json_obj(kp.spec, "shareProcessNamespace") == true) pp.pod.share = "+pid";
  pp.pod.net.publish = o.publish;
  for (const auto& h : json_obj(kp.spec, "hostAliases"))
    for (const auto& n : json_strings(json_obj(h, "hostnames")))
      pp.pod.net.add_host.push_back(n + ":" + json_str(h, "ip"));
  pp.pod.net.dns = json_strings(json_obj(json_obj(kp.spec, "dnsConfig"), "nameservers"));
  if (auto old = store::find_pod(c.store, kp.name)) {
    if (!o.replace)
      return fail(Errc::conflict, "{}: pod {} already exists (kube play --replace replaces it)", what, kp.name);
    pp.replaces = old->id;
  }
  std::set<std::string> names;
  const Json& ctrs = json_obj(kp.spec, "containers");
  if (!ctrs.is_array() || ctrs.empty()) return fail(Errc::invalid_input, "{}: pod {} has no containers", what, kp.name);
  for (const char* list : {"initContainers", "containers"})
    for (const auto& ctr : json_obj(kp.spec, list)) {
      auto r = TRY(container_options(c, p, ctr, plan, pp));
      if (!names.insert(r.name).second)
        return fail(Errc::invalid_input, "{}: pod {}: two containers named {}", what, kp.name, json_str(ctr, "name"));
      if (pp.replaces.empty() && store::resolve_container(c.store, r.name))
        return fail(Errc::conflict, "{}: the container name \"{}\" is already in use", what, r.name);
      (std::string_view(list) == "initContainers" ? pp.inits : pp.containers).push_back(std::move(r));
    }
  for (auto& r : pp.inits) r.restart = "no";
  // Published hostPorts need a network that publishes (podman plays onto its bridge); berth's
  // own default is the loopback-only one.
  if (o.network.empty() && pp.pod.net.network == "private" && !pp.pod.net.publish.empty())
    pp.pod.net.network = default_network_mode(true);
  return pp;
}

Result<Plan> make_plan(Context& c, const KubePlayOptions& o, std::string_view yaml, std::string_view what) {
  Docs docs = TRY(read_docs(yaml, what, o.configmaps));
  Plan plan;
  for (const auto& claim : docs.claims) {
    if (!store::valid_volume_name(claim))
      return fail(Errc::invalid_input, "{}: invalid PersistentVolumeClaim name \"{}\"", what, claim);
    plan.volumes.push_back({claim, {}});
  }
  std::set<std::string> pod_names;
  for (const auto& kp : docs.pods) {
    if (!pod_names.insert(kp.name).second) return fail(Errc::invalid_input, "{}: two pods named {}", what, kp.name);
    plan.pods.push_back(TRY(plan_pod(c, o, kp, docs, what, plan)));
  }
  return plan;
}

// What a failed play undoes.
struct Made {
  std::vector<std::string> pods, volumes;
};

Result<void> fill_volume(Context& c, const MadeVolume& v) {
  std::string path = store::volume_data_path(c.store, v.name);
  sys::UniqueFd data(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!data) return fail(Errc::system, "open {}: {}", path, std::strerror(errno));
  for (const auto& f : v.files) {
    auto slash = f.path.rfind('/');
    int dir = data.get();
    sys::UniqueFd sub;
    if (slash != std::string::npos) {
      sub = TRY(sys::make_dirs(dir, f.path.substr(0, slash), 0755));
      dir = sub.get();
    }
    TRY(sys::write_replace(dir, f.path.substr(slash == std::string::npos ? 0 : slash + 1), f.data, 0644));
  }
  return {};
}

Result<void> make_volumes(Context& c, const Plan& plan, KubePlayReport& rep, Made& made) {
  std::set<std::string> done;
  for (const auto& v : plan.volumes) {
    if (!done.insert(v.name).second) continue;
    bool existed = TRY(store::read_volume(c.store, v.name)).has_value();
    TRY(volume_create(c, VolumeCreateOptions{v.name, "local", {}, {}, true}));
    if (!existed) made.volumes.push_back(v.name);
    TRY(fill_volume(c, v));
    rep.volumes.push_back(v.name);
  }
  return {};
}

Result<void> make_host_paths(const PodPlan& pp) {
  for (const auto& h : pp.host_paths) {
    if (!h.file) {
      std::error_code ec;
      std::filesystem::create_directories(h.path, ec);
      if (ec) return fail(Errc::system, "hostPath {}: {}", h.path, ec.message());
      continue;
    }
    sys::UniqueFd fd(::open(h.path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd) return fail(Errc::system, "hostPath {}: {}", h.path, std::strerror(errno));
  }
  return {};
}

Result<void> run_inits(Context& c, const PodPlan& pp, const std::string& pod_id) {
  for (auto r : pp.inits) {
    r.pod = pod_id;
    auto id = TRY(create_container(c, r));
    TRY(start_container(c, id, false, false));
    auto w = TRY(wait_containers(c, {id}));
    auto rm = remove_containers(c, RmOptions{{id}, true, false, 0, true});
    if (!w.errors.empty()) return std::unexpected(w.errors.front());
    if (!w.done.empty() && w.done.front() != "0")
      return fail(Errc::invalid_input, "pod {}: init container {} exited with {}", pp.pod.name, r.name, w.done.front());
    if (!rm) return std::unexpected(rm.error());
  }
  return {};
}

Result<void> make_pods(Context& c, const KubePlayOptions& o, const Plan& plan, KubePlayReport& rep, Made& made) {
  for (const auto& pp : plan.pods) {
    if (!pp.replaces.empty()) {
      auto r = TRY(pod_rm(c, {pp.replaces}, false, true, 0));
      if (!r.errors.empty()) return std::unexpected(r.errors.front());
    }
    TRY(make_host_paths(pp));
    auto pod = TRY(pod_create(c, pp.pod));
    made.pods.push_back(pod.id);
    KubePlayReport::Pod out{pod.id, {}};
    if (o.start) TRY(run_inits(c, pp, pod.id));
    for (auto r : pp.containers) {
      r.pod = pod.id;
      out.containers.push_back(TRY(create_container(c, r)));
    }
    if (o.start) {
      auto s = TRY(pod_start(c, {pod.id}, false));
      if (!s.errors.empty()) return std::unexpected(s.errors.front());
    }
    rep.pods.push_back(std::move(out));
  }
  return {};
}

}  // namespace

Result<std::string> read_kube_input(const std::string& file) {
  if (file != "-") return sys::read_host_file(file, 16 << 20);
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (text.size() > (16 << 20)) return fail(Errc::invalid_input, "standard input: more than 16 MiB of YAML");
  return text;
}

Result<KubePlayReport> kube_play(Context& c, const KubePlayOptions& o, std::string_view yaml, std::string_view what) {
  Plan plan = TRY(make_plan(c, o, yaml, what));
  KubePlayReport rep;
  Made made;
  auto ok = make_volumes(c, plan, rep, made);
  if (ok) ok = make_pods(c, o, plan, rep, made);
  if (ok) return rep;
  if (!made.pods.empty()) (void)pod_rm(c, made.pods, false, true, 0);
  if (!made.volumes.empty()) (void)volume_remove(c, made.volumes, VolumeRemoveOptions{true, 0});
  return std::unexpected(ok.error());
}

Result<KubeDownReport> kube_down(Context& c, std::string_view yaml, std::string_view what) {
  Docs docs = TRY(read_docs(yaml, what, {}));
  KubeDownReport rep;
  std::vector<std::string> ids;
  for (const auto& kp : docs.pods) {
    auto p = store::find_pod(c.store, kp.name);
    if (!p) {
      if (p.error().code == Errc::not_found) continue;
      return std::unexpected(p.error());
    }
    ids.push_back(p->id);
  }
  if (ids.empty()) return rep;
  auto stopped = TRY(pod_stop(c, ids, false, 0));
  if (!stopped.errors.empty()) return std::unexpected(stopped.errors.front());
  rep.stopped = ids;
  auto removed = TRY(pod_rm(c, ids, false, true, 0));
  if (!removed.errors.empty()) return std::unexpected(removed.errors.front());
  rep.removed = ids;
  return rep;
}

}  // namespace berth::engine

// kube generate: containers or pods as a v1 Pod (or apps/v1 Deployment) and a Service, in the
// shape podman writes (keys sorted, podman's names for volumes), valid against the Kubernetes
// API schemas (tests/helpers/kube-validate.py checks every shape here).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "berth/core/humanize.hpp"
#include "berth/core/strings.hpp"
#include "berth/core/yaml.hpp"
#include "berth/engine/kube.hpp"
#include "berth/engine/spec.hpp"
#include "berth/engine/volume.hpp"
#include "berth/image/config.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/store/containers.hpp"

namespace berth::engine {

namespace detail {

std::string kube_bytes_text(std::int64_t bytes) {
  const std::pair<const char*, std::int64_t> units[] = {{"Gi", 1LL << 30}, {"Mi", 1LL << 20}, {"Ki", 1LL << 10}};
  for (const auto& [suffix, n] : units)
    if (bytes >= n && bytes % n == 0) return fmt::format("{}{}", bytes / n, suffix);
  return std::to_string(bytes);
}

std::string kube_cpus_text(double cpus) {
  auto milli = static_cast<long long>(std::llround(cpus * 1000));
  return milli % 1000 == 0 ? std::to_string(milli / 1000) : fmt::format("{}m", milli);
}

std::pair<std::vector<std::string>, std::vector<std::string>> kube_command(const std::vector<std::string>& argv,
                                                                           const std::vector<std::string>& entrypoint,
                                                                           const std::vector<std::string>& cmd) {
  std::vector<std::string> image = entrypoint;
  image.insert(image.end(), cmd.begin(), cmd.end());
  if (argv == image) return {};
  if (!entrypoint.empty() && argv.size() >= entrypoint.size() &&
      std::equal(entrypoint.begin(), entrypoint.end(), argv.begin()))
    return {{}, std::vector<std::string>(argv.begin() + static_cast<long>(entrypoint.size()), argv.end())};
  return {argv, {}};
}

std::string kube_name(std::string_view s) {
  std::string out;
  for (char ch : s) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool ok = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (ok)
      out += l;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 50) out.resize(50);
  return out.empty() ? "vol" : out;
}

}  // namespace detail

namespace {

// Kubernetes' default capability set: podman's, plus the three podman leaves out.
Result<std::uint64_t> kube_default_caps() {
  std::uint64_t caps = runtime::default_caps();
  for (const char* n : {"CAP_MKNOD", "CAP_NET_RAW", "CAP_AUDIT_WRITE"}) caps |= TRY(runtime::cap_mask(n));
  return caps;
}

Json cap_list(std::uint64_t mask) {
  Json a = Json::array();
  if (mask == 0) return a;
  for (const auto& n : split(runtime::cap_names(mask), ',')) a.push_back(n);
  return a;
}

Result<Json> security_context(const store::ContainerConfig& k) {
  Json sc = Json::object();
  if (k.privileged) {
    sc["privileged"] = true;
  } else {
    std::uint64_t have = TRY(capabilities(k.cap_add, k.cap_drop)), base = TRY(kube_default_caps());
    Json caps = Json::object();
    if (have & ~base) caps["add"] = cap_list(have & ~base);
    if (base & ~have) caps["drop"] = cap_list(base & ~have);
    sc["capabilities"] = caps;
  }
  if (k.read_only) sc["readOnlyRootFilesystem"] = true;
  auto ug = split(k.user, ':');
  if (!k.user.empty() && all_digits(ug[0])) sc["runAsUser"] = std::stoll(ug[0]);
  if (ug.size() == 2 && all_digits(ug[1])) sc["runAsGroup"] = std::stoll(ug[1]);
  return sc;
}

Json liveness_probe(const store::HealthCheck& h) {
  Json cmd = Json::array();
  if (h.test.size() >= 2 && h.test[0] == "CMD-SHELL")
    cmd = {"/bin/sh", "-c", h.test[1]};
  else
    for (size_t i = 1; i < h.test.size(); ++i) cmd.push_back(h.test[i]);
  Json p = {{"exec", {{"command", cmd}}}};
  auto secs = [](std::int64_t ns) { return std::max<std::int64_t>(1, ns / 1'000'000'000); };
  if (h.interval > 0) p["periodSeconds"] = secs(h.interval);
  if (h.timeout > 0) p["timeoutSeconds"] = secs(h.timeout);
  if (h.start_period > 0) p["initialDelaySeconds"] = h.start_period / 1'000'000'000;
  if (h.retries > 0) p["failureThreshold"] = h.retries;
  return p;
}

// The container's mounts as volumeMounts, adding what they name to the pod's `volumes`.
Result<Json> volume_mounts(Context& c, const store::ContainerConfig& k, Json& volumes) {
  Json mounts = Json::array();
  auto add = [&](const std::string& name, const std::string& target, bool ro, Json source) {
    bool known = std::any_of(volumes.begin(), volumes.end(), [&](const Json& v) { return v["name"] == name; });
    if (!known) {
      source["name"] = name;
      volumes.push_back(source);
    }
    Json m = {{"name", name}, {"mountPath", target}};
    if (ro) m["readOnly"] = true;
    mounts.push_back(m);
  };
  for (const auto& v : k.volumes) {
    if (v.name.empty()) {
      std::string base = v.source.substr(v.source.find_last_of('/') + 1);
      add(fmt::format("{}-host-{}", detail::kube_name(base), volumes.size()), v.target, v.read_only,
          {{"hostPath", {{"path", v.source}, {"type", v.is_file ? "File" : "Directory"}}}});
      continue;
    }
    auto rec = TRY(volume_find(c, v.name));
    if (rec.anonymous)
      add(fmt::format("anon-{}", v.name.substr(0, 12)), v.target, v.read_only, {{"emptyDir", Json::object()}});
    else
      add(detail::kube_name(v.name) + "-pvc", v.target, v.read_only,
          {{"persistentVolumeClaim", {{"claimName", v.name}}}});
  }
  for (const auto& t : k.tmpfs) {
    Json dir = {{"medium", "Memory"}};
    for (const auto& o : split(t.options, ','))
      if (o.starts_with("size=")) dir["sizeLimit"] = o.substr(5);
    add(fmt::format("tmpfs-{}", volumes.size()), t.target, false, {{"emptyDir", dir}});
  }
  return mounts;
}

std::string restart_policy(const std::string& r) {
  if (r == "always" || r == "unless-stopped") return "Always";
  if (r.starts_with("on-failure")) return "OnFailure";
  return "Never";
}

// One container of the Pod: `ports` are the pod's (its infra's) or the container's own.
Result<Json> kube_container(Context& c, const store::ContainerConfig& k, const std::string& pod_name,
                            const std::vector<store::PortMapping>& ports, Json& volumes) {
  std::string name = k.name;
  if (name.size() > pod_name.size() + 1 && name.starts_with(pod_name + "-")) name = name.substr(pod_name.size() + 1);
  Json ctr = {{"name", detail::kube_name(name) == name ? name : detail::kube_name(name)}, {"image", k.image}};
  auto blob = TRY(parse_json(TRY(c.store.read_blob(k.image_id, 8 << 20)), "image config"));
  auto ic = image::decode_image_config(blob);
  auto [command, args] = detail::kube_command(k.command, ic.entrypoint, ic.cmd);
  if (!command.empty()) ctr["command"] = command;
  if (!args.empty()) ctr["args"] = args;
  Json env = Json::array();
  for (const auto& e : k.env)
    if (std::find(ic.env.begin(), ic.env.end(), e) == ic.env.end() && e.find('=') != std::string::npos)
      env.push_back({{"name", e.substr(0, e.find('='))}, {"value", e.substr(e.find('=') + 1)}});
  if (!env.empty()) ctr["env"] = env;
  if (!k.workdir.empty() && k.workdir != ic.workdir) ctr["workingDir"] = k.workdir;
  Json kports = Json::array();
  for (const auto& p : ports) {
    Json kp = {{"containerPort", p.container_port}};
    if (p.host_port) kp["hostPort"] = p.host_port;
    if (p.protocol != "tcp") kp["protocol"] = p.protocol == "udp" ? "UDP" : "SCTP";
    if (!p.host_ip.empty() && p.host_ip != "0.0.0.0") kp["hostIP"] = p.host_ip;
    kports.push_back(kp);
  }
  if (!kports.empty()) ctr["ports"] = kports;
  Json mounts = TRY(volume_mounts(c, k, volumes));
  if (!mounts.empty()) ctr["volumeMounts"] = mounts;
  ctr["securityContext"] = TRY(security_context(k));
  Json limits = Json::object();
  if (k.memory) limits["memory"] = detail::kube_bytes_text(*k.memory);
  if (k.cpus) limits["cpu"] = detail::kube_cpus_text(*k.cpus);
  if (!limits.empty()) ctr["resources"] = {{"limits", limits}};
  if (k.healthcheck && !k.healthcheck->test.empty() && k.healthcheck->test[0] != "NONE")
    ctr["livenessProbe"] = liveness_probe(*k.healthcheck);
  if (k.interactive) ctr["stdin"] = true;
  if (k.tty) ctr["tty"] = true;
  return ctr;
}

struct PodSource {
  std::string name, hostname;
  std::map<std::string, std::string> labels;
  std::vector<store::ContainerRecord> members;
  std::vector<store::PortMapping> ports;  // the infra's
  bool host_network = false;
  std::int64_t created = 0;
  bool share_pid = false;
};

Result<Json> pod_spec(Context& c, const PodSource& src) {
  Json spec = {{"automountServiceAccountToken", false}, {"enableServiceLinks", false}};
  Json ctrs = Json::array(), volumes = Json::array();
  for (size_t i = 0; i < src.members.size(); ++i) {
    const auto& k = src.members[i].config;
    auto ports = src.ports.empty() ? k.ports : (i == 0 ? src.ports : std::vector<store::PortMapping>{});
    ctrs.push_back(TRY(kube_container(c, k, src.name, ports, volumes)));
  }
  spec["containers"] = ctrs;
  if (!volumes.empty()) spec["volumes"] = volumes;
  if (!src.members.empty()) spec["restartPolicy"] = restart_policy(src.members.front().config.restart);
  if (!src.hostname.empty() && src.hostname != src.name) spec["hostname"] = src.hostname;
  if (src.host_network) spec["hostNetwork"] = true;
  if (src.share_pid) spec["shareProcessNamespace"] = true;
  return spec;
}

Result<std::vector<PodSource>> pod_sources(Context& c, const std::vector<std::string>& names) {
  std::vector<PodSource> out;
  PodSource lone;
  for (const auto& key : names) {
    if (auto p = pod_find(c, key)) {
      PodSource s{p->pod.name, p->pod.hostname, p->pod.labels, {}, {}, false, p->pod.created, false};
      s.share_pid = std::find(p->pod.share.begin(), p->pod.share.end(), "pid") != p->pod.share.end();
      for (const auto& r : p->containers) {
        if (!r.config.is_infra) {
          s.members.push_back(r);
          continue;
        }
        s.ports = r.config.ports;
        s.host_network = r.config.network == "host";
      }
      std::sort(s.members.begin(), s.members.end(),
                [](const auto& a, const auto& b) { return a.config.created < b.config.created; });
      if (s.members.empty())
        return fail(Errc::invalid_input, "pod {} has no containers other than its infra: nothing to generate", s.name);
      out.push_back(std::move(s));
      continue;
    }
    auto id = TRY(container_id(c, key));
    auto r = TRY(store::read_container(c.store, id));
    if (r.config.is_infra) return fail(Errc::invalid_input, "{} is the infra container of a pod: name the pod", key);
    if (lone.members.empty()) {
      lone.name = r.config.name + "-pod";
      lone.created = r.config.created;
      lone.host_network = r.config.network == "host";
    }
    lone.members.push_back(std::move(r));
  }
  if (!lone.members.empty()) out.push_back(std::move(lone));
  return out;
}

Json service_doc(const PodSource& src, const Json& meta) {
  Json ports = Json::array();
  for (const auto& m : src.members)
    for (const auto& p : src.ports.empty() ? m.config.ports : src.ports) {
      Json sp = {
          {"name", std::to_string(p.container_port)}, {"port", p.container_port}, {"targetPort", p.container_port}};
      if (p.protocol != "tcp") sp["protocol"] = p.protocol == "udp" ? "UDP" : "SCTP";
      if (std::find(ports.begin(), ports.end(), sp) == ports.end()) ports.push_back(sp);
    }
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", meta},
          {"spec", {{"ports", ports}, {"selector", {{"app", src.name}}}, {"type", "NodePort"}}}};
}

}  // namespace

Result<std::string> kube_generate(Context& c, const KubeGenerateOptions& o) {
  if (o.type != "pod" && o.type != "deployment")
    return fail(Errc::usage, "invalid type \"{}\": pod or deployment", o.type);
  if (o.replicas < 1) return fail(Errc::usage, "--replicas must be at least 1");
  std::string text = fmt::format(
      "# Save the output of this file and use kubectl create -f to import\n# it into Kubernetes.\n#\n"
      "# Created with berth-{}\n",
      BERTH_VERSION);
  for (const auto& src : TRY(pod_sources(c, o.names))) {
    Json labels = {{"app", src.name}};
    for (const auto& [k, v] : src.labels) labels[k] = v;
    Json meta = {
        {"name", src.name}, {"labels", labels}, {"creationTimestamp", rfc3339_utc(src.created / 1'000'000'000)}};
    Json spec = TRY(pod_spec(c, src));
    if (o.service) {
      Json svc = service_doc(src, meta);
      if (svc["spec"]["ports"].empty()) return fail(Errc::invalid_input, "--service: {} publishes no ports", src.name);
      text += "---\n" + yaml_dump(svc);
    }
    Json doc;
    if (o.type == "pod") {
      doc = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", meta}, {"spec", spec}};
    } else {
      Json dmeta = meta;
      dmeta["name"] = src.name + "-deployment";
      doc = {{"apiVersion", "apps/v1"},
             {"kind", "Deployment"},
             {"metadata", dmeta},
             {"spec",
              {{"replicas", o.replicas},
               {"selector", {{"matchLabels", {{"app", src.name}}}}},
               {"template", {{"metadata", meta}, {"spec", spec}}}}}};
      doc["spec"]["template"]["spec"]["restartPolicy"] = "Always";  // the only one a Deployment takes
    }
    text += "---\n" + yaml_dump(doc);
  }
  return text;
}

}  // namespace berth::engine

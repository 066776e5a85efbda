#include "berth/image/config.hpp"

#include <algorithm>
#include <cctype>

#include "berth/core/strings.hpp"
#include "berth/core/humanize.hpp"

namespace berth::image {

namespace {

// "A=b C=d" or "A b" (the legacy one-pair form); values may be double-quoted.
Result<std::vector<std::pair<std::string, std::string>>> parse_pairs(std::string_view s, bool legacy_space) {
  std::vector<std::pair<std::string, std::string>> out;
  s = trim(s);
  auto eq = s.find('=');
  auto sp = s.find_first_of(" \t");
  if (legacy_space && (eq == std::string_view::npos || (sp != std::string_view::npos && sp < eq))) {
    if (sp == std::string_view::npos) return fail(Errc::usage, "\"{}\" needs a value", s);
    out.emplace_back(std::string(s.substr(0, sp)), std::string(trim(s.substr(sp))));
    return out;
  }
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
    if (i >= s.size()) break;
    size_t e = s.find('=', i);
    if (e == std::string_view::npos) return fail(Errc::usage, "\"{}\" is not KEY=VALUE", s.substr(i));
    std::string key(s.substr(i, e - i));
    std::string val;
    i = e + 1;
    if (i < s.size() && s[i] == '"') {
      size_t q = s.find('"', i + 1);
      if (q == std::string_view::npos) return fail(Errc::usage, "unterminated quote in \"{}\"", s);
      val = std::string(s.substr(i + 1, q - i - 1));
      i = q + 1;
    } else {
      size_t end = i;
      while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end]))) end++;
      val = std::string(s.substr(i, end - i));
      i = end;
    }
    if (key.empty()) return fail(Errc::usage, "empty key in \"{}\"", s);
    out.emplace_back(key, val);
  }
  if (out.empty()) return fail(Errc::usage, "missing KEY=VALUE");
  return out;
}

void set_env(Json& cfg, const std::string& key, const std::string& val) {
  Json& env = cfg["Env"];
  if (!env.is_array()) env = Json::array();
  std::string prefix = key + "=";
  for (auto& e : env)
    if (e.is_string() && e.get<std::string>().starts_with(prefix)) {
      e = prefix + val;
      return;
    }
  env.push_back(prefix + val);
}

}  // namespace

Result<Descriptor> descriptor_from_json(const Json& j, std::string_view what) {
  if (!j.is_object()) return fail(Errc::invalid_input, "{}: descriptor is not an object", what);
  Descriptor d;
  d.media_type = json_str(j, "mediaType");
  d.digest = TRY(context(Digest::parse(json_str(j, "digest")), what));
  d.size = json_int(j, "size", -1);
  if (d.size < 0) return fail(Errc::invalid_input, "{}: descriptor has no valid size", what);
  d.annotations = json_obj(j, "annotations");
  d.platform = json_obj(j, "platform");
  return d;
}

Json descriptor_to_json(const Descriptor& d) {
  Json j = {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
  if (d.annotations.is_object() && !d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform.is_object() && !d.platform.empty()) j["platform"] = d.platform;
  return j;
}

bool known_layer_type(std::string_view t) {
  static constexpr std::string_view kTypes[] = {
      "application/vnd.oci.image.layer.v1.tar",
      "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.oci.image.layer.v1.tar+zstd",
      "application/vnd.oci.image.layer.nondistributable.v1.tar",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
      "application/vnd.docker.image.rootfs.diff.tar",
      "application/vnd.docker.image.rootfs.diff.tar.gzip",
  };
  for (auto k : kTypes)
    if (t == k) return true;
  return false;
}

Result<Manifest> parse_manifest(const Json& j) {
  if (!j.is_object()) return fail(Errc::invalid_input, "manifest is not a JSON object");
  if (json_int(j, "schemaVersion") != 2) return fail(Errc::invalid_input, "manifest schemaVersion is not 2");
  if (j.contains("manifests"))
    return fail(Errc::invalid_input, "ambiguous manifest: it also has a \"manifests\" list (CVE-2021-41190)");
  Manifest m;
  m.config = TRY(descriptor_from_json(json_obj(j, "config"), "manifest config"));
  if (m.config.media_type != kOciConfig && m.config.media_type != kDockerConfig)
    return fail(Errc::unsupported, "manifest config has media type \"{}\": not a container image", m.config.media_type);
  const Json& layers = json_obj(j, "layers");
  if (!layers.is_array()) return fail(Errc::invalid_input, "manifest has no layer list");
  for (size_t i = 0; i < layers.size(); i++) {
    m.layers.push_back(TRY(descriptor_from_json(layers[i], fmt::format("manifest layer {}", i))));
    if (!known_layer_type(m.layers.back().media_type))
      return fail(Errc::unsupported, "manifest layer {} has media type \"{}\", which berth cannot apply", i,
                  m.layers.back().media_type);
  }
  return m;
}

Result<DocKind> classify_document(const Json& j, std::string_view hint) {
  if (!j.is_object()) return fail(Errc::invalid_input, "manifest is not a JSON object");
  bool image_fields = j.contains("layers") || j.contains("config");
  bool index_fields = j.contains("manifests");
  if (image_fields && index_fields)
    return fail(Errc::invalid_input,
                "ambiguous document: it has both layers/config and manifests, so it reads as a manifest and as an "
                "index (CVE-2021-41190): refused");
  auto kind_of = [](std::string_view t) -> std::optional<DocKind> {
    if (t == kOciManifest || t == kDockerManifest) return DocKind::manifest;
    if (t == kOciIndex || t == kDockerList) return DocKind::index;
    return std::nullopt;
  };
  std::optional<DocKind> own;
  if (j.contains("mediaType")) {
    if (!j["mediaType"].is_string()) return fail(Errc::invalid_input, "manifest mediaType is not a string");
    std::string mt = j["mediaType"].get<std::string>();
    if (mt == "application/vnd.docker.distribution.manifest.v1+json" ||
        mt == "application/vnd.docker.distribution.manifest.v1+prettyjws")
      return fail(Errc::unsupported, "Docker schema 1 manifests are not supported");
    own = kind_of(mt);
    if (!own) return fail(Errc::unsupported, "unsupported manifest media type \"{}\"", mt);
  }
  std::optional<DocKind> told = kind_of(hint);
  if (own && told && *own != *told)
    return fail(Errc::invalid_input, "ambiguous document: served as \"{}\" but its mediaType is \"{}\": refused", hint,
                json_str(j, "mediaType"));
  DocKind k = own ? *own : told ? *told : index_fields ? DocKind::index : DocKind::manifest;
  if (k == DocKind::index && image_fields)
    return fail(Errc::invalid_input, "ambiguous document: an index with layers or config: refused (CVE-2021-41190)");
  if (k == DocKind::manifest && index_fields)
    return fail(Errc::invalid_input, "ambiguous document: a manifest with a manifests list: refused (CVE-2021-41190)");
  if (json_int(j, "schemaVersion") != 2) return fail(Errc::invalid_input, "manifest schemaVersion is not 2");
  return k;
}

std::string make_manifest(const Descriptor& config, const std::vector<Descriptor>& layers,
                          const std::map<std::string, std::string>& annotations) {
  OrderedJson j;
  j["schemaVersion"] = 2;
  j["mediaType"] = kOciManifest;
  j["config"] = {{"mediaType", config.media_type}, {"digest", config.digest.str()}, {"size", config.size}};
  j["layers"] = OrderedJson::array();
  for (const auto& l : layers)
    j["layers"].push_back({{"mediaType", l.media_type}, {"digest", l.digest.str()}, {"size", l.size}});
  if (!annotations.empty()) j["annotations"] = annotations;
  return dump_json(j);
}

std::string host_arch() {
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#elif defined(__powerpc64__)
  return "ppc64le";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv)
  return "riscv64";
#else
  return "unknown";
#endif
}

Result<Descriptor> select_platform(const Json& index, std::string_view os, std::string_view arch,
                                   std::string_view variant) {
  const Json& list = json_obj(index, "manifests");
  if (!list.is_array()) return fail(Errc::invalid_input, "index has no manifest list");
  std::string offered;
  for (size_t i = 0; i < list.size(); i++) {
    auto d = TRY(descriptor_from_json(list[i], fmt::format("index entry {}", i)));
    std::string pos = json_str(d.platform, "os"), parch = json_str(d.platform, "architecture"),
                pvar = json_str(d.platform, "variant");
    offered += fmt::format("{}{}/{}{}", offered.empty() ? "" : ", ", pos, parch, pvar.empty() ? "" : "/" + pvar);
    if (pos == os && parch == arch && (variant.empty() || pvar == variant)) return d;
  }
  return fail(Errc::not_found,
              "no image found in manifest list for architecture \"{}\", variant \"{}\", OS \"{}\" (offered: {})", arch,
              variant, os, offered);
}

ImageConfig decode_image_config(const Json& blob) {
  const Json& c = json_obj(blob, "config");
  auto keys = [](const Json& j) {
    std::vector<std::string> out;
    if (j.is_object())
      for (const auto& [k, v] : j.items()) out.push_back(k);
    return out;
  };
  ImageConfig ic;
  ic.user = json_str(c, "User");
  ic.workdir = json_str(c, "WorkingDir");
  ic.stop_signal = json_str(c, "StopSignal");
  ic.env = json_strings(json_obj(c, "Env"));
  ic.entrypoint = json_strings(json_obj(c, "Entrypoint"));
  ic.cmd = json_strings(json_obj(c, "Cmd"));
  if (json_obj(c, "Healthcheck").is_object()) ic.healthcheck = json_obj(c, "Healthcheck");
  ic.labels = json_string_map(json_obj(c, "Labels"));
  ic.volumes = keys(json_obj(c, "Volumes"));
  ic.exposed_ports = keys(json_obj(c, "ExposedPorts"));
  return ic;
}

Result<std::vector<DiffId>> config_diff_ids(const Json& config) {
  if (!config.is_object()) return fail(Errc::invalid_input, "image config is not a JSON object");
  for (const char* k : {"architecture", "os"})
    if (!json_obj(config, k).is_string() || json_str(config, k).empty())
      return fail(Errc::invalid_input, "image config has no {} (required by the OCI image spec)", k);
  if (json_str(json_obj(config, "rootfs"), "type") != "layers")
    return fail(Errc::invalid_input, "image config: rootfs.type is \"{}\", not \"layers\"",
                json_str(json_obj(config, "rootfs"), "type"));
  const Json& ids = json_obj(json_obj(config, "rootfs"), "diff_ids");
  if (!ids.is_array()) return fail(Errc::invalid_input, "image config has no rootfs.diff_ids");
  std::vector<DiffId> out;
  for (const auto& i : ids) {
    if (!i.is_string()) return fail(Errc::invalid_input, "image config: diff_id is not a string");
    out.push_back(DiffId{TRY(context(Digest::parse(i.get<std::string>()), "image config"))});
  }
  return out;
}

Result<Json> parse_command(std::string_view s) {
  s = trim(s);
  if (s.starts_with("[")) {
    auto j = parse_json(s, "command", 4);
    if (j && j->is_array() && std::all_of(j->begin(), j->end(), [](const Json& x) { return x.is_string(); })) return *j;
  }
  if (s.empty()) return fail(Errc::usage, "empty command");
  return Json::array({"/bin/sh", "-c", std::string(s)});
}

Result<Json> parse_healthcheck(std::string_view arg) {
  auto bad = [&](std::string_view why) { return fail(Errc::usage, "invalid HEALTHCHECK \"{}\": {}", arg, why); };
  std::string_view rest = trim(arg);
  if (rest == "NONE" || rest == "none") return Json{{"Test", Json::array({"NONE"})}};
  Json hc = Json::object();
  while (rest.starts_with("--")) {
    auto sp = rest.find_first_of(" \t");
    std::string_view opt = rest.substr(2, sp == std::string_view::npos ? rest.size() : sp - 2);
    rest = sp == std::string_view::npos ? std::string_view() : trim(rest.substr(sp));
    auto eq = opt.find('=');
    if (eq == std::string_view::npos) return bad(fmt::format("option --{} needs a value", opt));
    std::string key(opt.substr(0, eq)), value(opt.substr(eq + 1));
    if (key == "retries") {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 6)
        return bad("--retries needs a number");
      hc["Retries"] = std::stoi(value);
      continue;
    }
    const char* field = key == "interval"         ? "Interval"
                        : key == "timeout"        ? "Timeout"
                        : key == "start-period"   ? "StartPeriod"
                        : key == "start-interval" ? "StartInterval"
                                                  : nullptr;
    if (!field) return bad(fmt::format("unknown option --{}", key));
    auto ns = parse_duration_ns(value);
    if (!ns) return bad(fmt::format("--{} needs a duration", key));
    hc[field] = *ns;
  }
  auto sp = rest.find_first_of(" \t");
  std::string kind(rest.substr(0, sp));
  std::string_view cmd = sp == std::string_view::npos ? std::string_view() : trim(rest.substr(sp));
  if (kind != "CMD" && kind != "cmd") return bad("expected CMD or NONE");
  if (cmd.empty()) return bad("CMD needs a command");
  if (cmd.starts_with("[")) {
    auto j = parse_json(cmd, "HEALTHCHECK", 4);
    if (!j || !j->is_array() || j->empty()) return bad("CMD [...] must be a JSON array of strings");
    Json test = Json::array({"CMD"});
    for (const auto& a : *j) {
      if (!a.is_string()) return bad("CMD [...] must be a JSON array of strings");
      test.push_back(a);
    }
    hc["Test"] = test;
  } else {
    hc["Test"] = Json::array({"CMD-SHELL", std::string(cmd)});
  }
  return hc;
}

Result<void> apply_change(Json& config, std::string_view change) {
  change = trim(change);
  auto sp = change.find_first_of(" \t");
  std::string instr(change.substr(0, sp));
  std::transform(instr.begin(), instr.end(), instr.begin(), ::toupper);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : trim(change.substr(sp));
  if (!config.is_object()) return fail(Errc::invalid_input, "image config is not a JSON object");
  Json& cfg = config["config"];
  if (!cfg.is_object()) cfg = Json::object();
  // The image's own fields may have any JSON type: one of the wrong type is replaced.
  auto field = [&](const char* key, bool array) -> Json& {
    Json& f = cfg[key];
    if (array ? !f.is_array() : !f.is_object()) f = array ? Json::array() : Json::object();
    return f;
  };
  auto bad = [&](std::string_view why) {
    return fail(Errc::usage, "invalid change \"{}\": {}", std::string(change), why);
  };
  if (instr == "CMD" || instr == "ENTRYPOINT") {
    auto cmd = parse_command(arg);
    if (!cmd) return bad(cmd.error().message);
    cfg[instr == "CMD" ? "Cmd" : "Entrypoint"] = *cmd;
  } else if (instr == "ENV") {
    auto pairs = parse_pairs(arg, true);
    if (!pairs) return bad(pairs.error().message);
    for (auto& [k, v] : *pairs) set_env(cfg, k, v);
  } else if (instr == "LABEL") {
    auto pairs = parse_pairs(arg, true);
    if (!pairs) return bad(pairs.error().message);
    for (auto& [k, v] : *pairs) field("Labels", false)[k] = v;
  } else if (instr == "WORKDIR") {
    if (arg.empty()) return bad("needs a directory");
    cfg["WorkingDir"] = std::string(arg);
  } else if (instr == "USER") {
    if (arg.empty()) return bad("needs a user");
    cfg["User"] = std::string(arg);
  } else if (instr == "EXPOSE") {
    if (arg.empty()) return bad("needs a port");
    size_t i = 0;
    while (i < arg.size()) {
      size_t e = arg.find(' ', i);
      std::string port(arg.substr(i, e == std::string_view::npos ? e : e - i));
      i = e == std::string_view::npos ? arg.size() : e + 1;
      if (port.empty()) continue;
      if (port.find('/') == std::string::npos) port += "/tcp";
      field("ExposedPorts", false)[port] = Json::object();
    }
  } else if (instr == "VOLUME") {
    auto vols = parse_json(arg, "volume", 4);
    if (vols && vols->is_array()) {
      for (const auto& v : *vols)
        if (v.is_string()) field("Volumes", false)[v.get<std::string>()] = Json::object();
    } else {
      if (arg.empty()) return bad("needs a path");
      field("Volumes", false)[std::string(arg)] = Json::object();
    }
  } else if (instr == "STOPSIGNAL") {
    if (arg.empty()) return bad("needs a signal");
    cfg["StopSignal"] = std::string(arg);
  } else if (instr == "HEALTHCHECK") {
    auto hc = parse_healthcheck(arg);
    if (!hc) return std::unexpected(hc.error());
    cfg["Healthcheck"] = *hc;
  } else if (instr == "ONBUILD") {
    field("OnBuild", true).push_back(std::string(arg));
  } else {
    return bad(fmt::format("unknown instruction {}", instr));
  }
  return {};
}

namespace {

constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
constexpr const char* kDockerLayer = "application/vnd.docker.image.rootfs.diff.tar";
constexpr const char* kOciLayer = "application/vnd.oci.image.layer.v1.tar";
constexpr const char* kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

bool is_docker(std::string_view manifest_type) { return manifest_type == kDockerManifest; }

Result<std::string> layer_type_for(const std::string& t, bool docker) {
  bool gz = t.ends_with("gzip");
  bool zstd = t.ends_with("zstd");
  bool plain = t == kOciLayer || t == kDockerLayer;
  if (docker) {
    if (gz) return std::string(kDockerLayerGzip);
    if (plain) return std::string(kDockerLayer);
    return fail(Errc::unsupported, "a {} layer has no Docker v2 schema 2 form (use --format oci)", t);
  }
  if (gz) return std::string(kOciLayerGzip);
  if (plain) return std::string(kOciLayer);
  if (zstd) return t;
  return fail(Errc::unsupported, "unsupported layer media type \"{}\"", t);
}

}  // namespace

Result<std::pair<std::string, std::string>> convert_manifest(const std::string& bytes, const std::string& type,
                                                             bool want_docker) {
  if (want_docker == is_docker(type)) return std::pair{bytes, type.empty() ? std::string(kOciManifest) : type};
  auto j = TRY(parse_json(bytes, "stored manifest"));
  auto man = TRY(parse_manifest(j));
  Json layers = Json::array();
  for (auto& l : man.layers) {
    l.media_type = TRY(layer_type_for(l.media_type, want_docker));
    l.annotations = Json();
    layers.push_back(descriptor_to_json(l));
  }
  man.config.media_type = want_docker ? kDockerConfig : kOciConfig;
  std::string mt = want_docker ? kDockerManifest : kOciManifest;
  Json out = {{"schemaVersion", 2}, {"mediaType", mt}, {"config", descriptor_to_json(man.config)}, {"layers", layers}};
  return std::pair{dump_json(out), mt};
}

}  // namespace berth::image

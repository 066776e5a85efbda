// info (also system info): podman info's YAML, --format json, or a Go template over podman's
// field names (.Host.Arch, .Store.GraphRoot, .Host.IDMappings.UIDMap, ...).
#include <fmt/format.h>

#include "berth/core/template.hpp"
#include "berth/core/yaml.hpp"
#include "berth/engine/info.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

// A JSON key as podman's Go struct names the field: the first letter up, and the initialisms
// Go spells in capitals. Maps (graphStatus, registries) keep their keys.
std::string go_name(const std::string& key) {
  static const std::map<std::string, std::string> special = {
      {"cgroupVersion", "CgroupsVersion"},
      {"cpus", "CPUs"},
      {"cpuUtilization", "CPUUtilization"},
      {"idMappings", "IDMappings"},
      {"gidmap", "GIDMap"},
      {"uidmap", "UIDMap"},
      {"container_id", "ContainerID"},
      {"host_id", "HostID"},
      {"ociRuntime", "OCIRuntime"},
      {"slirp4netns", "Slirp4NetNS"},
      {"capabilities", "DefaultCapabilities"},
      {"seccompEnabled", "SECCOMPEnabled"},
      {"seccompProfilePath", "SECCOMPProfilePath"},
      {"selinuxEnabled", "SELinuxEnabled"},
      {"apparmorEnabled", "AppArmorEnabled"},
      {"os", "OS"},
  };
  if (auto it = special.find(key); it != special.end()) return it->second;
  std::string n = key;
  if (!n.empty()) n[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(n[0])));
  return n;
}

Json go_fields(const OrderedJson& j, bool is_map) {
  if (j.is_array()) {
    Json out = Json::array();
    for (const auto& v : j) out.push_back(go_fields(v, false));
    return out;
  }
  if (!j.is_object()) return Json::parse(j.dump());
  Json out = Json::object();
  for (const auto& [k, v] : j.items())
    out[is_map ? k : go_name(k)] = go_fields(v, k == "graphStatus" || k == "registries");
  return out;
}

}  // namespace

void add_info(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("-f,--format", *format, "Change the output format to JSON or a Go template");
  r.on(sub, [format](engine::GlobalOptions& g) -> Result<int> {
    std::optional<Template> tpl;
    if (!format->empty() && *format != "json") tpl = TRY(Template::parse(*format));
    auto c = TRY(engine::open_context(g));
    auto info = TRY(engine::system_info(c));
    if (format->empty())
      fmt::print("{}", yaml_dump(info));
    else if (!tpl)
      fmt::print("{}\n", dump_json(info, 4));
    else
      fmt::print("{}\n", tpl->render(go_fields(info, false)));
    return 0;
  });
}

// version: podman version's table (Client, Version, API Version, Go Version, Built, OS/Arch), or
// --format json / a template over {Client, Server} (both this build: berth has no server).
void add_version(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("-f,--format", *format, "Change the output format to JSON or a Go template");
  r.on(sub, [format](engine::GlobalOptions&) -> Result<int> {
    OrderedJson v = engine::version_info();
    if (format->empty()) {
      fmt::print(
          "Client:       berth\nVersion:      {}\nAPI Version:  {}\nGo Version:   {}\nBuilt:        {}\nOS/Arch:      "
          "{}\n",
          v["Version"].get<std::string>(), v["APIVersion"].get<std::string>(), v["GoVersion"].get<std::string>(),
          v["BuiltTime"].get<std::string>(), v["OsArch"].get<std::string>());
      return 0;
    }
    OrderedJson both = {{"Client", v}, {"Server", v}};
    if (*format == "json") {
      fmt::print("{}\n", dump_json(both, 4));
      return 0;
    }
    auto tpl = TRY(Template::parse(*format));
    fmt::print("{}\n", tpl.render(Json::parse(both.dump())));
    return 0;
  });
}

}  // namespace berth::cli

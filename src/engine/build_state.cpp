// berth build: what a build reads first (the Containerfile, the ignore file) and a stage's
// state as the instructions see it (its environment, ARGs, workdir, platform).
#include "berth/image/config.hpp"
#include "berth/sys/file.hpp"
#include "build_internal.hpp"

namespace berth::engine {

const std::set<std::string> kProxyArgs = {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                                          "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

Result<std::optional<std::pair<std::string, std::string>>> read_first(const std::string& given,
                                                                      const std::vector<std::string>& defaults,
                                                                      std::string_view what) {
  for (const auto& p : given.empty() ? defaults : std::vector<std::string>{given}) {
    auto text = sys::read_host_file(p, 16 << 20);
    if (text) return std::pair{*text, p};
    if (!given.empty()) return std::unexpected(with_context(text.error(), what));
  }
  return std::nullopt;
}

Result<std::pair<std::string, std::string>> read_containerfile(const BuildOptions& o) {
  if (o.file == "-") return std::pair{TRY(sys::read_all(0, 16 << 20)), std::string("Containerfile")};
  auto found = TRY(read_first(o.file, {o.context + "/Containerfile", o.context + "/Dockerfile"}, "the Containerfile"));
  if (found) return std::pair{found->first, found->second.substr(found->second.rfind('/') + 1)};
  return fail(Errc::usage,
              "no Containerfile or Dockerfile specified or found in context directory, {}: no such file or directory",
              sys::abs_path(o.context));
}

std::map<std::string, std::string> platform_args(const PullRequest& target) {
  std::string arch = target.arch.empty() ? image::host_arch() : target.arch;
  std::string os = target.arch.empty() ? "linux" : target.os;
  std::string platform = os + "/" + arch + (target.variant.empty() ? "" : "/" + target.variant);
  return {{"TARGETOS", os},
          {"TARGETARCH", arch},
          {"TARGETVARIANT", target.variant},
          {"BUILDOS", "linux"},
          {"BUILDARCH", image::host_arch()},
          {"TARGETPLATFORM", platform},
          {"BUILDPLATFORM", "linux/" + image::host_arch()}};
}

std::optional<std::string> StageState::lookup(std::string_view k) const {
  for (const auto& e : env())
    if (e.size() > k.size() && e.compare(0, k.size(), k) == 0 && e[k.size()] == '=') return e.substr(k.size() + 1);
  if (auto it = args.find(std::string(k)); it != args.end()) return it->second;
  return std::nullopt;
}

std::vector<std::string> StageState::env() const {
  std::vector<std::string> out;
  if (cfg.contains("config") && cfg["config"].is_object() && cfg["config"].contains("Env") &&
      cfg["config"]["Env"].is_array())
    for (const auto& e : cfg["config"]["Env"])
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::vector<std::string> StageState::run_env() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : args)
    if (v && !lookup_env_only(k)) out.push_back(k + "=" + *v);
  return out;
}

bool StageState::lookup_env_only(const std::string& k) const {
  for (const auto& e : env())
    if (e.size() > k.size() && e.compare(0, k.size(), k) == 0 && e[k.size()] == '=') return true;
  return false;
}

std::string StageState::workdir() const {
  if (cfg.contains("config") && cfg["config"].is_object() && cfg["config"].contains("WorkingDir") &&
      cfg["config"]["WorkingDir"].is_string() && !cfg["config"]["WorkingDir"].get<std::string>().empty())
    return cfg["config"]["WorkingDir"].get<std::string>();
  return "/";
}

void set_env(Json& cfg, const std::string& key, const std::string& value) {
  Json& c = cfg["config"];
  if (!c.is_object()) c = Json::object();
  Json& env = c["Env"];
  if (!env.is_array()) env = Json::array();
  std::string entry = key + "=" + value;
  for (auto& e : env)
    if (e.is_string() && e.get<std::string>().starts_with(key + "=")) {
      e = entry;
      return;
    }
  env.push_back(entry);
}

}  // namespace berth::engine

// berth build: a stage's state as the instructions see it (its environment, ARGs, workdir).
#include "build_internal.hpp"

namespace berth::engine {

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

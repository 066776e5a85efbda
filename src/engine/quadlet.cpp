#include "berth/engine/quadlet.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "berth/core/log.hpp"
#include "berth/engine/run.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

namespace {

// Quadlet's Health*= keys: the berth flag each one stands for ("" for other keys).
std::string health_flag(const std::string& key) {
  static const std::pair<const char*, const char*> keys[] = {{"HealthCmd", "--health-cmd"},
                                                             {"HealthInterval", "--health-interval"},
                                                             {"HealthRetries", "--health-retries"},
                                                             {"HealthTimeout", "--health-timeout"},
                                                             {"HealthStartPeriod", "--health-start-period"},
                                                             {"HealthOnFailure", "--health-on-failure"},
                                                             {"HealthMaxLogCount", "--health-max-log-count"},
                                                             {"HealthMaxLogSize", "--health-max-log-size"}};
  for (const auto& [k, f] : keys)
    if (key == k) return f;
  return "";
}

struct Section {
  std::string name;
  std::vector<std::pair<std::string, std::string>> entries;  // in order; keys may repeat
};

// The systemd unit file syntax: [Section], Key=Value, # and ; comments, trailing-backslash
// continuation lines.
Result<std::vector<Section>> parse_unit(std::string_view text, std::string_view what) {
  std::vector<Section> out;
  std::istringstream in{std::string(text)};
  std::string line, pending;
  int n = 0;
  while (std::getline(in, line)) {
    n++;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!pending.empty()) {
      line = pending + " " + line;
      pending.clear();
    }
    std::string_view l = line;
    while (!l.empty() && std::isspace(static_cast<unsigned char>(l.front()))) l.remove_prefix(1);
    if (l.empty() || l.front() == '#' || l.front() == ';') continue;
    if (l.back() == '\\') {
      pending = std::string(l.substr(0, l.size() - 1));
      continue;
    }
    if (l.front() == '[') {
      if (l.back() != ']') return fail(Errc::invalid_input, "{}: line {}: bad section header", what, n);
      out.push_back({std::string(l.substr(1, l.size() - 2)), {}});
      continue;
    }
    auto eq = l.find('=');
    if (eq == std::string_view::npos) return fail(Errc::invalid_input, "{}: line {}: expected Key=Value", what, n);
    if (out.empty()) return fail(Errc::invalid_input, "{}: line {}: a key outside any section", what, n);
    std::string key(l.substr(0, eq)), value(l.substr(eq + 1));
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(0, 1);
    out.back().entries.emplace_back(key, value);
  }
  return out;
}

std::string join_quoted(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += " " + systemd_quote(a);
  return s;
}

}  // namespace

Result<std::vector<std::string>> split_unit_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
    if (i >= s.size()) break;
    std::string word;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
      char c = s[i];
      if (c == '"' || c == '\'') {
        size_t end = i + 1;
        while (end < s.size() && s[end] != c) {
          if (s[end] == '\\' && c == '"' && end + 1 < s.size()) {
            word += s[end + 1];
            end += 2;
            continue;
          }
          word += s[end++];
        }
        if (end >= s.size()) return fail(Errc::invalid_input, "unterminated quote in \"{}\"", std::string(s));
        i = end + 1;
      } else if (c == '\\' && i + 1 < s.size()) {
        word += s[i + 1];
        i += 2;
      } else {
        word += c;
        i++;
      }
    }
    out.push_back(std::move(word));
  }
  return out;
}

namespace {

// What a [Container] group asks for: the image, the command, the run flags.
struct ContainerGroup {
  std::string image, name = "systemd-%N", notify = "conmon";
  std::vector<std::string> flags, exec;
  std::string source_path;             // the .container file: .volume/.network files are beside it
  std::vector<std::string> requires_;  // units of the .volume/.network files it names
};

// NAME.volume / NAME.network named by a .container key: the volume's or network's name (its
// VolumeName= / NetworkName=, else systemd-NAME, as Quadlet) and the unit that makes it.
Result<std::string> resource_ref(const std::string& ref, ContainerGroup& g) {
  bool volume = ref.ends_with(".volume");
  std::string base = ref.substr(0, ref.rfind('.'));
  std::string dir = g.source_path.substr(0, g.source_path.rfind('/') + 1);
  g.requires_.push_back(base + (volume ? "-volume.service" : "-network.service"));
  auto text = sys::read_host_file(dir + ref, 1 << 20);
  if (!text) return "systemd-" + base;
  for (const auto& sec : TRY(parse_unit(*text, ref)))
    for (const auto& [k, v] : sec.entries)
      if (k == (volume ? "VolumeName" : "NetworkName")) return v;
  return "systemd-" + base;
}

// One key of a [Container] group into `g`; an unknown key is an error, as Quadlet's.
Result<void> container_key(const std::string& k, const std::string& v, std::string_view file_name, ContainerGroup& g) {
  auto words = [&]() { return split_unit_words(v); };
  auto add = [&](const char* flag, const std::string& value) { g.flags.insert(g.flags.end(), {flag, value}); };
  if (k == "Image")
    g.image = v;
  else if (k == "Exec")
    g.exec = TRY(words());
  else if (k == "ContainerName")
    g.name = v;
  else if (k == "Environment")
    for (auto& w : TRY(words())) add("--env", w);
  else if (k == "EnvironmentFile")
    add("--env-file", v);
  else if (k == "Volume") {
    auto colon = v.find(':');
    std::string src = v.substr(0, colon);
    add("-v", src.ends_with(".volume") ? TRY(resource_ref(src, g)) + v.substr(src.size()) : v);
  } else if (k == "Network")
    add("--network", v.ends_with(".network") ? TRY(resource_ref(v, g)) : v);
  else if (k == "PublishPort")
    add("-p", v);
  else if (k == "Mount")
    add("--mount", v);
  else if (k == "Tmpfs")
    add("--tmpfs", v);
  else if (k == "User")
    add("--user", v);
  else if (k == "WorkingDir")
    add("-w", v);
  else if (k == "Label")
    for (auto& w : TRY(words())) add("--label", w);
  else if (k == "Notify")
    g.notify = v == "healthy" ? "healthy" : (v == "true" || v == "yes" || v == "1") ? "container" : "conmon";
  else if (auto hf = health_flag(k); !hf.empty())
    g.flags.insert(g.flags.end(), {hf, v});
  else if (k == "ReadOnly") {
    if (v == "true" || v == "yes" || v == "1") g.flags.push_back("--read-only");
  } else if (k == "AddCapability")
    for (auto& w : TRY(words())) add("--cap-add", w);
  else if (k == "DropCapability")
    for (auto& w : TRY(words())) add("--cap-drop", w);
  else if (k == "PodmanArgs" || k == "BerthArgs")
    for (auto& w : TRY(words())) g.flags.push_back(w);
  else
    return fail(Errc::invalid_input, "{}: unsupported key '{}' in group 'Container'", file_name, k);
  return {};
}

}  // namespace

namespace {

// A unit file split into what is copied through ([Unit], [Service], [Install]) and the entries of
// its Quadlet group ([Container], [Kube], [Volume], [Network]).
struct UnitParts {
  std::string unit, service, install;
  std::vector<std::pair<std::string, std::string>> group;
  std::vector<std::string> wanted_by, required_by;
};

Result<UnitParts> split_parts(std::string_view text, std::string_view file_name, const std::string& group) {
  UnitParts u;
  bool has_group = false;
  for (const auto& sec : TRY(parse_unit(text, file_name))) {
    if (sec.name == "Unit" || sec.name == "Service" || sec.name == "Install") {
      std::string& part = sec.name == "Unit" ? u.unit : sec.name == "Service" ? u.service : u.install;
      for (const auto& [k, v] : sec.entries) {
        part += k + "=" + v + "\n";
        if (sec.name == "Install" && (k == "WantedBy" || k == "RequiredBy"))
          for (auto& t : TRY(split_unit_words(v))) (k == "WantedBy" ? u.wanted_by : u.required_by).push_back(t);
      }
      continue;
    }
    if (sec.name != group) return fail(Errc::invalid_input, "{}: unsupported section [{}]", file_name, sec.name);
    has_group = true;
    u.group.insert(u.group.end(), sec.entries.begin(), sec.entries.end());
  }
  if (!has_group) return fail(Errc::invalid_input, "{}: no [{}] group", file_name, group);
  return u;
}

// %t and %N are systemd's: not quoted away (systemd_quote doubles %).
std::string command_line(const std::string& berth, const std::vector<std::string>& args) {
  std::string line = berth + join_quoted(args);
  for (const char* spec : {"%%t", "%%N", "%%n"}) {
    std::string esc(spec), raw(spec + 1);
    for (size_t p; (p = line.find(esc)) != std::string::npos;) line.replace(p, esc.size(), raw);
  }
  return line;
}

QuadletUnit finish(const UnitParts& p, std::string service_name, const std::string& source_path,
                   const std::vector<std::string>& requires_, const std::string& service_body) {
  std::string deps;
  for (const auto& r : requires_) deps += "Requires=" + r + "\nAfter=" + r + "\n";
  QuadletUnit u{std::move(service_name), "", p.wanted_by, p.required_by};
  u.text = fmt::format(
      "# Automatically generated by berth (quadlet) from {}\n\n[Unit]\n{}{}SourcePath={}\n"
      "RequiresMountsFor=%t/containers\n\n[Service]\n{}{}{}",
      source_path, p.unit, deps, source_path, service_body, p.service,
      p.install.empty() ? "" : "\n[Install]\n" + p.install);
  return u;
}

bool truthy(const std::string& v) { return v == "true" || v == "yes" || v == "1"; }

// A one-shot unit that makes a volume or network (and leaves it when stopped, as Quadlet's).
Result<QuadletUnit> quadlet_resource(std::string_view file_name, std::string_view text, const std::string& berth,
                                     const std::string& source_path, bool volume) {
  std::string base(file_name.substr(0, file_name.rfind('.')));
  auto p = TRY(split_parts(text, file_name, volume ? "Volume" : "Network"));
  std::string name = "systemd-" + base;
  std::vector<std::string> args = {volume ? "volume" : "network", "create", "--ignore"};
  for (const auto& [k, v] : p.group) {
    if (k == (volume ? "VolumeName" : "NetworkName"))
      name = v;
    else if (k == "Label")
      for (auto& w : TRY(split_unit_words(v))) args.insert(args.end(), {"--label", w});
    else if (k == "Options" && volume)
      args.insert(args.end(), {"--opt", v});
    else if (k == "Driver")
      args.insert(args.end(), {"--driver", v});
    else if (!volume && (k == "Subnet" || k == "Gateway" || k == "IPRange"))
      args.insert(args.end(), {k == "Subnet" ? "--subnet" : k == "Gateway" ? "--gateway" : "--ip-range", v});
    else if (!volume && (k == "Internal" || k == "DisableDNS")) {
      if (truthy(v)) args.push_back(k == "Internal" ? "--internal" : "--disable-dns");
    } else if (!volume && k == "Options")
      args.insert(args.end(), {"--opt", v});
    else
      return fail(Errc::invalid_input, "{}: unsupported key '{}' in group '{}'", file_name, k,
                  volume ? "Volume" : "Network");
  }
  args.push_back(name);
  return finish(
      p, base + (volume ? "-volume.service" : "-network.service"), source_path, {},
      fmt::format("ExecStart={}\nType=oneshot\nRemainAfterExit=yes\nSyslogIdentifier=%N\n", command_line(berth, args)));
}

}  // namespace

Result<QuadletUnit> quadlet_container(std::string_view file_name, std::string_view text, const std::string& berth,
                                      const std::string& source_path) {
  std::string base(file_name.substr(0, file_name.rfind('.')));
  auto p = TRY(split_parts(text, file_name, "Container"));
  ContainerGroup g;
  g.source_path = source_path;
  for (const auto& [k, v] : p.group) TRY(container_key(k, v, file_name, g));
  if (g.image.empty()) return fail(Errc::invalid_input, "{}: no Image key specified", file_name);
  std::vector<std::string> run = {
      "run", "--name=" + g.name, "--cidfile=%t/%N.cid", "--replace", "--rm", "--sdnotify=" + g.notify, "-d"};
  run.insert(run.end(), g.flags.begin(), g.flags.end());
  run.push_back(g.image);
  run.insert(run.end(), g.exec.begin(), g.exec.end());
  return finish(
      p, base + ".service", source_path, g.requires_,
      fmt::format("Environment=BERTH_SYSTEMD_UNIT=%n\nKillMode=mixed\n"
                  "ExecStop={} rm -v -f -i --cidfile=%t/%N.cid\nExecStopPost=-{} rm -v -f -i --cidfile=%t/%N.cid\n"
                  "Type=notify\nNotifyAccess=all\nSyslogIdentifier=%N\nExecStart={}\n",
                  berth, berth, command_line(berth, run)));
}

Result<QuadletUnit> quadlet_kube(std::string_view file_name, std::string_view text, const std::string& berth,
                                 const std::string& source_path) {
  std::string base(file_name.substr(0, file_name.rfind('.')));
  auto p = TRY(split_parts(text, file_name, "Kube"));
  std::string yaml;
  std::vector<std::string> play = {"kube", "play", "--replace"};
  ContainerGroup refs;
  refs.source_path = source_path;
  for (const auto& [k, v] : p.group) {
    if (k == "Yaml")
      yaml = v.starts_with("/") ? v : source_path.substr(0, source_path.rfind('/') + 1) + v;
    else if (k == "ConfigMap")
      play.insert(play.end(),
                  {"--configmap", v.starts_with("/") ? v : source_path.substr(0, source_path.rfind('/') + 1) + v});
    else if (k == "Network")
      play.insert(play.end(), {"--network", v.ends_with(".network") ? TRY(resource_ref(v, refs)) : v});
    else if (k == "PublishPort")
      play.insert(play.end(), {"--publish", v});
    else if (k == "PodmanArgs" || k == "BerthArgs")
      for (auto& w : TRY(split_unit_words(v))) play.push_back(w);
    else
      return fail(Errc::invalid_input, "{}: unsupported key '{}' in group 'Kube'", file_name, k);
  }
  if (yaml.empty()) return fail(Errc::invalid_input, "{}: no Yaml key specified", file_name);
  play.push_back(yaml);
  // kube play returns once the pods run (each container under its own monitor): a one-shot
  // unit that stays active, whose stop is kube down.
  return finish(p, base + ".service", source_path, refs.requires_,
                fmt::format("Environment=BERTH_SYSTEMD_UNIT=%n\nKillMode=mixed\nType=oneshot\nRemainAfterExit=yes\n"
                            "SyslogIdentifier=%N\nExecStart={}\nExecStop={}\n",
                            command_line(berth, play), command_line(berth, {"kube", "down", yaml})));
}

Result<QuadletUnit> quadlet_unit(std::string_view file_name, std::string_view text, const std::string& berth,
                                 const std::string& source_path) {
  if (file_name.ends_with(".kube")) return quadlet_kube(file_name, text, berth, source_path);
  if (file_name.ends_with(".volume")) return quadlet_resource(file_name, text, berth, source_path, true);
  if (file_name.ends_with(".network")) return quadlet_resource(file_name, text, berth, source_path, false);
  return quadlet_container(file_name, text, berth, source_path);
}

Result<int> quadlet_generate(const std::string& out_dir, bool user, const std::string& berth) {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("QUADLET_UNIT_DIRS"); env && *env) {
    std::string all = env;
    size_t start = 0;
    while (start <= all.size()) {
      size_t colon = all.find(':', start);
      std::string d = all.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!d.empty()) dirs.push_back(d);
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  } else if (user) {
    const char* home = std::getenv("HOME");
    if (home) dirs.push_back(std::string(home) + "/.config/containers/systemd");
  } else {
    dirs = {"/etc/containers/systemd", "/usr/share/containers/systemd"};
  }
  std::map<std::string, std::string> files;  // first directory wins for a name
  for (const auto& d : dirs) {
    auto names = sys::list_host_dir(d);
    if (!names) continue;
    for (const auto& n : *names)
      if ((n.ends_with(".container") || n.ends_with(".kube") || n.ends_with(".volume") || n.ends_with(".network")) &&
          !files.count(n))
        files[n] = d + "/" + n;
  }
  int written = 0;
  for (const auto& [n, path] : files) {
    auto text = sys::read_host_file(path, 1 << 20);
    auto unit = text ? quadlet_unit(n, *text, berth, path) : Result<QuadletUnit>(std::unexpected(text.error()));
    if (!unit) {
      // One bad file never fails the whole boot: it is skipped, and said.
      fmt::print(stderr, "berth-generator: skipping {}: {}\n", path, unit.error().message);
      continue;
    }
    std::ofstream out(out_dir + "/" + unit->service_name);
    out << unit->text;
    out.close();
    if (!out) {
      fmt::print(stderr, "berth-generator: cannot write {}/{}\n", out_dir, unit->service_name);
      continue;
    }
    for (const auto& [targets, kind] :
         {std::pair{&unit->wanted_by, ".wants"}, std::pair{&unit->required_by, ".requires"}})
      for (const auto& t : *targets) {
        std::string dir = out_dir + "/" + t + kind;
        ::mkdir(dir.c_str(), 0755);
        std::string link = dir + "/" + unit->service_name;
        ::unlink(link.c_str());
        if (::symlink(("../" + unit->service_name).c_str(), link.c_str()) != 0)
          fmt::print(stderr, "berth-generator: cannot link {}: {}\n", link, errno_text(errno));
      }
    written++;
  }
  return written;
}

}  // namespace berth::engine

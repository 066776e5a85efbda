// generate systemd: units for containers, in the shape of podman generate systemd. Without
// --new the unit starts and stops the existing container (berth start hands the unit over
// to the container's monitor with MAINPID and READY=1); with --new it runs the container's
// create command anew (--rm, --replace, --cidfile in the unit's runtime dir) and removes it
// after.
#include <unistd.h>

#include <climits>
#include <ctime>
#include <set>

#include "berth/engine/run.hpp"
#include "berth/store/containers.hpp"

namespace berth::engine {

namespace {

// The create command's flags (before IMAGE) minus those the unit sets itself.
Result<std::vector<std::string>> replayed_args(const store::ContainerConfig& conf) {
  const std::vector<std::string>& cmd = conf.create_command;
  int image_at = conf.create_image_index;
  if (image_at < 0 || image_at >= static_cast<int>(cmd.size()))
    return fail(Errc::unsupported, "container {} was not created by a berth that records its command; --new needs it",
                conf.name);
  std::vector<std::string> a = cmd;
  // Skip argv[0], global flags and the run/create word.
  size_t i = 1;
  while (i < a.size() && a[i].starts_with("-")) {
    bool with_value = (a[i] == "--root" || a[i] == "--runroot" || a[i] == "--log-level");
    i += with_value ? 2 : 1;
  }
  if (i < a.size() && a[i] == "container") i++;
  i++;  // run / create
  static const std::set<std::string> dropped_flags = {"-d", "--detach", "--rm", "--replace"};
  static const std::set<std::string> dropped_options = {"--cidfile", "--sdnotify", "--restart"};
  std::vector<std::string> out;
  for (size_t k = i; k < a.size(); k++) {
    if (static_cast<int>(k) < image_at) {
      const std::string& f = a[k];
      std::string name = f.substr(0, f.find('='));
      if (dropped_flags.count(f)) continue;
      if (dropped_options.count(name)) {
        if (f.find('=') == std::string::npos) k++;
        continue;
      }
    }
    out.push_back(a[k]);
  }
  return out;
}

}  // namespace

std::string berth_command(const std::string& root, const std::string& runroot) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string cmd = systemd_quote(n > 0 ? std::string(buf, static_cast<size_t>(n)) : "/usr/local/bin/berth");
  if (!root.empty()) cmd += " --root " + systemd_quote(root);
  if (!runroot.empty()) cmd += " --runroot " + systemd_quote(runroot);
  return cmd;
}

std::string systemd_quote(std::string_view arg) {
  std::string esc;
  bool quote = arg.empty();
  for (char ch : arg) {
    if (ch == '%')
      esc += "%%";
    else if (ch == '$')
      esc += "$$";
    else if (ch == '\\' || ch == '"') {
      esc += '\\';
      esc += ch;
      quote = true;
    } else if (ch == '\n') {
      esc += "\\n";
      quote = true;
    } else {
      if (ch == ' ' || ch == '\t' || ch == '\'' || ch == ';') quote = true;
      esc += ch;
    }
  }
  return quote ? "\"" + esc + "\"" : esc;
}

Result<std::vector<GeneratedUnit>> generate_systemd(Context& c, const GenerateSystemdOptions& o) {
  if (o.containers.empty()) return fail(Errc::usage, "generate systemd needs a container");
  auto policy = TRY(parse_restart_policy(o.restart_policy));
  std::string berth = berth_command(c.store.paths().root, c.store.paths().runroot);
  auto join = [](const std::vector<std::string>& args) {
    std::string s;
    for (const auto& a : args) s += " \\\n\t" + systemd_quote(a);
    return s;
  };
  std::vector<GeneratedUnit> out;
  for (const auto& key : o.containers) {
    std::string id = TRY(container_id(c, key));
    auto rec = TRY(store::read_container(c.store, id));
    std::string name = rec.config.name;
    std::string ident = o.use_name ? name : id;
    int stop_timeout = o.stop_timeout.value_or(rec.config.stop_timeout);
    GeneratedUnit u;
    u.name = o.prefix + o.separator + ident + ".service";
    std::string service;
    if (o.recreate) {
      std::vector<std::string> args = TRY(replayed_args(rec.config));
      service = fmt::format(
          "Environment=BERTH_SYSTEMD_UNIT=%n\n"
          "ExecStart={} run \\\n\t--cidfile=%t/%n.ctr-id \\\n\t--rm \\\n\t--sdnotify=conmon \\\n\t--replace "
          "\\\n\t-d{}\n"
          "ExecStop={} stop \\\n\t--ignore -t {} \\\n\t--cidfile=%t/%n.ctr-id\n"
          "ExecStopPost={} rm \\\n\t-f \\\n\t--ignore \\\n\t--cidfile=%t/%n.ctr-id\n",
          berth, join(args), berth, stop_timeout, berth);
    } else {
      service = fmt::format(
          "ExecStart={} start {}\nExecStop={} stop \\\n\t--ignore -t {} {}\n"
          "ExecStopPost={} stop \\\n\t--ignore -t {} {}\n",
          berth, systemd_quote(ident), berth, stop_timeout, systemd_quote(ident), berth, stop_timeout,
          systemd_quote(ident));
    }
    std::string env;
    for (const auto& e : o.env) {
      if (e.find('=') != std::string::npos)
        env += fmt::format("Environment={}\n", systemd_quote(e));
      else if (const char* v = std::getenv(e.c_str()))
        env += fmt::format("Environment={}\n", systemd_quote(e + "=" + v));
    }
    u.text = fmt::format(
        "# {}\n# autogenerated by berth {}\n\n"
        "[Unit]\nDescription=berth {}\nDocumentation=man:berth-generate-systemd(1)\n"
        "Wants=network-online.target\nAfter=network-online.target\n\n"
        "[Service]\n{}{}TimeoutStopSec={}\n{}Type=notify\nNotifyAccess=all\n\n"
        "[Install]\nWantedBy=default.target\n",
        u.name, BERTH_VERSION, u.name, env,
        policy.name == "no" ? ""
                            : fmt::format("Restart={}\n", policy.name == "unless-stopped" ? "always" : policy.name),
        60 + stop_timeout, service);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace berth::engine

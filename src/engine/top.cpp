// top: the container's processes, with podman top's descriptors, read from /proc.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "berth/engine/run.hpp"
#include "berth/store/containers.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/userns.hpp"

namespace berth::engine {

namespace {

std::string read_proc(const std::string& path) { return sys::read_host_file(path, 1 << 20).value_or(""); }

std::string duration_text(double s) {
  long t = static_cast<long>(s);
  if (t < 60) return fmt::format("{}s", t);
  if (t < 3600) return fmt::format("{}m{}s", t / 60, t % 60);
  return fmt::format("{}h{}m{}s", t / 3600, (t / 60) % 60, t % 60);
}

}  // namespace

namespace {

// podman top's descriptors (psgo's names and headers) that berth knows.
const std::vector<std::pair<std::string, std::string>> kTopDescriptors = {
    {"user", "USER"},     {"pid", "PID"},     {"ppid", "PPID"},   {"pcpu", "%CPU"},
    {"etime", "ELAPSED"}, {"tty", "TTY"},     {"time", "TIME"},   {"args", "COMMAND"},
    {"comm", "COMMAND"},  {"group", "GROUP"}, {"nice", "NI"},     {"state", "STATE"},
    {"vsz", "VSZ"},       {"hpid", "HPID"},   {"huser", "HUSER"}, {"seccomp", "SECCOMP"},
};

// name -> id from a passwd or group file's text (name:x:id:...)
std::map<std::string, std::string> id_names(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    i = j + 1;
    auto a = line.find(':'), b = line.find(':', a + 1), cc = line.find(':', b + 1);
    if (a != std::string::npos && b != std::string::npos && cc != std::string::npos)
      out[line.substr(b + 1, cc - b - 1)] = line.substr(0, a);
  }
  return out;
}

}  // namespace

namespace {

// "pid,args" or "pid args" -> the descriptors, each one podman's top knows; none: its default.
Result<std::vector<std::string>> top_columns(const std::vector<std::string>& descriptors) {
  std::vector<std::string> want;
  for (const auto& d : descriptors) {
    size_t i = 0;
    while (i <= d.size()) {
      size_t j = d.find(',', i);
      if (j == std::string::npos) j = d.size();
      std::string w = d.substr(i, j - i);
      if (!w.empty()) {
        bool known = false;
        for (const auto& [n, h] : kTopDescriptors) known = known || n == w;
        if (!known) return fail(Errc::usage, "unknown descriptor: {}", w);
        want.push_back(w);
      }
      i = j + 1;
    }
  }
  if (want.empty()) want = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"};
  return want;
}

// What top needs to describe the processes of one pid namespace.
struct TopContext {
  struct stat ns;  // the container's pid namespace
  std::map<std::string, std::string> users, groups;
  long hz;
  double uptime;
};

// A field of a /proc/PID/status text ("Uid", "NSpid", ...), leading blanks dropped.
std::string status_field(const std::string& status, const std::string& k) {
  auto p = status.find("\n" + k + ":");
  if (p == std::string::npos) return "";
  auto e = status.find('\n', p + 1);
  std::string v = status.substr(p + k.size() + 2, e - p - k.size() - 2);
  while (!v.empty() && (v.front() == '\t' || v.front() == ' ')) v.erase(0, 1);
  return v;
}

// The last word of a field (the pid inside the innermost namespace, of NSpid).
std::string last_word(const std::string& v) {
  auto sp = v.find_last_of("\t ");
  return sp == std::string::npos ? v : v.substr(sp + 1);
}

// The parent's pid as the container sees it; 0 when the parent is outside (as podman shows).
std::string container_ppid(const std::string& ppid, const TopContext& t) {
  std::string v = last_word(status_field(read_proc("/proc/" + ppid + "/status"), "NSpid"));
  struct stat pst;
  bool inside = ::stat(("/proc/" + ppid + "/ns/pid").c_str(), &pst) == 0 && pst.st_ino == t.ns.st_ino;
  return inside && !v.empty() ? v : "0";
}

// Every descriptor's value for host pid `name`, in the container's view; nothing when the
// process is not in the container's pid namespace (or is gone).
std::optional<std::map<std::string, std::string>> top_row(const std::string& name, const TopContext& t) {
  struct stat st;
  if (::stat(("/proc/" + name + "/ns/pid").c_str(), &st) < 0 || st.st_ino != t.ns.st_ino || st.st_dev != t.ns.st_dev)
    return std::nullopt;
  std::string status = read_proc("/proc/" + name + "/status");
  std::string uid = status_field(status, "Uid"), gid = status_field(status, "Gid");
  uid = uid.substr(0, uid.find_first_of("\t "));
  gid = gid.substr(0, gid.find_first_of("\t "));
  std::string stat_text = read_proc("/proc/" + name + "/stat");
  std::vector<std::string> f;  // f[0] is field 3 (state): ppid f[1], tty f[4], utime f[11], stime f[12], start f[19]
  for (size_t i = stat_text.rfind(')') + 2; i < stat_text.size();) {
    size_t j = stat_text.find(' ', i);
    if (j == std::string::npos) j = stat_text.size();
    f.push_back(stat_text.substr(i, j - i));
    i = j + 1;
  }
  if (f.size() < 21) return std::nullopt;
  double cpu = (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) / static_cast<double>(t.hz);
  double elapsed = t.uptime - std::atof(f[19].c_str()) / static_cast<double>(t.hz);
  int tty = std::atoi(f[4].c_str());
  std::string cmd = read_proc("/proc/" + name + "/cmdline");
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
  struct stat host {};
  ::stat(("/proc/" + name).c_str(), &host);
  std::string comm = read_proc("/proc/" + name + "/comm");
  while (!comm.empty() && comm.back() == '\n') comm.pop_back();
  std::string seccomp = status_field(status, "Seccomp");
  return std::map<std::string, std::string>{
      {"user", t.users.count(uid) ? t.users.at(uid) : uid},
      {"group", t.groups.count(gid) ? t.groups.at(gid) : gid},
      {"pid", last_word(status_field(status, "NSpid"))},
      {"ppid", container_ppid(f[1], t)},
      {"pcpu", fmt::format("{:.3f}", elapsed > 0 ? 100.0 * cpu / elapsed : 0.0)},
      {"etime", duration_text(elapsed)},
      {"tty", tty ? fmt::format("pts/{}", (tty & 0xff) | ((tty >> 12) & 0xfff00)) : "?"},
      {"time", duration_text(cpu)},
      {"args", cmd.empty() ? "[" + comm + "]" : cmd},
      {"comm", comm},
      {"nice", f[16]},
      {"state", f[0]},
      {"vsz", std::to_string(std::atoll(f[20].c_str()) / 1024)},
      {"hpid", name},
      {"huser", std::to_string(host.st_uid)},
      {"seccomp", seccomp == "2"   ? "filter"
                  : seccomp == "1" ? "strict"
                                   : "disabled"},
  };
}

}  // namespace

Result<std::vector<std::vector<std::string>>> container_top(Context& c, const std::string& key,
                                                            const std::vector<std::string>& descriptors) {
  auto want_cols = TRY(top_columns(descriptors));
  std::string id = TRY(container_id(c, key));
  auto rec = TRY(store::read_container(c.store, id));
  if (!rec.state.alive())
    return fail(Errc::system, "top can only be used on running containers: container state improper");
  int init = rec.state.pid;
  // Rootless: only from inside the container's user namespace may its processes be inspected.
  if (sys::rootless_pending()) TRY(sys::join_userns_of(init));
  TopContext t;
  if (::stat(fmt::format("/proc/{}/ns/pid", init).c_str(), &t.ns) < 0)
    return fail_errno("the container's pid namespace");
  // Users and groups by id from the container's /etc/passwd and /etc/group, read inside its root.
  t.users = id_names(read_proc(fmt::format("/proc/{}/root/etc/passwd", init)));
  t.groups = id_names(read_proc(fmt::format("/proc/{}/root/etc/group", init)));
  t.hz = ::sysconf(_SC_CLK_TCK);
  t.uptime = std::atof(read_proc("/proc/uptime").c_str());
  std::vector<std::vector<std::string>> rows(1);
  for (const auto& w : want_cols)
    for (const auto& [n, h] : kTopDescriptors)
      if (n == w) rows[0].push_back(h);
  std::vector<std::pair<int, std::vector<std::string>>> procs;
  for (const auto& name : TRY(sys::list_host_dir("/proc"))) {
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto v = top_row(name, t);
    if (!v) continue;
    std::vector<std::string> row;
    for (const auto& w : want_cols) row.push_back((*v)[w]);
    procs.emplace_back(std::atoi((*v)["pid"].c_str()), std::move(row));
  }
  std::sort(procs.begin(), procs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [pid, row] : procs) rows.push_back(std::move(row));
  return rows;
}

}  // namespace berth::engine

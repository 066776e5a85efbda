#include "berth/registry/auth.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

#include "berth/core/digest.hpp"
#include "berth/core/json.hpp"
#include "berth/sys/file.hpp"
#include "berth/sys/lock.hpp"
#include "berth/sys/userns.hpp"

namespace berth::registry {

namespace {

bool is_token_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$%&'*+-.^_`|~", c); }

std::string lower(std::string_view s) {
  std::string o(s);
  for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

uid_t host_uid() {
  if (sys::rootless())
    if (const char* u = std::getenv("_BERTH_UID")) return static_cast<uid_t>(std::strtoul(u, nullptr, 10));
  return ::getuid();
}

std::string home() {
  const char* h = std::getenv("HOME");
  return h ? h : "";
}

Result<Json> read_auth_json(const std::string& path) {
  auto text = sys::read_host_file(path, 4 << 20);
  if (!text) {
    if (text.error().sys_errno == ENOENT || text.error().sys_errno == ENOTDIR) return Json::object();
    return std::unexpected(text.error());
  }
  auto j = TRY(parse_json(*text, path));
  if (!j.is_object()) return fail(Errc::invalid_input, "{}: not a JSON object", path);
  return j;
}

std::optional<Credentials> decode_entry(const Json& e) {
  if (!e.is_object()) return std::nullopt;
  std::string auth = json_str(e, "auth");
  if (auth.empty()) return std::nullopt;
  auto plain = base64_decode(auth);
  if (!plain) return std::nullopt;
  auto colon = plain->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{plain->substr(0, colon), plain->substr(colon + 1)};
}

// The most specific key of `auths` matching host[/repo...].
std::optional<Credentials> lookup(const Json& file, const std::string& host, const std::string& repo_path) {
  const Json& auths = json_obj(file, "auths");
  if (!auths.is_object()) return std::nullopt;
  std::string want = host + (repo_path.empty() ? "" : "/" + repo_path);
  std::optional<Credentials> best;
  size_t best_len = 0;
  for (auto it = auths.begin(); it != auths.end(); ++it) {
    std::string k = normalize_auth_key(it.key());
    bool match = k == want || (want.starts_with(k) && want[k.size()] == '/');
    if (!match || (best && k.size() <= best_len)) continue;
    if (auto c = decode_entry(it.value())) {
      best = c;
      best_len = k.size();
    }
  }
  return best;
}

Result<void> edit_auth_file(const std::string& flag, const std::function<Result<void>(Json&)>& edit) {
  std::string path = auth_file_path(flag);
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string name = path.substr(slash + 1);
  int top = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  sys::UniqueFd root(top);
  auto d = TRY(context(sys::make_dirs(root.get(), sys::abs_path(dir), 0700), "create the auth file's directory"));
  auto lock = TRY(sys::FileLock::acquire(d.get(), "." + name + ".lock", sys::FileLock::Mode::exclusive));
  Json j = TRY(read_auth_json(path));
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = Json::object();
  TRY(edit(j));
  return sys::write_atomic(d.get(), name, dump_json(j, 1) + "\n", 0600);
}

}  // namespace

std::vector<Challenge> parse_challenges(std::string_view h) {
  std::vector<Challenge> out;
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) i++;
  };
  auto token = [&] {
    size_t start = i;
    while (i < h.size() && is_token_char(h[i])) i++;
    return std::string(h.substr(start, i - start));
  };
  while (i < h.size()) {
    skip_ws();
    while (i < h.size() && h[i] == ',') {
      i++;
      skip_ws();
    }
    std::string scheme = token();
    if (scheme.empty()) break;
    Challenge c{lower(scheme), {}};
    while (true) {
      skip_ws();
      size_t mark = i;
      std::string name = token();
      skip_ws();
      if (name.empty() || i >= h.size() || h[i] != '=') {
        i = mark;  // the next challenge's scheme, or the end
        break;
      }
      i++;
      skip_ws();
      std::string value;
      if (i < h.size() && h[i] == '"') {
        i++;
        while (i < h.size() && h[i] != '"') {
          if (h[i] == '\\' && i + 1 < h.size()) i++;
          value += h[i++];
        }
        if (i < h.size()) i++;
      } else {
        while (i < h.size() && h[i] != ',' && h[i] != ' ') value += h[i++];
      }
      c.params[lower(name)] = value;
      skip_ws();
      if (i < h.size() && h[i] == ',') i++;
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<Credentials> parse_creds(std::string_view s) {
  auto colon = s.find(':');
  if (s.empty() || colon == 0) return fail(Errc::usage, "credentials must be USERNAME:PASSWORD");
  if (colon == std::string_view::npos)
    return fail(Errc::usage, "--creds: a password is needed (USERNAME:PASSWORD); berth does not prompt");
  return Credentials{std::string(s.substr(0, colon)), std::string(s.substr(colon + 1))};
}

std::string auth_file_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* e = std::getenv("REGISTRY_AUTH_FILE"); e && *e) return e;
  if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/containers/auth.json";
  uid_t uid = host_uid();
  if (uid == 0) return "/run/containers/0/auth.json";
  return home() + "/.config/containers/auth.json";
}

std::string normalize_auth_key(std::string_view key) {
  std::string k(key);
  for (const char* p : {"https://", "http://"})
    if (k.starts_with(p)) k = k.substr(std::strlen(p));
  if (k.ends_with("/v1/"))
    k.resize(k.size() - 4);
  else if (k.ends_with("/v2/"))
    k.resize(k.size() - 4);
  while (k.ends_with("/")) k.pop_back();
  if (k == "index.docker.io" || k == "registry-1.docker.io") k = "docker.io";
  return k;
}

Result<std::optional<Credentials>> find_credentials(const std::string& flag, const std::string& host,
                                                    const std::string& repo_path) {
  std::vector<std::string> files{auth_file_path(flag)};
  if (flag.empty() && !home().empty()) {
    files.push_back(home() + "/.config/containers/auth.json");
    files.push_back(home() + "/.docker/config.json");
  }
  for (const auto& f : files) {
    auto j = read_auth_json(f);
    if (!j) return std::unexpected(j.error());
    if (auto c = lookup(*j, normalize_auth_key(host), repo_path)) return c;
  }
  return std::optional<Credentials>();
}

Result<void> store_credentials(const std::string& flag, const std::string& key, const Credentials& c) {
  return edit_auth_file(flag, [&](Json& j) -> Result<void> {
    j["auths"][normalize_auth_key(key)] = {{"auth", base64_encode(c.username + ":" + c.password)}};
    return {};
  });
}

Result<bool> remove_credentials(const std::string& flag, const std::string& key) {
  bool removed = false;
  TRY(edit_auth_file(flag, [&](Json& j) -> Result<void> {
    Json& auths = j["auths"];
    std::string want = normalize_auth_key(key);
    for (auto it = auths.begin(); it != auths.end(); ++it)
      if (normalize_auth_key(it.key()) == want) {
        auths.erase(it);
        removed = true;
        break;
      }
    return {};
  }));
  return removed;
}

Result<void> remove_all_credentials(const std::string& flag) {
  return edit_auth_file(flag, [](Json& j) -> Result<void> {
    j["auths"] = Json::object();
    return {};
  });
}

}  // namespace berth::registry

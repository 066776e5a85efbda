// Named volumes: `berth volume ...`, and their part in create and rm.
#include "berth/engine/volume.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <regex>
#include <algorithm>
#include <random>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/path.hpp"
#include "berth/core/strings.hpp"
#include <fmt/ranges.h>
#include "berth/engine/changes.hpp"
#include "berth/engine/run.hpp"
#include "berth/image/commit.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

namespace {

std::string random_volume_name() { return random_hex(64); }

std::vector<std::string> users_in(const std::vector<store::ContainerRecord>& all, const std::string& name,
                                  const std::string& except = "") {
  std::vector<std::string> ids;
  for (const auto& r : all)
    if (r.id != except &&
        std::any_of(r.config.volumes.begin(), r.config.volumes.end(), [&](const auto& v) { return v.name == name; }))
      ids.push_back(r.id);
  return ids;
}

Result<std::map<std::string, std::string>> key_values(const std::vector<std::string>& items, const char* what) {
  std::map<std::string, std::string> out;
  for (const auto& kv : items) {
    auto eq = kv.find('=');
    if (kv.empty() || eq == 0) return fail(Errc::usage, "invalid {} \"{}\": expected KEY=VALUE", what, kv);
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
  }
  return out;
}

// The local driver's options as podman takes them: type, device, o (mount options), and the
// owner of the volume's root. berth mounts none of them yet: only what needs no mount passes.
Result<void> check_options(const std::map<std::string, std::string>& opts) {
  for (const auto& [k, v] : opts) {
    if (k == "uid" || k == "gid" || k == "UID" || k == "GID") {
      if (v.empty() || !std::all_of(v.begin(), v.end(), ::isdigit))
        return fail(Errc::usage, "invalid volume option {}={}: must be a number", k, v);
      continue;
    }
    if (k == "type" || k == "device" || k == "o")
      return fail(Errc::unsupported, "volume option {} is not supported: berth's local volumes are directories", k);
    return fail(Errc::usage, "invalid mount option {} for driver 'local': invalid argument", k);
  }
  return {};
}

// A new volume's root takes the owner the options give (uid=, gid=).
Result<void> apply_owner(const store::Store& s, const store::VolumeRecord& v) {
  auto get = [&](const char* a, const char* b) -> int {
    auto it = v.options.find(a);
    if (it == v.options.end()) it = v.options.find(b);
    return it == v.options.end() ? -1 : std::stoi(it->second);
  };
  int uid = get("uid", "UID"), gid = get("gid", "GID");
  if (uid < 0 && gid < 0) return {};
  if (::chown(store::volume_data_path(s, v.name).c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0)
    return fail_errno("chown volume {}", v.name);
  return {};
}

}  // namespace

Result<store::VolumeRecord> volume_create(Context& c, const VolumeCreateOptions& o) {
  if (o.driver != "local")
    return fail(Errc::unsupported, "volume driver \"{}\" is not supported: only \"local\" is", o.driver);
  store::VolumeRecord v;
  v.name = o.name.empty() ? random_volume_name() : o.name;
  if (!store::valid_volume_name(v.name))
    return fail(Errc::usage,
                "volume name \"{}\" includes invalid characters, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed: "
                "invalid argument",
                v.name);
  v.labels = TRY(key_values(o.labels, "label"));
  v.options = TRY(key_values(o.options, "option"));
  TRY(check_options(v.options));
  v.created = store::now_ns();
  auto lock = TRY(c.store.write_lock());
  if (!TRY(store::create_volume(c.store, v))) {
    if (o.ignore) return *TRY(store::read_volume(c.store, v.name));
    return fail(Errc::conflict, "volume with name {} already exists: volume already exists", v.name);
  }
  TRY(apply_owner(c.store, v));
  return v;
}

Result<std::vector<store::VolumeRecord>> volume_list(Context& c) { return store::read_volumes(c.store); }

Result<store::VolumeRecord> volume_find(Context& c, const std::string& name) {
  auto v = TRY(store::read_volume(c.store, name));
  if (!v) return fail(Errc::not_found, "no such volume {}", name);
  return *v;
}

OrderedJson volume_json(const store::Store& s, const store::VolumeRecord& v) {
  OrderedJson j;
  j["Name"] = v.name;
  j["Driver"] = v.driver;
  j["Mountpoint"] = store::volume_data_path(s, v.name);
  j["CreatedAt"] = v.created ? rfc3339_utc(v.created / 1000000000, static_cast<long>(v.created % 1000000000))
                             : "0001-01-01T00:00:00Z";
  j["Labels"] = v.labels;
  j["Scope"] = "local";
  j["Options"] = v.options;
  j["MountCount"] = 0;
  j["NeedsCopyUp"] = v.needs_copy_up;
  j["NeedsChown"] = v.needs_copy_up;
  j["Anonymous"] = v.anonymous;
  return j;
}

Result<void> check_volume_filters(const std::vector<std::string>& filters) {
  for (const auto& f : filters) {
    auto eq = f.find('=');
    std::string k = f.substr(0, eq), v = eq == std::string::npos ? "" : f.substr(eq + 1);
    if (k != "name" && k != "label" && k != "driver" && k != "dangling" && k != "anonymous")
      return fail(Errc::usage, "invalid filter \"{}\": use name=, label=, driver=, dangling= or anonymous=", f);
    if ((k == "dangling" || k == "anonymous") && v != "true" && v != "false" && v != "1" && v != "0")
      return fail(Errc::usage, "invalid filter \"{}\": {} takes true or false", f, k);
    if (k == "name") {
      try {
        (void)std::regex(v);
      } catch (const std::regex_error&) {
        return fail(Errc::usage, "invalid filter \"{}\": not a regular expression", f);
      }
    }
  }
  return {};
}

bool volume_matches(const store::VolumeRecord& v, const std::vector<std::string>& filters, bool dangling) {
  for (const auto& f : filters) {
    auto eq = f.find('=');
    std::string k = f.substr(0, eq), val = eq == std::string::npos ? "" : f.substr(eq + 1);
    bool yes = val == "true" || val == "1";
    if (k == "name" && !std::regex_search(v.name, std::regex(val))) return false;  // a regex, as podman's
    if (k == "driver" && v.driver != val) return false;
    if (k == "dangling" && dangling != yes) return false;
    if (k == "anonymous" && v.anonymous != yes) return false;
    if (k == "label" && !label_matches(v.labels, val)) return false;
  }
  return true;
}

Result<std::set<std::string>> volumes_in_use(Context& c) {
  std::set<std::string> used;
  for (const auto& r : TRY(store::read_containers(c.store)))
    for (const auto& v : r.config.volumes)
      if (!v.name.empty()) used.insert(v.name);
  return used;
}

Result<std::vector<std::string>> volume_users(Context& c, const std::string& name) {
  return users_in(TRY(store::read_containers(c.store)), name);
}

Result<std::vector<std::string>> volume_remove(Context& c, const std::vector<std::string>& names,
                                               const VolumeRemoveOptions& o) {
  std::vector<std::string> done;
  for (const auto& name : names) {
    if (!TRY(store::read_volume(c.store, name)))
      return fail(Errc::not_found, "no volume with name \"{}\" found: no such volume", name);
    auto users = TRY(volume_users(c, name));
    if (!users.empty() && !o.force)
      return fail(Errc::conflict, "volume {} is being used by the following container(s): {}: volume is being used",
                  name, fmt::join(users, ", "));
    if (!users.empty()) {
      auto r = TRY(remove_containers(c, RmOptions{users, true, false, o.timeout}));
      if (!r.errors.empty()) return std::unexpected(r.errors.front());
    }
    auto lock = TRY(c.store.write_lock());
    if (!TRY(volume_users(c, name)).empty())
      return fail(Errc::conflict, "volume {} gained a container while it was removed: volume is being used", name);
    TRY(store::remove_volume(c.store, name));
    done.push_back(name);
  }
  return done;
}

Result<std::vector<std::string>> volume_prune(Context& c, const std::vector<std::string>& filters, bool dry_run) {
  TRY(check_volume_filters(filters));
  auto lock = TRY(c.store.write_lock());
  auto ctrs = TRY(store::read_containers(c.store));
  std::vector<std::string> done;
  for (const auto& v : TRY(store::read_volumes(c.store))) {
    if (!users_in(ctrs, v.name).empty() || !volume_matches(v, filters, true)) continue;
    if (!dry_run) TRY(store::remove_volume(c.store, v.name));
    done.push_back(v.name);
  }
  return done;
}

Result<void> volume_export(Context& c, const std::string& name, const std::string& out) {
  TRY(volume_find(c, name));
  bool to_stdout = out.empty() || out == "-";
  if (to_stdout && ::isatty(1))
    return fail(Errc::usage, "cannot write to terminal, use command-line redirection or the --output flag");
  sys::UniqueFd file;
  if (!to_stdout) {
    file.reset(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file) return fail(Errc::not_found, "open {}: {}", out, errno_text(errno));
  }
  image::TreeTarOptions o;
  return image::write_tree_tar(store::volume_data_path(c.store, name), to_stdout ? 1 : file.get(), o);
}

Result<void> volume_import(Context& c, const std::string& name, const std::string& in) {
  TRY(volume_find(c, name));
  sys::UniqueFd file;
  if (in != "-") {
    file.reset(::open(in.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) return fail(Errc::not_found, "open {}: {}", in, errno_text(errno));
  }
  auto dir = TRY(sys::open_at(AT_FDCWD, store::volume_data_path(c.store, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
  return untar_into(in == "-" ? 0 : file.get(), dir.get());
}

namespace detail {

Result<void> resolve_volumes(const store::Store& s, store::ContainerConfig& conf,
                             const std::vector<std::string>& image_volumes) {
  // The image's VOLUME paths no mount of the container covers get an anonymous volume each.
  for (const auto& path : image_volumes) {
    std::string target = check_mount_destination(path, "the image's VOLUME").value_or("");
    if (target.empty()) continue;
    auto covered = [&](const std::string& t) { return t == target; };
    if (std::any_of(conf.volumes.begin(), conf.volumes.end(), [&](const auto& v) { return covered(v.target); }) ||
        std::any_of(conf.tmpfs.begin(), conf.tmpfs.end(), [&](const auto& t) { return covered(t.target); }))
      continue;
    store::Volume v;
    v.target = target;
    v.name = kAnonymous;
    conf.volumes.push_back(v);
  }
  for (auto& v : conf.volumes) {
    if (v.name.empty()) continue;
    if (v.name == kAnonymous) {
      store::VolumeRecord rec;
      rec.name = random_volume_name();
      rec.anonymous = true;
      rec.created = store::now_ns();
      TRY(store::create_volume(s, rec));
      v.name = rec.name;
    } else if (!TRY(store::read_volume(s, v.name))) {
      store::VolumeRecord rec;
      rec.name = v.name;
      rec.created = store::now_ns();
      TRY(store::create_volume(s, rec));
    }
    v.source = store::volume_data_path(s, v.name);
    v.is_file = false;
  }
  return {};
}

Result<void> copy_up_volumes(Context& c, const store::ContainerConfig& conf) {
  for (const auto& v : conf.volumes) {
    if (v.name.empty()) continue;
    auto rec = TRY(store::read_volume(c.store, v.name));
    if (!rec || !rec->needs_copy_up) continue;
    // Only into an empty volume (one filled by import or by hand keeps what it has).
    if (!v.nocopy && TRY(sys::list_dir(c.store.root(), "volumes/" + v.name + "/_data")).empty())
      TRY(context(copy_container_dir(c, conf.id, conf, v.target, v.source),
                  fmt::format("copy {} into volume {}", v.target, v.name)));
    rec->needs_copy_up = false;
    TRY(store::update_volume(c.store, *rec));
  }
  return {};
}

void drop_anonymous_volumes(const store::Store& s, const store::ContainerConfig& conf) {
  std::vector<store::ContainerRecord> all;
  for (const auto& v : conf.volumes) {
    if (v.name.empty()) continue;
    auto rec = store::read_volume(s, v.name);
    if (!rec || !*rec || !(*rec)->anonymous) continue;
    if (all.empty())
      if (auto a = store::read_containers(s)) all = std::move(*a);
    if (!users_in(all, v.name, conf.id).empty()) continue;
    if (auto r = store::remove_volume(s, v.name); !r) log::warn("{}", r.error().message);
  }
}

}  // namespace detail

}  // namespace berth::engine

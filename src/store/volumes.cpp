#include "berth/store/volumes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>

#include "berth/sys/file.hpp"

namespace berth::store {

namespace {

constexpr size_t kMax = 1 << 20;

}  // namespace

Json to_json(const VolumeRecord& v) {
  return {{"name", v.name},
          {"driver", v.driver},
          {"labels", v.labels},
          {"options", v.options},
          {"created", v.created},
          {"anonymous", v.anonymous},
          {"needs_copy_up", v.needs_copy_up}};
}

VolumeRecord volume_from_json(const Json& j) {
  VolumeRecord v;
  v.name = json_str(j, "name");
  v.driver = json_str(j, "driver", "local");
  v.labels = json_string_map(json_obj(j, "labels"));
  v.options = json_string_map(json_obj(j, "options"));
  v.created = json_int(j, "created");
  v.anonymous = json_obj(j, "anonymous").is_boolean() && json_obj(j, "anonymous").get<bool>();
  v.needs_copy_up = !json_obj(j, "needs_copy_up").is_boolean() || json_obj(j, "needs_copy_up").get<bool>();
  return v;
}

bool valid_volume_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || !std::isalnum(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '.' && ch != '-') return false;
  return true;
}

std::string volume_data_path(const Store& s, const std::string& name) {
  return s.paths().root + "/volumes/" + name + "/_data";
}

Result<std::optional<VolumeRecord>> read_volume(const Store& s, const std::string& name) {
  if (!valid_volume_name(name)) return std::optional<VolumeRecord>();
  auto text = sys::read_file_at(s.root(), "volumes/" + name + "/volume.json", kMax);
  if (!text) return std::optional<VolumeRecord>();
  auto v = volume_from_json(TRY(parse_json(*text, "volume " + name)));
  v.name = name;
  return std::optional<VolumeRecord>(std::move(v));
}

Result<std::vector<VolumeRecord>> read_volumes(const Store& s) {
  std::vector<VolumeRecord> out;
  sys::UniqueFd dir(::openat(s.root(), "volumes", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return out;
  for (const auto& name : TRY(sys::list_dir(s.root(), "volumes")))
    if (auto v = TRY(read_volume(s, name))) out.push_back(std::move(*v));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<bool> create_volume(const Store& s, const VolumeRecord& v) {
  if (!valid_volume_name(v.name)) return fail(Errc::usage, "invalid volume name \"{}\"", v.name);
  TRY(sys::ensure_dir(s.root(), "volumes", 0700));
  auto tmp = TRY(s.temp("volume"));
  if (::mkdirat(tmp.fd(), "_data", 0755) != 0) return fail_errno("create the volume's data directory");
  TRY(sys::write_atomic(tmp.fd(), "volume.json", dump_json(to_json(v))));
  if (::fchmod(tmp.fd(), 0700) != 0) return fail_errno("chmod the volume's directory");
  std::string from = "tmp/" + tmp.name(), to = "volumes/" + v.name;
  if (::renameat2(s.root(), from.c_str(), s.root(), to.c_str(), RENAME_NOREPLACE) == 0) {
    tmp.release();
    return true;
  }
  if (errno != EEXIST) return fail_errno("create volume {}", v.name);
  // A directory without a record is what a writer killed by an older berth left: not a volume.
  if (TRY(read_volume(s, v.name))) return false;
  TRY(remove_volume(s, v.name));
  if (::renameat2(s.root(), from.c_str(), s.root(), to.c_str(), RENAME_NOREPLACE) != 0)
    return fail_errno("create volume {}", v.name);
  tmp.release();
  return true;
}

Result<void> update_volume(const Store& s, const VolumeRecord& v) {
  auto dir = TRY(sys::open_beneath(s.root(), "volumes/" + v.name, O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_atomic(dir.get(), "volume.json", dump_json(to_json(v)));
}

Result<void> remove_volume(const Store& s, const std::string& name) {
  if (!valid_volume_name(name)) return fail(Errc::usage, "invalid volume name \"{}\"", name);
  static std::mt19937_64 rng(std::random_device{}());
  // Out of volumes/ in one rename (it is gone for every reader at once), then deleted in tmp/,
  // where a sweep finishes what a kill interrupts.
  std::string away = fmt::format("rmvol-{:016x}", rng());
  if (::renameat(s.root(), ("volumes/" + name).c_str(), s.tmp(), away.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return fail_errno("remove volume {}", name);
  }
  (void)sys::remove_tree(s.tmp(), away);
  return {};
}

}  // namespace berth::store

#include "berth/store/pods.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "berth/sys/file.hpp"

namespace berth::store {

namespace {

constexpr size_t kMax = 1 << 20;

}  // namespace

Json to_json(const PodRecord& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"infra_id", p.infra_id},
          {"share", p.share},
          {"hostname", p.hostname},
          {"exit_policy", p.exit_policy},
          {"labels", p.labels},
          {"create_command", p.create_command},
          {"created", p.created}};
}

PodRecord pod_from_json(const Json& j) {
  PodRecord p;
  p.id = json_str(j, "id");
  p.name = json_str(j, "name");
  p.infra_id = json_str(j, "infra_id");
  p.share = json_strings(json_obj(j, "share"));
  p.hostname = json_str(j, "hostname");
  p.exit_policy = json_str(j, "exit_policy", "continue");
  p.labels = json_string_map(json_obj(j, "labels"));
  p.create_command = json_strings(json_obj(j, "create_command"));
  p.created = json_int(j, "created");
  return p;
}

Result<std::vector<PodRecord>> read_pods(const Store& s) {
  std::vector<PodRecord> out;
  if (!sys::exists_at(s.root(), "pods")) return out;
  for (const auto& f : TRY(sys::list_dir(s.root(), "pods"))) {
    if (!f.ends_with(".json")) continue;
    auto text = sys::read_file_at(s.root(), "pods/" + f, kMax);
    if (!text) continue;  // removed meanwhile
    auto p = pod_from_json(TRY(parse_json(*text, "pod " + f)));
    if (!p.id.empty()) out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created > b.created; });
  return out;
}

Result<PodRecord> find_pod(const Store& s, const std::string& key) {
  auto all = TRY(read_pods(s));
  for (const auto& p : all)
    if (p.name == key || p.id == key) return p;
  std::vector<const PodRecord*> hits;
  for (const auto& p : all)
    if (!key.empty() && p.id.starts_with(key)) hits.push_back(&p);
  if (hits.size() == 1) return *hits.front();
  if (hits.size() > 1) return fail(Errc::conflict, "more than one result for pod name or ID {}", key);
  return fail(Errc::not_found, "no pod with name or ID {} found: no such pod", key);
}

Result<void> write_pod(const Store& s, const PodRecord& p) {
  TRY(sys::ensure_dir(s.root(), "pods", 0700));
  auto dir = TRY(sys::open_beneath(s.root(), "pods", O_RDONLY | O_DIRECTORY, 0, true));
  return sys::write_atomic(dir.get(), p.id + ".json", dump_json(to_json(p)));
}

Result<void> remove_pod(const Store& s, const std::string& id) {
  auto dir = TRY(sys::open_beneath(s.root(), "pods", O_RDONLY | O_DIRECTORY, 0, true));
  if (::unlinkat(dir.get(), (id + ".json").c_str(), 0) != 0 && errno != ENOENT) return fail_errno("remove pod {}", id);
  return {};
}

}  // namespace berth::store

#include "berth/store/containers.hpp"
#include "berth/engine/volume.hpp"
#include "berth/store/volumes.hpp"
#include "berth/engine/images.hpp"

#include "berth/engine/events.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>

#include "berth/core/humanize.hpp"
#include "berth/core/reference.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/image/config.hpp"
#include "berth/sys/file.hpp"
#include "filters.hpp"

namespace berth::engine {

namespace {

std::vector<std::string> names_of(const store::NameMap& names, const Digest& id) {
  std::vector<std::string> out;
  for (const auto& [n, i] : names)
    if (i == id) out.push_back(n);
  return out;
}

Result<Json> read_config(const store::Store& s, const Digest& id) {
  auto text = TRY(s.read_blob(id, 16 << 20));
  return parse_json(text, "image config");
}

std::map<std::string, int> container_counts(const store::Store& s) {
  std::map<std::string, int> out;
  if (auto ids = s.container_image_ids(); ids)
    for (const auto& d : *ids) out[d.str()]++;
  return out;
}

using Filter = detail::KeyFilter;

Result<std::vector<Filter>> parse_filters(const std::vector<std::string>& raw) {
  auto out = TRY(detail::parse_key_filters(raw, {"reference", "dangling", "label", "before", "since", "after", "id"}));
  for (auto& x : out) {
    if (x.key == "after") x.key = "since";  // podman's other name for it
    if (x.key == "dangling" && x.value != "true" && x.value != "false")
      return fail(Errc::usage, "invalid filter \"dangling={}\": must be true or false", x.value);
  }
  return out;
}

bool match_reference(const std::vector<std::string>& names, const std::string& pattern) {
  for (const auto& n : names) {
    std::string no_tag = n.substr(0, n.rfind(':'));
    std::string no_domain = n.substr(n.find('/') + 1);
    std::string no_domain_tag = no_tag.substr(no_tag.find('/') + 1);
    for (const std::string& cand : {n, no_tag, no_domain, no_domain_tag})
      if (::fnmatch(pattern.c_str(), cand.c_str(), 0) == 0) return true;
    // "busybox" also matches docker.io/library/busybox
    if (no_domain_tag.starts_with("library/") && ::fnmatch(pattern.c_str(), no_domain_tag.substr(8).c_str(), 0) == 0)
      return true;
  }
  return false;
}

bool label_match(const Json& labels, const std::string& spec) {
  auto eq = spec.find('=');
  std::string k = spec.substr(0, eq);
  if (!labels.is_object() || !labels.contains(k)) return false;
  if (eq == std::string::npos) return true;
  return labels[k].is_string() && labels[k].get<std::string>() == spec.substr(eq + 1);
}

}  // namespace

Result<std::vector<ImageSummary>> list_images(Context& c, const ImagesOptions& o) {
  auto filters = TRY(parse_filters(o.filters));
  auto lock = TRY(c.store.read_lock());
  auto names = TRY(c.store.names());
  auto records = TRY(c.store.images());
  auto counts = container_counts(c.store);
  std::map<std::string, std::int64_t> created_of;
  for (const auto& r : records) created_of[r.id.str()] = r.created;
  auto created_of_ref = [&](const std::string& ref) -> Result<std::int64_t> {
    auto r = TRY(resolve_image(c.store, names, ref));
    return created_of[r.id.str()];
  };
  bool need_labels = o.want_labels;
  for (const auto& f : filters) need_labels |= f.key == "label";
  std::vector<ImageSummary> out;
  // podman's intermediate images: no name, and a child: another image whose layers and
  // history begin with all of this one's (as build's steps are to the image they lead to)
  std::map<std::string, Json> history_of;
  auto hist = [&](const Digest& id) -> const Json& {
    auto [it, fresh] = history_of.try_emplace(id.str(), Json::array());
    if (fresh)
      if (auto cfg = read_config(c.store, id); cfg && cfg->contains("history") && (*cfg)["history"].is_array())
        it->second = (*cfg)["history"];
    return it->second;
  };
  auto intermediate = [&](const store::ImageRecord& r) {
    if (!names_of(names, r.id).empty()) return false;
    for (const auto& y : records) {
      if (y.id == r.id || y.layers.size() < r.layers.size() ||
          !std::equal(r.layers.begin(), r.layers.end(), y.layers.begin()))
        continue;
      const Json& mine = hist(r.id);
      const Json& theirs = hist(y.id);
      if (mine.empty() || theirs.size() <= mine.size()) continue;
      if (std::equal(mine.begin(), mine.end(), theirs.begin())) return true;
    }
    return false;
  };
  for (const auto& r : records) {
    if (!o.all && intermediate(r)) continue;
    ImageSummary s{r.id, names_of(names, r.id), r.manifest, r.created, r.size, counts[r.id.str()], Json::object()};
    if (need_labels) {
      if (auto cfg = read_config(c.store, r.id); cfg) {
        const Json& l = json_obj(json_obj(*cfg, "config"), "Labels");
        if (l.is_object()) s.labels = l;
      }
    }
    bool keep = true;
    for (const auto& f : filters) {
      if (f.key == "reference")
        keep &= match_reference(s.names, f.value);
      else if (f.key == "dangling")
        keep &= (s.names.empty() == (f.value == "true"));
      else if (f.key == "label")
        keep &= label_match(s.labels, f.value);
      else if (f.key == "id")
        keep &= std::string(r.id.hex()).starts_with(f.value);
      else if (f.key == "before")
        keep &= r.created < TRY(created_of_ref(f.value));
      else if (f.key == "since")
        keep &= r.created > TRY(created_of_ref(f.value));
    }
    if (keep) out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const ImageSummary& a, const ImageSummary& b) {
    return a.created != b.created ? a.created > b.created : a.id < b.id;
  });
  return out;
}

Result<void> tag_image(Context& c, const std::string& image, const std::vector<std::string>& new_names) {
  std::vector<std::string> full;
  for (const auto& n : new_names) {
    auto r = TRY(Reference::normalize(n, "localhost"));
    if (r.digest) return fail(Errc::usage, "{}: a tag cannot contain a digest", n);
    full.push_back(r.str());
  }
  auto lock = TRY(c.store.write_lock());
  auto names = TRY(c.store.names());
  auto img = TRY(resolve_image(c.store, names, image));
  for (const auto& n : full) names[n] = img.id;
  TRY(c.store.put_names(names));
  for (const auto& n : full) emit_event(c.store, "image", "tag", img.id.hex(), n, n);
  return {};
}

Result<void> untag_image(Context& c, const std::string& image, const std::vector<std::string>& which) {
  auto lock = TRY(c.store.write_lock());
  auto names = TRY(c.store.names());
  auto img = TRY(resolve_image(c.store, names, image));
  if (which.empty()) {
    for (const auto& n : names_of(names, img.id)) names.erase(n);
  } else {
    for (const auto& w : which) {
      auto r = resolve_image(c.store, names, w);
      if (!r || r->id != img.id || r->name.empty()) return fail(Errc::not_found, "{}: tag not known", w);
      names.erase(r->name);
    }
  }
  TRY(c.store.put_names(names));
  emit_event(c.store, "image", "untag", img.id.hex(), img.name, img.name);
  return {};
}

Result<RmiReport> remove_images(Context& c, const RmiOptions& o) {
  RmiReport rep;
  auto lock = TRY(c.store.write_lock());
  auto names = TRY(c.store.names());
  auto counts = container_counts(c.store);
  std::vector<ResolvedImage> targets;
  if (o.all) {
    for (const auto& r : TRY(c.store.images())) targets.push_back({r.id, ""});
  } else {
    for (const auto& i : o.images) {
      auto r = resolve_image(c.store, names, i);
      if (!r)
        rep.errors.push_back(r.error());
      else
        targets.push_back(*r);
    }
  }
  std::set<std::string> done;
  for (const auto& t : targets) {
    if (done.count(t.id.str())) continue;
    auto own = names_of(names, t.id);
    // By name, with other names left: only that name goes (as Podman).
    if (!t.name.empty() && own.size() > 1 && !o.force) {
      names.erase(t.name);
      rep.untagged.push_back(t.name);
      continue;
    }
    if (counts[t.id.str()] > 0 && !o.force) {
      rep.errors.push_back(Error{Errc::conflict, 0,
                                 fmt::format("image used by {} container(s): {}: image is in use by a container",
                                             counts[t.id.str()], t.id.short_id())});
      continue;
    }
    for (const auto& n : own) {
      names.erase(n);
      rep.untagged.push_back(n);
    }
    TRY(c.store.put_names(names));
    TRY(c.store.remove_image(t.id));
    emit_event(c.store, "image", "remove", t.id.hex(), own.empty() ? "" : own.front(), own.empty() ? "" : own.front());
    rep.deleted.push_back(t.id);
    done.insert(t.id.str());
  }
  TRY(c.store.put_names(names));
  TRY(c.store.gc());
  return rep;
}

Result<bool> image_exists(Context& c, const std::string& image) {
  auto lock = TRY(c.store.read_lock());
  auto names = TRY(c.store.names());
  auto r = resolve_image(c.store, names, image);
  if (!r && r.error().code == Errc::not_found) return false;
  if (!r) return std::unexpected(r.error());
  return true;
}

Result<Json> inspect_image(Context& c, const std::string& image) {
  auto lock = TRY(c.store.read_lock());
  auto names = TRY(c.store.names());
  auto r = TRY(resolve_image(c.store, names, image));
  auto rec = TRY(c.store.image(r.id));
  auto cfg = TRY(read_config(c.store, r.id));
  auto man = parse_json(TRY(c.store.read_blob(rec.manifest, 16 << 20)), "manifest");
  auto tags = names_of(names, r.id);
  Json repo_digests = Json::array();
  for (const auto& n : tags) repo_digests.push_back(n.substr(0, n.rfind(':')) + "@" + rec.manifest.str());
  Json diff_ids = json_obj(json_obj(cfg, "rootfs"), "diff_ids");
  std::string lower;
  for (auto it = rec.layers.rbegin(); it != rec.layers.rend(); ++it)
    lower += (lower.empty() ? "" : ":") + c.store.layer_diff_abs(*it);
  const Json& conf = json_obj(cfg, "config");
  const Json& hist = json_obj(cfg, "history");
  std::string comment;
  if (hist.is_array() && !hist.empty()) comment = json_str(hist.back(), "comment");
  OrderedJson j;
  j["Id"] = std::string(r.id.hex());
  j["Digest"] = rec.manifest.str();
  j["RepoTags"] = tags;
  j["RepoDigests"] = repo_digests;
  j["Parent"] = "";
  j["Comment"] = comment;
  j["Created"] = json_str(cfg, "created", rfc3339_utc(rec.created));
  j["Config"] = conf.is_null() ? Json::object() : conf;
  j["Version"] = json_str(cfg, "docker_version");
  j["Author"] = json_str(cfg, "author");
  j["Architecture"] = json_str(cfg, "architecture");
  j["Os"] = json_str(cfg, "os");
  j["Size"] = rec.size;
  j["VirtualSize"] = rec.size;
  j["GraphDriver"] = {
      {"Name", "overlay"},
      {"Data",
       {{"LowerDir", lower}, {"UpperDir", rec.layers.empty() ? "" : c.store.layer_diff_abs(rec.layers.back())}}}};
  j["RootFS"] = {{"Type", "layers"}, {"Layers", diff_ids.is_array() ? diff_ids : Json::array()}};
  j["Labels"] = json_obj(conf, "Labels");
  j["Annotations"] = man && json_obj(*man, "annotations").is_object() ? json_obj(*man, "annotations") : Json::object();
  j["ManifestType"] = rec.manifest_type;
  j["User"] = json_str(conf, "User");
  j["History"] = hist.is_array() ? hist : Json::array();
  j["NamesHistory"] = tags;
  return Json::parse(dump_json(j));
}

Result<std::vector<HistoryEntry>> image_history(Context& c, const std::string& image) {
  auto lock = TRY(c.store.read_lock());
  auto names = TRY(c.store.names());
  auto r = TRY(resolve_image(c.store, names, image));
  auto rec = TRY(c.store.image(r.id));
  auto cfg = TRY(read_config(c.store, r.id));
  std::vector<std::uint64_t> sizes;
  for (const auto& l : rec.layers) sizes.push_back(TRY(c.store.layer(l)).size);
  std::vector<HistoryEntry> out;
  const Json& hist = json_obj(cfg, "history");
  size_t layer = 0;
  if (hist.is_array() && !hist.empty()) {
    for (const auto& h : hist) {
      HistoryEntry e{"<missing>", 0, json_str(h, "created_by"), 0, json_str(h, "comment")};
      std::int64_t t = 0;
      if (parse_rfc3339(json_str(h, "created"), t)) e.created = t;
      bool empty =
          h.is_object() && h.contains("empty_layer") && h["empty_layer"].is_boolean() && h["empty_layer"].get<bool>();
      if (!empty && layer < sizes.size()) e.size = sizes[layer++];
      out.push_back(e);
    }
  } else {
    for (auto sz : sizes) out.push_back({"<missing>", rec.created, "", sz, ""});
  }
  std::reverse(out.begin(), out.end());
  if (!out.empty()) out.front().id = std::string(r.id.hex());
  return out;
}

Result<std::vector<Digest>> prune_images(Context& c, bool all) {
  auto lock = TRY(c.store.write_lock());
  auto names = TRY(c.store.names());
  auto counts = container_counts(c.store);
  std::vector<Digest> out;
  for (const auto& r : TRY(c.store.images())) {
    bool dangling = names_of(names, r.id).empty();
    if (counts[r.id.str()] > 0 || (!all && !dangling)) continue;
    for (const auto& n : names_of(names, r.id)) names.erase(n);
    TRY(c.store.put_names(names));
    TRY(c.store.remove_image(r.id));
    out.push_back(r.id);
  }
  TRY(c.store.gc());
  return out;
}

Result<std::vector<DfRow>> system_df(Context& c) {
  auto lock = TRY(c.store.read_lock());
  auto counts = container_counts(c.store);
  DfRow images{"Images"};
  std::map<std::string, std::uint64_t> layer_size;
  std::set<std::string> active_layers;
  for (const auto& r : TRY(c.store.images())) {
    images.total++;
    bool active = counts[r.id.str()] > 0;
    if (active) images.active++;
    for (const auto& l : r.layers) {
      if (!layer_size.count(l.d.str())) {
        auto rec = c.store.layer(l);
        layer_size[l.d.str()] = rec ? rec->size : 0;
      }
      if (active) active_layers.insert(l.d.str());
    }
  }
  for (const auto& [l, sz] : layer_size) {
    images.size += sz;
    if (!active_layers.count(l)) images.reclaimable += sz;
  }
  DfRow containers{"Containers"};
  for (const auto& id : TRY(sys::list_dir(c.store.root(), "containers"))) {
    containers.total++;
    containers.size += sys::tree_size(c.store.root(), "containers/" + id + "/upper");
  }
  containers.reclaimable = containers.size;
  DfRow volumes{"Local Volumes"};
  auto used = TRY(volumes_in_use(c));
  for (const auto& v : TRY(store::read_volumes(c.store))) {
    auto size = sys::tree_size(c.store.root(), "volumes/" + v.name + "/_data");
    volumes.total++;
    volumes.size += size;
    if (used.count(v.name))
      volumes.active++;
    else
      volumes.reclaimable += size;
  }
  return std::vector<DfRow>{images, containers, volumes};
}

}  // namespace berth::engine

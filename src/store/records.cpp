#include "berth/store/records.hpp"

namespace berth::store {

Json to_json(const LayerRecord& r) {
  Json j = {{"chain_id", r.chain.d.str()}, {"diff_id", r.diff.d.str()},  {"blob", r.blob.str()},
            {"blob_size", r.blob_size},    {"media_type", r.media_type}, {"size", r.size}};
  if (r.parent) j["parent"] = r.parent->d.str();
  return j;
}

Result<LayerRecord> layer_from_json(const Json& j) {
  LayerRecord r;
  r.chain = ChainId{TRY(Digest::parse(json_str(j, "chain_id")))};
  r.diff = DiffId{TRY(Digest::parse(json_str(j, "diff_id")))};
  r.blob = TRY(Digest::parse(json_str(j, "blob")));
  if (auto p = json_str(j, "parent"); !p.empty()) r.parent = ChainId{TRY(Digest::parse(p))};
  r.blob_size = static_cast<std::uint64_t>(json_int(j, "blob_size"));
  r.media_type = json_str(j, "media_type");
  r.size = static_cast<std::uint64_t>(json_int(j, "size"));
  return r;
}

Json to_json(const ImageRecord& r) {
  Json layers = Json::array();
  for (const auto& l : r.layers) layers.push_back(l.d.str());
  Json j = {{"id", r.id.str()}, {"manifest", r.manifest.str()}, {"manifest_type", r.manifest_type},
            {"layers", layers}, {"created", r.created},         {"loaded", r.loaded},
            {"size", r.size}};
  if (!r.digests.empty()) {
    Json d = Json::array();
    for (const auto& x : r.digests) d.push_back(x.str());
    j["digests"] = d;
  }
  return j;
}

Result<ImageRecord> image_from_json(const Json& j) {
  ImageRecord r;
  r.id = TRY(Digest::parse(json_str(j, "id")));
  r.manifest = TRY(Digest::parse(json_str(j, "manifest")));
  r.manifest_type = json_str(j, "manifest_type");
  const Json& layers = json_obj(j, "layers");
  if (layers.is_array())
    for (const auto& l : layers) {
      if (!l.is_string()) return fail(Errc::invalid_input, "bad layer list in image record");
      r.layers.push_back(ChainId{TRY(Digest::parse(l.get<std::string>()))});
    }
  r.created = json_int(j, "created");
  r.loaded = json_int(j, "loaded");
  r.size = static_cast<std::uint64_t>(json_int(j, "size"));
  const Json& digests = json_obj(j, "digests");
  if (digests.is_array())
    for (const auto& d : digests)
      if (d.is_string())
        if (auto x = Digest::parse(d.get<std::string>())) r.digests.push_back(*x);
  return r;
}

Json to_json(const NameMap& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v.str();
  return j;
}

Result<NameMap> names_from_json(const Json& j) {
  NameMap m;
  if (!j.is_object()) return fail(Errc::invalid_input, "names.json is not an object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it->is_string()) continue;
    m[it.key()] = TRY(Digest::parse(it->get<std::string>()));
  }
  return m;
}

}  // namespace berth::store

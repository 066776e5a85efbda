// berth build's last touches on the target image: --squash, --squash-all, --annotation and
// --format. Each makes a new image of the same config (or returns the one it was given).
#include "berth/image/config.hpp"
#include "berth/image/load.hpp"
#include "berth/image/unpack.hpp"
#include "berth/store/store.hpp"
#include "build_internal.hpp"

namespace berth::engine {

namespace {

constexpr size_t kMaxConfig = 16 << 20;

Result<Json> config_of(Context& c, const Digest& id) {
  return parse_json(TRY(c.store.read_blob(id, kMaxConfig)), "image config");
}

}  // namespace

Result<Digest> squash_all(Context& c, const Json& cfg, const Digest& id, image::CommitOptions co) {
  auto view = TRY(ImageView::open(c, id));
  co.squash = true;
  co.created_by = "/bin/sh -c #(nop) squashed";
  Json squashed = cfg;
  squashed["history"] = Json::array();
  return TRY(image::commit_layers(c.store, squashed, {}, view->path(), co)).id;
}

Result<Digest> squash_new(Context& c, const Digest& id, size_t keep, image::CommitOptions co) {
  auto layers = TRY(c.store.image(id)).layers;
  if (layers.size() <= keep + 1) return id;  // no two new layers: nothing to merge
  // The new layers' tars applied in order onto one directory in overlay form (as a
  // container's upper is), which then becomes the one new layer.
  auto tmp = TRY(c.store.temp("squash"));
  image::UnpackOptions uo = image::unpack_options(c.store);
  uo.merge = true;
  for (size_t i = keep; i < layers.size(); i++) {
    auto blob = TRY(c.store.open_blob(TRY(c.store.layer(layers[i])).blob));
    TRY(context(image::unpack_tar_fd(blob.get(), tmp.fd(), uo), "squash"));
  }
  // The history keeps every step; those whose layers were merged become empty ones, and the
  // merged layer gets an entry of its own.
  Json cfg = TRY(config_of(c, id));
  co.created = cfg.value("created", co.created);
  co.created_by = "/bin/sh -c #(nop) squashed";
  size_t seen = 0;
  if (cfg.contains("history") && cfg["history"].is_array())
    for (auto& h : cfg["history"])
      if (!h.value("empty_layer", false) && seen++ >= keep) h["empty_layer"] = true;
  std::vector<ChainId> base(layers.begin(), layers.begin() + static_cast<std::ptrdiff_t>(keep));
  std::string upper = fmt::format("{}/tmp/{}", c.store.paths().root, tmp.name());
  return TRY(image::commit_layers(c.store, cfg, base, upper, co)).id;
}

Result<Digest> annotate(Context& c, const Digest& id, const std::vector<std::string>& annotations,
                        image::CommitOptions co) {
  for (const auto& a : annotations) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0) return fail(Errc::usage, "invalid --annotation \"{}\": want KEY=VALUE", a);
    co.annotations[a.substr(0, eq)] = a.substr(eq + 1);
  }
  Json cfg = TRY(config_of(c, id));
  co.created = cfg.value("created", co.created);
  return TRY(image::commit_layer_from(c.store, cfg, TRY(c.store.image(id)).layers, nullptr, co)).id;
}

Result<void> set_manifest_format(Context& c, const Digest& id, bool docker) {
  auto is_docker = [](const store::ImageRecord& r) { return r.manifest_type == image::kDockerManifest; };
  if (is_docker(TRY(c.store.image(id))) == docker) return {};  // the common case: no lock taken
  auto lock = TRY(c.store.write_lock());
  auto rec = TRY(c.store.image(id));
  std::string stored = TRY(c.store.read_blob(rec.manifest, image::kDocumentMax));
  auto [bytes, type] = TRY(image::convert_manifest(stored, rec.manifest_type, docker));
  if (type == rec.manifest_type || (rec.manifest_type.empty() && type == image::kOciManifest)) return {};
  rec.manifest = TRY(c.store.put_blob(bytes));
  rec.manifest_type = type;
  return c.store.put_image(rec);
}

}  // namespace berth::engine

// pull and the --pull policy of run/create.
//
// A pull fetches the manifest (through an index for this platform), the config, and then every
// layer the store does not have, several at once. Each layer streams from the connection
// through a pipe into the same ingest that load uses (blob digest, diff-id and unpack in one
// pass, into a self-locked temp dir); it is checked against the manifest's digest and size and
// the config's diff-id before commit_images publishes anything. A failed or interrupted pull
// leaves only temp dirs, which the next writer sweeps.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "berth/core/humanize.hpp"
#include "berth/core/log.hpp"
#include "berth/core/strings.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/registry.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/image/config.hpp"
#include "berth/image/load.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

namespace {

constexpr size_t kConfigMax = image::kDocumentMax;
constexpr unsigned kParallel = 3;

// Progress on stderr: a line per blob, and on a terminal a live byte count.
class Progress {
 public:
  Progress(bool quiet) : quiet_(quiet), tty_(!quiet && ::isatty(2)) {}
  ~Progress() { stop(); }
  void start(std::uint64_t total) {
    if (!tty_ || total == 0) return;
    total_ = total;
    ticker_ = std::thread([this] {
      std::unique_lock g(mu_);
      while (!done_) {
        cv_.wait_for(g, std::chrono::milliseconds(200));
        if (done_) break;
        fmt::print(stderr, "\r\033[KCopying blobs: {} / {}", human_size(bytes_.load()), human_size(total_));
        std::fflush(stderr);
      }
    });
  }
  void stop() {
    {
      std::lock_guard g(mu_);
      if (done_) return;
      done_ = true;
    }
    cv_.notify_all();
    if (ticker_.joinable()) ticker_.join();
    if (tty_ && total_) fmt::print(stderr, "\r\033[K");
  }
  void add(size_t n) { bytes_ += n; }
  template <class... A>
  void line(fmt::format_string<A...> f, A&&... a) {
    if (quiet_) return;
    std::lock_guard g(mu_);
    if (tty_ && total_) fmt::print(stderr, "\r\033[K");
    fmt::print(stderr, "{}\n", fmt::format(f, std::forward<A>(a)...));
  }

 private:
  bool quiet_, tty_;
  std::atomic<std::uint64_t> bytes_{0};
  std::uint64_t total_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread ticker_;
};

// Downloads and unpacks one layer; checks it against what the manifest and config say.
Result<image::IngestedLayer> fetch_layer(const store::Store& s, registry::Client& cl, const image::Descriptor& d,
                                         const DiffId& diff, const image::UnpackOptions& uo, Progress& p) {
  image::IngestedLayer out;
  bool have = false;
  TRY(sys::through_pipe(
      [&](int wfd) -> Result<void> {
        return cl.fetch_blob(d.digest, [&](const char* b, size_t n) -> Result<void> {
          p.add(n);
          return sys::write_all(wfd, std::string_view(b, n));
        });
      },
      [&](int rfd) -> Result<void> {
        out = TRY(image::ingest_to_temp(
            s, [rfd](void* b, size_t n) { return ::read(rfd, b, n); }, uo));
        have = true;
        return {};
      }));
  if (!have) return fail(Errc::internal, "layer {} was not ingested", d.digest.str());
  if (out.result.blob != d.digest)
    return fail(Errc::invalid_input, "blob {}: content does not match its digest (got {})", d.digest.str(),
                out.result.blob.str());
  if (d.size >= 0 && static_cast<long long>(out.result.blob_size) != d.size)
    return fail(Errc::invalid_input, "blob {}: size {} does not match the manifest's {}", d.digest.str(),
                out.result.blob_size, d.size);
  if (out.result.diff != diff)
    return fail(Errc::invalid_input, "blob {}: uncompressed content does not match diff_id {}", d.digest.str(),
                diff.d.str());
  return out;
}

// The image manifest for this machine's platform (or --platform's): through an index when the
// reference names one (its digest is kept, so that name@index-digest resolves locally).
struct ChosenManifest {
  registry::FetchedManifest m;
  Json doc;
  std::string media_type;
  std::vector<Digest> extra;  // the index's digest
};

Result<ChosenManifest> choose_manifest(registry::Client& cl, const Reference& ref, const PullRequest& r) {
  ChosenManifest out;
  out.m = TRY(cl.get_manifest(ref.digest ? ref.digest->str() : ref.tag));
  out.doc = TRY(parse_json(out.m.bytes, "manifest"));
  auto type_of = [](const registry::FetchedManifest& m, const Json& j) {
    return m.media_type.empty() || m.media_type == "application/json" ? json_str(j, "mediaType") : m.media_type;
  };
  out.media_type = type_of(out.m, out.doc);
  if (TRY(context(image::classify_document(out.doc, out.media_type), ref.str())) == image::DocKind::index) {
    std::string arch = r.arch.empty() ? image::host_arch() : r.arch;
    auto d = TRY(image::select_platform(out.doc, r.os, arch, r.variant));
    out.extra.push_back(out.m.digest);
    out.m = TRY(cl.get_manifest(d.digest.str()));
    out.doc = TRY(parse_json(out.m.bytes, "manifest"));
    out.media_type = type_of(out.m, out.doc);
    if (TRY(context(image::classify_document(out.doc, out.media_type), ref.str())) != image::DocKind::manifest)
      return fail(Errc::invalid_input, "{}: the index names another index, not an image manifest", ref.str());
  }
  if (out.doc.is_object() && out.doc.contains("schemaVersion") && out.doc["schemaVersion"] == 1)
    return fail(Errc::unsupported, "{}: Docker schema 1 manifests are not supported", ref.str());
  return out;
}

// Which layers the store already has (same chain and same blob): those are not downloaded.
// Fills `layers` with them; returns the indexes of the others, and their total size.
std::pair<std::vector<size_t>, std::uint64_t> missing_layers(const store::Store& s, const image::Manifest& man,
                                                             const std::vector<DiffId>& diff_ids,
                                                             std::vector<image::IngestedLayer>& layers, Progress& p) {
  std::vector<size_t> todo;
  std::uint64_t total = 0;
  const ChainId* parent = nullptr;
  ChainId prev;
  for (size_t i = 0; i < man.layers.size(); i++) {
    ChainId chain = chain_id(parent, diff_ids[i]);
    const auto& ld = man.layers[i];
    auto rec = s.has_layer(chain) && s.has_blob(ld.digest) ? s.layer(chain)
                                                           : Result<store::LayerRecord>(std::unexpected(Error{}));
    if (rec) {
      layers[i].result = {rec->blob, rec->blob_size, rec->diff, rec->media_type, rec->size};
      p.line("Copying blob {} skipped: already exists", ld.digest.str().substr(0, 19));
    } else {
      todo.push_back(i);
      total += ld.size > 0 ? static_cast<std::uint64_t>(ld.size) : 0;
    }
    prev = chain;
    parent = &prev;
  }
  return {todo, total};
}

// Downloads the layers in `todo`, kParallel at a time, each on a client of its own.
Result<void> fetch_layers(const store::Store& s, const registry::Client& cl, const image::Manifest& man,
                          const std::vector<DiffId>& diff_ids, const std::vector<size_t>& todo,
                          std::vector<image::IngestedLayer>& layers, Progress& p) {
  auto uo = image::unpack_options(s);
  std::mutex mu;
  std::optional<Error> first_error;
  size_t next = 0;
  auto worker = [&](registry::Client mine) {
    while (true) {
      size_t i;
      {
        std::lock_guard g(mu);
        if (next >= todo.size() || first_error) return;
        i = todo[next++];
      }
      try {
        auto l = fetch_layer(s, mine, man.layers[i], diff_ids[i], uo, p);
        std::lock_guard g(mu);
        if (!l) {
          if (!first_error) first_error = l.error();
          return;
        }
        layers[i] = std::move(*l);
        p.line("Copying blob {} done", man.layers[i].digest.str().substr(0, 19));
      } catch (const std::exception& ex) {  // a thread entry point: nothing may escape (STYLE 2.5)
        std::lock_guard g(mu);
        if (!first_error) first_error = Error{Errc::internal, 0, ex.what()};
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned k = 0; k < kParallel && k < todo.size(); k++) threads.emplace_back(worker, cl.clone());
  for (auto& t : threads) t.join();
  if (first_error) return std::unexpected(*first_error);
  return {};
}

// `source` is where the image comes from (`ref` itself, or a mirror of it); it is stored as `ref`.
Result<Pulled> pull_one(Context& c, const Reference& ref, const Reference& source, const PullRequest& r,
                        const registry::RegistriesConf& conf, Progress& p) {
  auto cl = TRY(registry::Client::make(source, r.client, conf));
  auto chosen = TRY(choose_manifest(cl, source, r));
  auto man = TRY(context(image::parse_manifest(chosen.doc), ref.str()));
  p.line("Getting image source signatures");
  std::string config;
  if (c.store.has_blob(man.config.digest))
    config = TRY(c.store.read_blob(man.config.digest, kConfigMax));
  else
    config = TRY(cl.fetch_small_blob(man.config.digest, kConfigMax));
  auto diff_ids = TRY(image::config_diff_ids(TRY(parse_json(config, "image config"))));
  if (diff_ids.size() != man.layers.size())
    return fail(Errc::invalid_input, "{}: the manifest lists {} layers but the config has {} diff_ids", ref.str(),
                man.layers.size(), diff_ids.size());
  std::vector<image::IngestedLayer> layers(man.layers.size());
  auto [todo, total] = missing_layers(c.store, man, diff_ids, layers, p);
  p.start(total);
  auto fetched = fetch_layers(c.store, cl, man, diff_ids, todo, layers, p);
  p.stop();
  TRY(fetched);
  p.line("Copying config {} done", man.config.digest.str().substr(0, 19));
  p.line("Writing manifest to image destination");
  image::PendingImage img;
  img.config = std::move(config);
  img.manifest = chosen.m.bytes;
  img.manifest_type = chosen.media_type.empty() ? image::kOciManifest : chosen.media_type;
  for (const auto& l : layers) img.layers.push_back(&l);
  if (!ref.tag.empty()) img.names.push_back(ref.str());
  img.extra_digests = chosen.extra;
  if (ref.digest && chosen.m.digest != *ref.digest &&
      std::find(chosen.extra.begin(), chosen.extra.end(), *ref.digest) == chosen.extra.end())
    img.extra_digests.push_back(*ref.digest);
  std::vector<image::PendingImage> images;
  images.push_back(std::move(img));
  auto out = TRY(image::commit_images(c.store, images));
  return Pulled{out.front().id, ref.tag.empty() ? "" : ref.str()};
}

// registries.conf's [[registry.mirror]] entries for `ref`, in order, as references to pull
// from (the registry's prefix replaced by the mirror's location), with `conf` gaining an entry
// per mirror so that its insecure setting applies.
std::vector<Reference> mirrors_of(const Reference& ref, registry::RegistriesConf& conf) {
  std::vector<Reference> out;
  const registry::RegistryEntry* e = conf.find(ref.repository());
  if (!e || e->prefix.starts_with("*.")) return out;
  auto mirrors = e->mirrors;
  std::string rest = ref.str().substr(e->prefix.size());
  for (const auto& m : mirrors) {
    if ((m.pull_from_mirror == "digest-only" && !ref.digest) || (m.pull_from_mirror == "tag-only" && ref.digest))
      continue;
    auto mref = Reference::parse(m.location + rest);
    if (!mref || mref->domain.empty()) continue;
    out.push_back(*mref);
    conf.registries.push_back({m.location, m.location, m.insecure, false, {}});
  }
  return out;
}

// The mirrors first, then the registry itself.
Result<Pulled> pull_with_mirrors(Context& c, const Reference& ref, const PullRequest& r, registry::RegistriesConf conf,
                                 Progress& p) {
  for (const auto& m : mirrors_of(ref, conf)) {
    auto got = pull_one(c, ref, m, r, conf, p);
    if (got) return got;
    log::debug("mirror {} of {}: {}", m.str(), ref.str(), got.error().message);
  }
  return pull_one(c, ref, ref, r, conf, p);
}

}  // namespace

Result<Pulled> pull_image(Context& c, const PullRequest& r) {
  auto conf = TRY(registry::load_registries_conf());
  auto candidates = TRY(registry::pull_candidates(conf, r.reference, ::isatty(0) && ::isatty(1)));
  Progress p(r.quiet);
  std::optional<Error> last;
  std::vector<std::string> tried;
  for (const auto& ref : candidates) {
    p.line("Trying to pull {}...", ref.str());
    auto id = pull_with_mirrors(c, ref, r, conf, p);
    if (id) {
      emit_event(c.store, "image", "pull", id->id.hex(), ref.str(), ref.str());
      return *id;
    }
    last = id.error();
    tried.push_back(fmt::format("{}: {}", ref.str(), id.error().message));
  }
  if (candidates.size() == 1) return std::unexpected(*last);
  std::string all;
  for (const auto& t : tried) all += (all.empty() ? "" : "; ") + t;
  return fail(last->code, "{}: every candidate failed: {}", r.reference, all);
}

Result<void> parse_platform(std::string_view text, PullRequest& p) {
  auto parts = split(std::string(text), '/');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return fail(Errc::usage, "invalid platform \"{}\": use OS/ARCH[/VARIANT]", text);
  p.os = parts[0];
  p.arch = parts[1];
  p.variant = parts.size() == 3 ? parts[2] : "";
  return {};
}

Result<PullPolicy> parse_pull_policy(std::string_view s) {
  if (s == "missing" || s.empty()) return PullPolicy::missing;
  if (s == "always" || s == "true") return PullPolicy::always;
  if (s == "never" || s == "false") return PullPolicy::never;
  if (s == "newer") return PullPolicy::newer;
  return fail(Errc::usage, "invalid pull policy \"{}\": use missing, always, never or newer", s);
}

namespace {

// A local image serves a request that names no platform, or one its config is of (podman
// pulls again when --platform asks for another).
bool platform_matches(Context& c, const Digest& id, const PullRequest& r) {
  if (r.arch.empty()) return true;
  auto text = c.store.read_blob(id, image::kDocumentMax);
  if (!text) return true;
  auto cfg = parse_json(*text, "image config");
  if (!cfg || !cfg->is_object()) return true;
  return cfg->value("architecture", "") == r.arch && cfg->value("os", "linux") == r.os &&
         (r.variant.empty() || cfg->value("variant", "") == r.variant);
}

}  // namespace

Result<std::string> ensure_image(Context& c, const std::string& input, PullPolicy policy, const PullRequest& base) {
  auto local = [&]() -> Result<ResolvedImage> {
    auto names = TRY(c.store.names());
    return resolve_image(c.store, names, input);
  };
  PullRequest r = base;
  r.reference = input;
  auto pull = [&]() -> Result<std::string> {
    auto p = TRY(pull_image(c, r));
    return p.name.empty() ? p.id.str() : p.name;
  };
  switch (policy) {
    case PullPolicy::never: return input;
    case PullPolicy::always: return pull();
    case PullPolicy::missing: {
      auto found = local();
      if (found) return platform_matches(c, found->id, base) ? input : pull();
      if (found.error().code != Errc::not_found) return std::unexpected(found.error());
      return pull();
    }
    case PullPolicy::newer: {
      auto found = local();
      if (!found) {
        if (found.error().code != Errc::not_found) return std::unexpected(found.error());
        return pull();
      }
      // Pull only when the registry's manifest differs from the one this store has.
      auto check = [&]() -> Result<bool> {
        auto conf = TRY(registry::load_registries_conf());
        auto cands = TRY(registry::pull_candidates(conf, found->name.empty() ? input : found->name, false));
        auto cl = TRY(registry::Client::make(cands.front(), r.client, conf));
        auto remote = TRY(cl.head_manifest(cands.front().digest ? cands.front().digest->str() : cands.front().tag));
        if (!remote) return false;
        auto rec = TRY(c.store.image(found->id));
        return *remote != rec.manifest &&
               std::find(rec.digests.begin(), rec.digests.end(), *remote) == rec.digests.end();
      };
      auto newer = check();
      if (!newer) {
        log::warn("checking {} for a newer image: {}; using the local one", input, newer.error().message);
        return input;
      }
      return *newer ? pull() : input;
    }
  }
  return input;
}

}  // namespace berth::engine

// `import`: a root filesystem tarball becomes a one-layer image, through the same streaming
// ingest and commit as `load`.
#include <unistd.h>

#include <ctime>

#include "berth/core/humanize.hpp"
#include "berth/image/config.hpp"
#include "berth/image/load.hpp"

namespace berth::image {

Result<LoadedImage> import_rootfs(const store::Store& s, int fd, const ImportOptions& o) {
  Json cfg = {
      {"architecture", host_arch()},
      {"os", "linux"},
      {"config", {{"Env", Json::array({"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"})}}}};
  for (const auto& c : o.changes) TRY(apply_change(cfg, c));
  auto layer = TRY(context(ingest_to_temp(
                               s, [&](void* b, size_t n) { return ::read(fd, b, n); }, unpack_options(s)),
                           "import"));
  std::string now = rfc3339_utc(static_cast<std::int64_t>(std::time(nullptr)));
  cfg["created"] = now;
  cfg["rootfs"] = {{"type", "layers"}, {"diff_ids", Json::array({layer.result.diff.d.str()})}};
  Json hist = {{"created", now},
               {"created_by", "/bin/sh -c #(nop) ADD file:" + std::string(layer.result.diff.d.hex()) + " in / "}};
  if (!o.message.empty()) hist["comment"] = o.message;
  cfg["history"] = Json::array({hist});
  return commit_image(s, cfg, {&layer}, o.name);
}

}  // namespace berth::image

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "berth/core/reference.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/resolve.hpp"
#include "berth/image/load.hpp"
#include "berth/image/save.hpp"
#include "berth/sys/file.hpp"

namespace berth::engine {

Result<std::vector<std::string>> load_images(Context& c, const LoadRequest& r) {
  image::LoadOptions o{r.progress};
  std::vector<image::LoadedImage> loaded;
  if (r.input.empty() || r.input == "-") {
    loaded = TRY(image::load_archive(c.store, 0, o));
  } else {
    struct stat st;
    if (::stat(r.input.c_str(), &st) < 0) return fail_errno("{}", r.input);
    if (S_ISDIR(st.st_mode)) {
      loaded = TRY(image::load_oci_dir(c.store, r.input, o));
    } else {
      auto fd = TRY(sys::open_at(AT_FDCWD, r.input, O_RDONLY));
      loaded = TRY(context(image::load_archive(c.store, fd.get(), o), r.input));
    }
  }
  std::vector<std::string> out;
  for (const auto& l : loaded) {
    if (l.names.empty()) out.push_back(l.id.str());
    for (const auto& n : l.names) out.push_back(n);
  }
  return out;
}

Result<void> save_images(Context& c, const SaveRequest& r) {
  auto format = TRY(image::parse_save_format(r.format));
  if (format == image::SaveFormat::oci_dir && r.output.empty())
    return fail(Errc::usage, "oci-dir needs an output directory (-o)");
  if (r.output.empty() && ::isatty(1))
    return fail(Errc::usage, "refusing to save to terminal. Use -o flag or redirect");
  auto lock = TRY(c.store.read_lock());
  auto names = TRY(c.store.names());
  std::vector<image::SaveItem> items;
  for (const auto& i : r.images) {
    auto res = TRY(resolve_image(c.store, names, i));
    image::SaveItem item{res.id, {}};
    if (!res.name.empty()) item.names.push_back(res.name);  // saved by ID: no name, as podman's
    items.push_back(item);
  }
  if (format == image::SaveFormat::oci_dir) return image::save_images(c.store, items, format, -1, r.output);
  if (r.output.empty()) return image::save_images(c.store, items, format, 1, "");
  return sys::write_output_file(r.output, [&](int fd) { return image::save_images(c.store, items, format, fd, ""); });
}

Result<Digest> import_image(Context& c, const ImportRequest& r) {
  image::ImportOptions o{r.changes, r.message, ""};
  if (!r.reference.empty()) {
    auto ref = TRY(Reference::normalize(r.reference, "localhost"));
    o.name = ref.str();
  }
  sys::UniqueFd fd;
  int in = 0;
  if (r.input != "-") {
    fd = TRY(sys::open_at(AT_FDCWD, r.input, O_RDONLY));
    in = fd.get();
  }
  auto img = TRY(image::import_rootfs(c.store, in, o));
  return img.id;
}

}  // namespace berth::engine

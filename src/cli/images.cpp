// images, image list.
#include <algorithm>

#include <fmt/format.h>
#include <set>

#include "berth/core/humanize.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

struct ImagesFlags {
  bool all = false, quiet = false, no_trunc = false, digests = false, noheading = false;
  std::string format, sort = "created";
  std::vector<std::string> filters;
};

// images --sort: created (the default, newest first), id, repository, size, tag (the last two
// name rows, sorted after the images are split into them).
Result<void> sort_images(std::vector<engine::ImageSummary>& list, const std::string& key) {
  using I = engine::ImageSummary;
  if (key == "created")
    std::ranges::stable_sort(list, [](const I& a, const I& b) { return a.created > b.created; });
  else if (key == "id")
    std::ranges::stable_sort(list, [](const I& a, const I& b) { return a.id.hex() < b.id.hex(); });
  else if (key == "size")
    std::ranges::stable_sort(list, [](const I& a, const I& b) { return a.size < b.size; });
  else if (key != "repository" && key != "tag")
    return fail(Errc::usage, "\"{}\" is not a valid option for --sort: choose from created, id, repository, size, tag",
                key);
  return {};
}

Result<int> images(engine::GlobalOptions& g, const ImagesFlags& f) {
  auto c = TRY(engine::open_context(g));
  bool labels = f.format.find("Labels") != std::string::npos || f.format == "json";
  auto list = TRY(engine::list_images(c, {f.filters, labels, f.all}));
  TRY(sort_images(list, f.sort));
  if (f.quiet) {
    std::set<std::string> seen;
    for (const auto& i : list)
      if (seen.insert(i.id.str()).second) fmt::print("{}\n", display_id(i.id, f.no_trunc));
    return 0;
  }
  std::vector<Json> rows;
  Json json_rows = Json::array();
  for (const auto& i : list) {
    Json base = {{"ID", display_id(i.id, f.no_trunc)},
                 {"Id", std::string(i.id.hex())},
                 {"Digest", i.digest.str()},
                 {"CreatedSince", since(i.created)},
                 {"Created", since(i.created)},
                 {"CreatedAt", created_at(i.created)},
                 {"Size", human_size(static_cast<double>(i.size), true)},
                 {"Containers", i.containers},
                 {"Labels", i.labels.empty() ? Json() : i.labels},
                 {"Names", i.names},
                 {"ReadOnly", false},
                 {"Dangling", i.names.empty()}};
    if (i.names.empty()) {
      Json r = base;
      r["Repository"] = "<none>";
      r["Tag"] = "<none>";
      rows.push_back(r);
    }
    for (const auto& n : i.names) {
      Json r = base;
      auto colon = n.rfind(':');
      r["Repository"] = n.substr(0, colon);
      r["Tag"] = n.substr(colon + 1);
      rows.push_back(r);
    }
    Json digests = Json::array();
    for (const auto& n : i.names) digests.push_back(n.substr(0, n.rfind(':')) + "@" + i.digest.str());
    json_rows.push_back({{"Id", std::string(i.id.hex())},
                         {"ParentId", ""},
                         {"RepoTags", i.names.empty() ? Json() : Json(i.names)},
                         {"RepoDigests", digests},
                         {"Size", i.size},
                         {"SharedSize", 0},
                         {"VirtualSize", i.size},
                         {"Labels", i.labels.empty() ? Json() : i.labels},
                         {"Containers", i.containers},
                         {"Names", i.names.empty() ? Json() : Json(i.names)},
                         {"Digest", i.digest.str()},
                         {"History", i.names.empty() ? Json() : Json(i.names)},
                         {"Created", i.created},
                         {"CreatedAt", rfc3339_utc(i.created)},
                         {"Dangling", i.names.empty()}});
  }
  std::string table = f.digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                                : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  Json titles = {{"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"}, {"Created", "CREATED"}};
  if (f.sort == "repository" || f.sort == "tag") {
    std::string key = f.sort == "tag" ? "Tag" : "Repository";
    std::ranges::stable_sort(rows, [&](const Json& a, const Json& b) { return a[key] < b[key]; });
  }
  TRY(print_rows(rows, json_rows, f.format, table, titles, f.noheading));
  return 0;
}

}  // namespace

void add_images(CLI::App& app, CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto f = r.keep(std::make_shared<ImagesFlags>());
  sub->add_flag("-a,--all", f->all, "Show all images (default hides intermediate images)");
  sub->add_flag("-q,--quiet", f->quiet, "Display only image IDs");
  sub->add_flag("--no-trunc", f->no_trunc, "Do not truncate output");
  sub->add_flag("--digests", f->digests, "Show digests");
  sub->add_flag("-n,--noheading", f->noheading, "Do not print column headings");
  sub->add_option("--sort", f->sort, "Sort by created, id, repository, size or tag");
  sub->add_option("--format", f->format, "Change the output format to JSON or a Go template");
  sub->add_option("-f,--filter", f->filters, "Filter output based on conditions provided")->allow_extra_args(false);
  auto ref = r.keep(std::make_shared<std::string>());
  sub->add_option("image", *ref, "Show only the images this reference names (a reference filter)");
  (void)app;
  r.on(sub, [f, ref](engine::GlobalOptions& g) {
    ImagesFlags flags = *f;
    if (!ref->empty()) flags.filters.push_back("reference=" + *ref);  // as podman: `images REF`
    return images(g, flags);
  });
}

}  // namespace berth::cli

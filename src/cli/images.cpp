// images, tag, untag, rmi, image inspect, inspect, history, image prune, system df.
#include <ctime>
#include <set>

#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "common.hpp"

namespace berth::cli {

namespace {

std::string since(std::int64_t t) {
  return human_duration(static_cast<std::int64_t>(std::time(nullptr)) - t) + " ago";
}

std::string display_id(const Digest& d, bool no_trunc) {
  return no_trunc ? d.str() : d.short_id();
}

struct ImagesFlags {
  bool all = false, quiet = false, no_trunc = false, digests = false;
  std::string format;
  std::vector<std::string> filters;
};

Result<int> images(engine::GlobalOptions& g, const ImagesFlags& f) {
  auto c = TRY(engine::open_context(g));
  bool labels = f.format.find("Labels") != std::string::npos || f.format == "json";
  auto list = TRY(engine::list_images(c, {f.filters, labels}));
  if (f.quiet) {
    std::set<std::string> seen;
    for (const auto& i : list)
      if (seen.insert(i.id.str()).second) fmt::print("{}\n", display_id(i.id, f.no_trunc));
    return 0;
  }
  std::vector<Json> rows;
  Json json_rows = Json::array();
  for (const auto& i : list) {
    Json base = {{"ID", display_id(i.id, f.no_trunc)}, {"Id", std::string(i.id.hex())}, {"Digest", i.digest.str()},
                 {"CreatedSince", since(i.created)},    {"Created", since(i.created)},   {"CreatedAt", created_at(i.created)},
                 {"Size", human_size(static_cast<double>(i.size), true)}, {"Containers", i.containers},
                 {"Labels", i.labels.empty() ? Json() : i.labels}, {"Names", i.names}, {"ReadOnly", false},
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
    json_rows.push_back({{"Id", std::string(i.id.hex())}, {"ParentId", ""}, {"RepoTags", i.names.empty() ? Json() : Json(i.names)},
                         {"RepoDigests", digests}, {"Size", i.size}, {"SharedSize", 0}, {"VirtualSize", i.size},
                         {"Labels", i.labels.empty() ? Json() : i.labels}, {"Containers", i.containers},
                         {"Names", i.names.empty() ? Json() : Json(i.names)}, {"Digest", i.digest.str()},
                         {"History", i.names.empty() ? Json() : Json(i.names)}, {"Created", i.created},
                         {"CreatedAt", rfc3339_utc(i.created)}, {"Dangling", i.names.empty()}});
  }
  std::string table = f.digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                                : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  Json titles = {{"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"}, {"Created", "CREATED"}};
  TRY(print_rows(rows, json_rows, f.format, table, titles));
  return 0;
}

void add_images(CLI::App& app, Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto f = r.keep(std::make_shared<ImagesFlags>());
  sub->add_flag("-a,--all", f->all, "Show all images (default hides intermediate images)");
  sub->add_flag("-q,--quiet", f->quiet, "Display only image IDs");
  sub->add_flag("--no-trunc", f->no_trunc, "Do not truncate output");
  sub->add_flag("--digests", f->digests, "Show digests");
  sub->add_option("--format", f->format, "Change the output format to JSON or a Go template");
  sub->add_option("-f,--filter", f->filters, "Filter output based on conditions provided")->allow_extra_args(false);
  (void)app;
  r.on(sub, [f](engine::GlobalOptions& g) { return images(g, *f); });
}

// type: "all" (a container first, then an image, as podman), "image" or "container".
Result<int> inspect_objects(engine::GlobalOptions& g, const std::vector<std::string>& names, const std::string& format,
                            const std::string& type) {
  auto c = TRY(engine::open_context(g));
  Json all = Json::array();
  std::vector<Error> errors;
  for (const auto& n : names) {
    Result<Json> j = fail(Errc::not_found, "{}: no such object", n);
    if (type != "image") j = engine::inspect_container(c, n);
    if (!j && type != "container") j = engine::inspect_image(c, n);
    if (!j && type == "all") j = fail(Errc::not_found, "no such object: \"{}\"", n);
    if (!j) {
      errors.push_back(Error{j.error().code, 0, fmt::format("{}", j.error().message)});
      continue;
    }
    all.push_back(*j);
  }
  if (format.empty() || format == "json") {
    fmt::print("{}\n", dump_json(all, 4));
  } else {
    std::vector<Json> rows(all.begin(), all.end());
    TRY(print_rows(rows, all, format, "", Json::object()));
  }
  if (!errors.empty()) {
    for (const auto& e : errors) fmt::print(stderr, "Error: {}\n", e.message);
    return 125;
  }
  return 0;
}


void add_tag(Registry& r, CLI::App* sub, bool untag) {
  if (!r.wanted(sub)) return;
  auto args = r.keep(std::make_shared<std::vector<std::string>>());
  sub->add_option("args", *args, untag ? "IMAGE [NAME...]" : "IMAGE TARGET_NAME [TARGET_NAME...]")->required();
  r.on(sub, [args, untag](engine::GlobalOptions& g) -> Result<int> {
    if (!untag && args->size() < 2) return fail(Errc::usage, "at least two arguments are required");
    auto c = TRY(engine::open_context(g));
    std::vector<std::string> rest(args->begin() + 1, args->end());
    if (untag) TRY(engine::untag_image(c, args->front(), rest));
    else TRY(engine::tag_image(c, args->front(), rest));
    return 0;
  });
}

void add_rmi(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::RmiOptions>());
  sub->add_flag("-f,--force", o->force, "Force removal of the image");
  sub->add_flag("-a,--all", o->all, "Remove all images");
  sub->add_option("images", o->images, "Images to remove");
  r.on(sub, [o](engine::GlobalOptions& g) -> Result<int> {
    if (o->images.empty() && !o->all) return fail(Errc::usage, "image name or ID must be specified");
    if (!o->images.empty() && o->all) return fail(Errc::usage, "when using the --all switch, you may not pass any images names or IDs");
    auto c = TRY(engine::open_context(g));
    auto rep = TRY(engine::remove_images(c, *o));
    for (const auto& u : rep.untagged) fmt::print("Untagged: {}\n", u);
    for (const auto& d : rep.deleted) fmt::print("Deleted: {}\n", d.hex());
    return report_item_errors(rep.errors);
  });
}

void add_history(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto image = r.keep(std::make_shared<std::string>());
  auto no_trunc = r.keep(std::make_shared<bool>(false));
  auto quiet = r.keep(std::make_shared<bool>(false));
  auto human = r.keep(std::make_shared<bool>(true));
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("image", *image, "Image")->required();
  sub->add_flag("--no-trunc", *no_trunc, "Do not truncate the output");
  sub->add_flag("-q,--quiet", *quiet, "Display the numeric IDs only");
  sub->add_flag("-H,--human{true}", *human, "Display sizes and dates in human readable format");
  sub->add_option("--format", *format, "Change the output to JSON or a Go template");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    auto hist = TRY(engine::image_history(c, *image));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    for (const auto& h : hist) {
      std::string id = h.id == "<missing>" || *no_trunc ? h.id : h.id.substr(0, 12);
      if (*quiet) {
        fmt::print("{}\n", id);
        continue;
      }
      std::string by = h.created_by;
      if (!*no_trunc && by.size() > 45) by = by.substr(0, 42) + "...";
      rows.push_back({{"ID", id}, {"Created", *human ? since(h.created) : rfc3339_utc(h.created)},
                      {"CreatedSince", since(h.created)}, {"CreatedAt", rfc3339_utc(h.created)}, {"CreatedBy", by},
                      {"Size", *human ? human_size(static_cast<double>(h.size)) : std::to_string(h.size)},
                      {"Comment", h.comment}, {"Tags", Json()}});
      json_rows.push_back({{"id", h.id}, {"created", rfc3339_utc(h.created)}, {"createdBy", h.created_by},
                           {"size", h.size}, {"comment", h.comment}});
    }
    if (*quiet) return 0;
    TRY(print_rows(rows, json_rows, *format, "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                   {{"CreatedBy", "CREATED BY"}}));
    return 0;
  });
}

void add_image_exists(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  sub->add_option("image", *name, "Image")->required();
  r.on(sub, [name](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    return TRY(engine::image_exists(c, *name)) ? 0 : 1;  // podman: 0 exists, 1 not, 125 error
  });
}

void add_prune(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto all = r.keep(std::make_shared<bool>(false));
  auto force = r.keep(std::make_shared<bool>(false));
  sub->add_flag("-a,--all", *all, "Remove all images not in use by containers, not just dangling ones");
  sub->add_flag("-f,--force", *force, "Do not prompt for confirmation");
  r.on(sub, [all](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    for (const auto& d : TRY(engine::prune_images(c, *all))) fmt::print("{}\n", d.hex());
    return 0;
  });
}

void add_df(Registry& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("--format", *format, "Pretty-print with a Go template or json");
  r.on(sub, [format](engine::GlobalOptions& g) -> Result<int> {
    auto c = TRY(engine::open_context(g));
    std::vector<Json> rows;
    Json json_rows = Json::array();
    for (const auto& d : TRY(engine::system_df(c))) {
      int pct = d.size ? static_cast<int>(100.0 * static_cast<double>(d.reclaimable) / static_cast<double>(d.size)) : 0;
      rows.push_back({{"Type", d.type}, {"Total", d.total}, {"Active", d.active},
                      {"Size", human_size(static_cast<double>(d.size))},
                      {"Reclaimable", fmt::format("{} ({}%)", human_size(static_cast<double>(d.reclaimable)), pct)}});
      json_rows.push_back({{"Type", d.type}, {"Total", d.total}, {"Active", d.active}, {"RawSize", d.size},
                           {"RawReclaimable", d.reclaimable}, {"Size", human_size(static_cast<double>(d.size))},
                           {"Reclaimable", fmt::format("{} ({}%)", human_size(static_cast<double>(d.reclaimable)), pct)}});
    }
    TRY(print_rows(rows, json_rows, *format, "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}", Json::object()));
    return 0;
  });
}

}  // namespace

void add_inspect_command(Registry& r, CLI::App* sub, const std::string& fixed_type) {
  if (!r.wanted(sub)) return;
  auto names = r.keep(std::make_shared<std::vector<std::string>>());
  auto format = r.keep(std::make_shared<std::string>());
  auto type = r.keep(std::make_shared<std::string>(fixed_type));
  sub->add_option("-f,--format", *format, "Format the output using the given Go template");
  if (fixed_type == "all") sub->add_option("-t,--type", *type, "Specify inspect-object type (image, container, all)");
  sub->add_option("names", *names, "Objects to inspect")->required();
  r.on(sub, [names, format, type](engine::GlobalOptions& g) -> Result<int> {
    if (*type != "all" && *type != "image" && *type != "container")
      return fail(Errc::usage, "invalid type \"{}\": must be image, container or all", *type);
    return inspect_objects(g, *names, *format, *type);
  });
}

void register_image_commands(CLI::App& app, Registry& r) {
  CLI::App* image = r.sub(&app, "image", "Manage images");
  add_images(app, r, r.sub(&app, "images", "List images in local storage"));
  add_images(app, r, r.sub(image, "list", "List images in local storage", {"ls"}));
  add_inspect_command(r, r.sub(&app, "inspect", "Display the configuration of an object"), "all");
  add_inspect_command(r, r.sub(image, "inspect", "Display the configuration of an image"), "image");
  add_tag(r, r.sub(&app, "tag", "Add an additional name to a local image"), false);
  add_tag(r, r.sub(image, "tag", "Add an additional name to a local image"), false);
  add_tag(r, r.sub(&app, "untag", "Remove a name from a local image"), true);
  add_tag(r, r.sub(image, "untag", "Remove a name from a local image"), true);
  add_rmi(r, r.sub(&app, "rmi", "Remove one or more images from local storage"));
  add_rmi(r, r.sub(image, "rm", "Remove one or more images from local storage"));
  add_history(r, r.sub(&app, "history", "Show history of a specified image"));
  add_history(r, r.sub(image, "history", "Show history of a specified image"));
  add_prune(r, r.sub(image, "prune", "Remove unused images"));
  add_image_exists(r, r.sub(image, "exists", "Check if an image exists in local storage"));
  CLI::App* system = r.sub(&app, "system", "Manage berth");
  add_df(r, r.sub(system, "df", "Show berth disk usage"));
  image->require_subcommand(1);
  system->require_subcommand(1);
}

}  // namespace berth::cli

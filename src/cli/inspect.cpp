// inspect, image inspect, container inspect.
#include <fmt/format.h>

#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

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

}  // namespace

void add_inspect_command(CommandTable& r, CLI::App* sub, const std::string& fixed_type) {
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

}  // namespace berth::cli

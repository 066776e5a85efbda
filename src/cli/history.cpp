// history, image history.
#include <fmt/format.h>

#include "berth/core/humanize.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_history(CommandTable& r, CLI::App* sub) {
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
      rows.push_back({{"ID", id},
                      {"Created", *human ? since(h.created) : rfc3339_utc(h.created)},
                      {"CreatedSince", since(h.created)},
                      {"CreatedAt", rfc3339_utc(h.created)},
                      {"CreatedBy", by},
                      {"Size", *human ? human_size(static_cast<double>(h.size)) : std::to_string(h.size)},
                      {"Comment", h.comment},
                      {"Tags", Json()}});
      json_rows.push_back({{"id", h.id},
                           {"created", rfc3339_utc(h.created)},
                           {"createdBy", h.created_by},
                           {"size", h.size},
                           {"comment", h.comment}});
    }
    if (*quiet) return 0;
    TRY(print_rows(rows, json_rows, *format, "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
                   {{"CreatedBy", "CREATED BY"}}));
    return 0;
  });
}

}  // namespace berth::cli

// diff, image diff.
#include <fmt/format.h>

#include "berth/engine/changes.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

void add_diff(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto name = r.keep(std::make_shared<std::string>());
  auto format = r.keep(std::make_shared<std::string>());
  sub->add_option("--format", *format, "Change the output format (json)");
  auto latest = r.keep(std::make_shared<bool>(false));
  sub->add_option("name", *name, "Container or image");
  sub->add_flag("-l,--latest", *latest, "Act on the latest container berth is aware of");
  r.on(sub, [name, format, latest](engine::GlobalOptions& g) -> Result<int> {
    if (!format->empty() && *format != "json") return fail(Errc::usage, "unknown --format \"{}\": only json", *format);
    if (name->empty() && !*latest) return fail(Errc::usage, "requires exactly 1 arg(s), only received 0");
    if (!name->empty() && *latest) return fail(Errc::usage, "--latest and containers cannot be used together");
    auto c = TRY(engine::open_context(g));
    if (*latest) {
      auto all = TRY(engine::list_containers(c, {true, false, {}}));
      if (all.empty()) return fail(Errc::not_found, "no containers to diff: no such container");
      *name = all.front().id;  // newest first
    }
    auto changes = TRY(engine::diff_object(c, *name));
    if (format->empty()) {
      for (const auto& ch : changes) fmt::print("{} {}\n", ch.kind, ch.path);
      return 0;
    }
    Json j = Json::object();
    for (const auto& ch : changes) {
      const char* key = ch.kind == 'A' ? "added" : ch.kind == 'C' ? "changed" : "deleted";
      j[key].push_back(ch.path);
    }
    fmt::print("{}\n", dump_json(j, 4));
    return 0;
  });
}

}  // namespace berth::cli

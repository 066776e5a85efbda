// events, system events.
#include <ctime>
#include <fmt/format.h>
#include <unistd.h>

#include "berth/core/humanize.hpp"
#include "berth/core/template.hpp"
#include "berth/engine/events.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

namespace {

// An event as podman's --format sees it: Time as text, TimeNano as the number.
Json event_view(const Json& e) {
  Json v = e;
  std::int64_t t = json_int(e, "Time");
  v["TimeNano"] = t;
  v["Time"] = rfc3339_utc(t / 1000000000, static_cast<long>(t % 1000000000));
  if (!v.contains("Attributes")) v["Attributes"] = Json::object();
  return v;
}

// podman's default line: 2024-01-02 03:04:05.123456789 +0000 UTC container start ID (image=..., name=...)
std::string event_line(const Json& e) {
  std::int64_t t = json_int(e, "Time");
  std::time_t secs = static_cast<std::time_t>(t / 1000000000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char when[64];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
  std::string attrs;
  if (!json_str(e, "Image").empty()) attrs += "image=" + json_str(e, "Image");
  if (!json_str(e, "Name").empty()) attrs += std::string(attrs.empty() ? "" : ", ") + "name=" + json_str(e, "Name");
  if (!json_str(e, "HealthStatus").empty()) attrs += ", health_status=" + json_str(e, "HealthStatus");
  const Json& a = json_obj(e, "Attributes");
  if (a.is_object())
    for (auto it = a.begin(); it != a.end(); ++it)
      attrs += std::string(attrs.empty() ? "" : ", ") + it.key() + "=" +
               (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  return fmt::format("{}.{:09d} +0000 UTC {} {} {}{}", when, t % 1000000000, json_str(e, "Type"), json_str(e, "Status"),
                     json_str(e, "ID"), attrs.empty() ? "" : " (" + attrs + ")");
}

}  // namespace

void add_events(CommandTable& r, CLI::App* sub) {
  if (!r.wanted(sub)) return;
  auto o = r.keep(std::make_shared<engine::EventsOptions>());
  auto since = r.keep(std::make_shared<std::string>());
  auto until = r.keep(std::make_shared<std::string>());
  auto format = r.keep(std::make_shared<std::string>());
  auto stream = r.keep(std::make_shared<std::string>("true"));
  auto no_trunc = r.keep(std::make_shared<std::string>("true"));
  sub->add_option("-f,--filter", o->filters, "Filter output (container=, image=, event=, type=, label=)")
      ->allow_extra_args(false);
  sub->add_option("--format", *format, "Format the output using a Go template or json");
  sub->add_option("--since", *since, "Show all events created since timestamp");
  sub->add_option("--until", *until, "Show all events created until timestamp");
  sub->add_flag("--stream{true}", *stream, "Stream new events (--stream=false: print what is there and exit)");
  sub->add_flag("--no-trunc{true}", *no_trunc, "Do not truncate the output (always on)");
  r.on(sub, [=](engine::GlobalOptions& g) -> Result<int> {
    if (*stream != "true" && *stream != "false") return fail(Errc::usage, "--stream: invalid value \"{}\"", *stream);
    o->stream = *stream == "true";
    if (!since->empty()) o->since_ns = TRY(parse_time(*since));
    if (!until->empty()) o->until_ns = TRY(parse_time(*until));
    std::optional<Template> tpl;
    if (!format->empty() && *format != "json") tpl = TRY(Template::parse(*format));
    auto c = TRY(engine::open_context(g));
    TRY(engine::read_events(c, *o, [&](const Json& e) {
      if (*format == "json")
        fmt::print("{}\n", dump_json(event_view(e)));
      else if (tpl)
        fmt::print("{}\n", tpl->render(event_view(e)));
      else
        fmt::print("{}\n", event_line(e));
      std::fflush(stdout);
    }));
    return 0;
  });
}

}  // namespace berth::cli

// Output and multi-target helpers the commands share: tables and templates, per-item errors, --cidfile, times.
#include <iostream>
#include <chrono>
#include <ctime>
#include <fmt/format.h>
#include <fstream>

#include "berth/core/humanize.hpp"
#include "berth/core/template.hpp"
#include "berth/engine/images.hpp"
#include "berth/engine/run.hpp"
#include "commands.hpp"

namespace berth::cli {

int print_report(const engine::MultiReport& rep) {
  for (const auto& d : rep.done) fmt::print("{}\n", d);
  return report_item_errors(rep.errors);
}

void add_cid_flags(CLI::App* sub, CidTargets& t) {
  sub->add_option("--cidfile", t.cidfiles, "Read the container ID from the file")->allow_extra_args(false);
  sub->add_flag("-i,--ignore", t.ignore, "Ignore errors when a specified container is missing");
}

Result<void> read_cidfiles(const CidTargets& t, std::vector<std::string>& into) {
  for (const auto& f : t.cidfiles) {
    std::ifstream in(f);
    std::string id;
    if (!in || !(in >> id)) {
      if (t.ignore) continue;
      return fail(Errc::not_found, "reading CIDFile {}: no such file or no id in it", f);
    }
    into.push_back(id);
  }
  return {};
}

bool confirm(const std::string& text) {
  fmt::print("{}Are you sure you want to continue? [y/N] ", text);
  std::fflush(stdout);
  std::string answer;
  return std::getline(std::cin, answer) && (answer == "y" || answer == "Y" || answer == "yes");
}

int print_report_ignoring(engine::MultiReport rep, bool ignore, bool missing_is_125) {
  if (ignore) std::erase_if(rep.errors, [](const Error& e) { return e.code == Errc::not_found; });
  if (missing_is_125)
    for (auto& e : rep.errors)
      if (e.code == Errc::not_found) e.code = Errc::invalid_input;
  return print_report(rep);
}

// --since/--until: RFC 3339, unix seconds, or a duration before now ("10m", "1h30m", "45s").
Result<std::int64_t> parse_time(const std::string& s) {
  std::int64_t t = 0;
  if (parse_rfc3339(s, t)) return t * 1000000000;
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string::npos)
    return static_cast<std::int64_t>(std::stod(s) * 1e9);
  std::int64_t total = 0, num = 0;
  bool any = false;
  for (char ch : s) {
    if (isdigit(static_cast<unsigned char>(ch))) {
      num = num * 10 + (ch - '0');
      continue;
    }
    std::int64_t mul = ch == 'h' ? 3600 : ch == 'm' ? 60 : ch == 's' ? 1 : 0;
    if (!mul) return fail(Errc::usage, "invalid time \"{}\": use RFC 3339, unix seconds or a duration like 10m", s);
    total += num * mul;
    num = 0;
    any = true;
  }
  if (!any || num)
    return fail(Errc::usage, "invalid time \"{}\": use RFC 3339, unix seconds or a duration like 10m", s);
  auto now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  return now - total * 1000000000;
}

std::string since(std::int64_t t) { return human_duration(static_cast<std::int64_t>(std::time(nullptr)) - t) + " ago"; }

std::string display_id(const Digest& d, bool no_trunc) { return no_trunc ? d.str() : d.short_id(); }

Result<void> print_rows(const std::vector<Json>& rows, const Json& json_rows, const std::string& format,
                        const std::string& default_table, const Json& titles, bool noheading) {
  if (format == "json") {
    fmt::print("{}\n", dump_json(json_rows, 4));
    return {};
  }
  auto t = TRY(Template::parse(format.empty() ? default_table : format));
  std::string out;
  if (t.is_table() && !noheading) out += t.header(titles) + "\n";
  for (const auto& r : rows) out += t.render(r) + "\n";
  if (out.empty()) return {};
  fmt::print("{}", t.is_table() ? tabulate(out.substr(0, out.size() - 1)) : out);
  return {};
}

int report_item_errors(const std::vector<Error>& errors) {
  int code = 0;
  for (const auto& e : errors) {
    fmt::print(stderr, "Error: {}\n", e.message);
    int c = e.code == Errc::not_found ? 1 : e.code == Errc::conflict ? 2 : 125;
    if (code == 0 || c > code) code = c;
  }
  return code;
}

}  // namespace berth::cli

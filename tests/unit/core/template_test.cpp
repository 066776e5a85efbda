#include <catch2/catch.hpp>

#include "berth/core/template.hpp"

using namespace berth;

static std::string render(std::string_view t, const Json& j) {
  auto tpl = Template::parse(t);
  REQUIRE(tpl.has_value());
  return tpl->render(j);
}

TEST_CASE("template: fields, nesting, json, index, join, len, range") {
  Json j = {{"ID", "abc"},
            {"Config", {{"Env", {"A=1", "B=2"}}, {"Labels", {{"k", "v"}}}}},
            {"Size", 42},
            {"Ok", true},
            {"Nil", nullptr}};
  CHECK(render("{{.ID}}", j) == "abc");
  CHECK(render("id={{ .ID }} size={{.Size}}", j) == "id=abc size=42");
  CHECK(render("{{.Config.Env}}", j) == "[A=1 B=2]");
  CHECK(render("{{json .Config.Env}}", j) == R"(["A=1","B=2"])");
  CHECK(render("{{.Config.Labels}}", j) == "map[k:v]");
  CHECK(render(R"({{index .Config.Labels "k"}})", j) == "v");
  Json n = {{"Networks", {{"net1", {{"IPAddress", "10.89.0.2"}}}}}, {"Subnets", {{{"Subnet", "10.89.0.0/24"}}}}};
  CHECK(render(R"({{(index .Networks "net1").IPAddress}})", n) == "10.89.0.2");
  CHECK(render(R"({{ (index .Subnets 0).Subnet }})", n) == "10.89.0.0/24");
  CHECK(render(R"({{(index .Networks "none").IPAddress}})", n) == "<no value>");
  CHECK_FALSE(Template::parse(R"({{(index .Networks "net1".IPAddress}})"));
  CHECK(render(R"({{join .Config.Env ","}})", j) == "A=1,B=2");
  CHECK(render("{{range .Config.Env}}<{{.}}>{{end}}", j) == "<A=1><B=2>");
  CHECK(render("{{.Ok}} {{.Missing}} {{.Nil}}", j) == "true <no value> <no value>");
  CHECK(render("{{.id}}", j) == "abc");  // case-insensitive fallback
  CHECK(render("{{upper .ID}}", j) == "ABC");
  CHECK(render("{{.ID| upper}} {{ .ID | lower }}", j) == "ABC abc");  // a one-stage pipeline
  CHECK_FALSE(Template::parse("{{.ID | }}"));
  CHECK_FALSE(Template::parse("{{.ID | up per}}"));
  CHECK(render("{{len .Config.Env}} {{len .ID}} {{len .Config.Labels}}", j) == "2 3 1");
  CHECK(render("a\\tb\\n", j) == "a\tb\n");
  CHECK(render("{{json .}}", Json{{"a", 1}}) == R"({"a":1})");
}

TEST_CASE("template: table formats and headers") {
  auto t = Template::parse("table {{.ID}}\\t{{.CreatedSince}}");
  REQUIRE(t);
  CHECK(t->is_table());
  CHECK(t->header(Json{{"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}}) == "IMAGE ID\tCREATED");
  CHECK(t->render(Json{{"ID", "x"}, {"CreatedSince", "now"}}) == "x\tnow");
  // spaces between a table's columns part them as a tab does (podman's images); others stay
  auto s = Template::parse("table {{.ID}} {{.CreatedSince}} ago: {{.ID}}");
  REQUIRE(s);
  CHECK(s->render(Json{{"ID", "x"}, {"CreatedSince", "now"}}) == "x\tnow ago: x");
  CHECK(Template::parse("{{.ID}} {{.ID}}")->render(Json{{"ID", "x"}}) == "x x");
}

TEST_CASE("template: parse errors are usage errors") {
  for (std::string bad :
       std::vector<std::string>{"{{.ID", "{{nosuch .X}}", "{{range .X}}", "{{end}}", "{{}}", "{{json}}", "{{ID}}"}) {
    auto t = Template::parse(bad);
    INFO(bad);
    REQUIRE_FALSE(t);
    CHECK(t.error().code == Errc::usage);
  }
}

TEST_CASE("tabulate: podman's tabwriter widths") {
  CHECK(tabulate("A\tBB\nlonger-cell\tx") == "A            BB\nlonger-cell  x\n");
}

#include <catch2/catch.hpp>

#include <map>

#include "berth/core/containerfile.hpp"

using namespace berth;
using namespace berth::containerfile;

namespace {

File must_parse(std::string_view text) {
  auto f = parse(text, "Containerfile");
  INFO((f ? "" : f.error().message));
  REQUIRE(f);
  return *f;
}

std::string ex(std::string_view w, const std::map<std::string, std::string>& env = {}) {
  Lookup l = [&](std::string_view k) -> std::optional<std::string> {
    auto it = env.find(std::string(k));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto r = expand(w, &l, '\\');
  INFO((r ? "" : r.error().message));
  REQUIRE(r);
  return *r;
}

}  // namespace

TEST_CASE("parse: instructions, case, comments, continuations as BuildKit joins them") {
  auto f = must_parse(
      "# a comment\n"
      "from busybox AS base\n"
      "\n"
      "RUN echo a \\\n"
      "  # a comment inside is dropped\n"
      "\n"
      "    && echo b\n"
      "   CMD [\"sh\", \"-c\", \"echo hi\"]\n"
      "ENV A=1 \\\t\n"
      "    B=2\n");
  REQUIRE(f.instructions.size() == 4);
  CHECK(f.instructions[0].keyword == "FROM");
  CHECK(f.instructions[0].args == "busybox AS base");
  CHECK(f.instructions[0].line == 2);
  CHECK(f.instructions[1].keyword == "RUN");
  CHECK(f.instructions[1].args == "echo a     && echo b");
  CHECK(f.instructions[1].line == 4);
  CHECK(f.instructions[2].json);
  CHECK(f.instructions[2].json_args == std::vector<std::string>{"sh", "-c", "echo hi"});
  CHECK(f.instructions[3].args == "A=1     B=2");
}

TEST_CASE("parse: directives only at the top; escape=` changes the continuation character") {
  auto f = must_parse("# escape=`\n# syntax=docker/dockerfile:1\nFROM x\nRUN a `\n  b\nRUN c \\\n");
  CHECK(f.escape == '`');
  REQUIRE(f.instructions.size() == 3);
  CHECK(f.instructions[1].args == "a   b");
  CHECK(f.instructions[2].args == "c \\");
  auto g = must_parse("FROM x\n# escape=`\nRUN a \\\n b\n");
  CHECK(g.escape == '\\');
  CHECK(g.instructions[1].args == "a  b");
  CHECK(!parse("# escape=x\nFROM a\n", "F"));
}

TEST_CASE("parse: flags, the exec form's fallback, heredocs") {
  auto f = must_parse(
      "FROM --platform=linux/amd64 a\n"
      "COPY --from=base --chown=1:2 /x /y\n"
      "RUN [not json\n"
      "RUN <<EOF\n"
      "echo one\n"
      "echo two\n"
      "EOF\n"
      "COPY <<-\"END\" /f\n"
      "\tliteral $X\n"
      "\tEND\n"
      "CMD --not-a-flag\n");
  REQUIRE(f.instructions.size() == 6);
  CHECK(f.instructions[0].flags == std::vector<std::pair<std::string, std::string>>{{"platform", "linux/amd64"}});
  CHECK(f.instructions[1].flags.size() == 2);
  CHECK(f.instructions[1].args == "/x /y");
  CHECK(!f.instructions[2].json);
  REQUIRE(f.instructions[3].heredocs.size() == 1);
  CHECK(f.instructions[3].heredocs[0].content == "echo one\necho two\n");
  CHECK(f.instructions[3].heredocs[0].expand);
  REQUIRE(f.instructions[4].heredocs.size() == 1);
  CHECK(f.instructions[4].heredocs[0].content == "literal $X\n");
  CHECK(!f.instructions[4].heredocs[0].expand);
  CHECK(f.instructions[5].args == "--not-a-flag");
}

TEST_CASE("parse: bad input is one usage error naming the file and line") {
  auto e = parse("FROM a\nFOO bar\n", "Containerfile");
  REQUIRE(!e);
  CHECK(e.error().message == "Containerfile:2: unknown instruction: FOO");
  auto g = parse("FROM a\nCOPY --bogus=1 a b\n", "Dockerfile");
  REQUIRE(!g);
  CHECK(g.error().message == "Dockerfile:2: unknown flag --bogus for COPY");
  auto h = parse("FROM a\nRUN <<EOF\necho\n", "F");
  REQUIRE(!h);
  CHECK(h.error().message == "F:2: heredoc <<EOF has no end line \"EOF\"");
  auto i = parse("# only a comment\n\n", "F");
  REQUIRE(!i);
  CHECK(i.error().message == "F: file with no instructions");
}

TEST_CASE("expand: Docker's variables, quotes and escapes") {
  std::map<std::string, std::string> env = {{"A", "x y"}, {"E", ""}};
  CHECK(ex("$A", env) == "x y");
  CHECK(ex("${A}b", env) == "x yb");
  CHECK(ex("${U:-def}", env) == "def");
  CHECK(ex("${E:-def}", env) == "def");
  CHECK(ex("${E-def}", env) == "");
  CHECK(ex("${A:+set}", env) == "set");
  CHECK(ex("${U:+set}", env) == "");
  CHECK(ex("${U:-${A}}", env) == "x y");
  CHECK(ex("'$A'", env) == "$A");
  CHECK(ex("\"$A\"", env) == "x y");
  CHECK(ex("\\$A", env) == "$A");
  CHECK(ex("\"a\\\"b\"", env) == "a\"b");
  CHECK(ex("$", env) == "$");
  CHECK(ex("a$-b", env) == "a$-b");
  Lookup none = [](std::string_view) { return std::nullopt; };
  CHECK(!expand("${A", &none, '\\'));
  CHECK(!expand("'open", &none, '\\'));
  CHECK(!expand("${A:?must be set}", &none, '\\'));
  CHECK(!expand("${A/x/y}", &none, '\\'));
}

TEST_CASE("words and pairs: blanks split, quotes do not; ENV's legacy form") {
  std::map<std::string, std::string> env = {{"A", "1 2"}};
  Lookup l = [&](std::string_view k) -> std::optional<std::string> {
    auto it = env.find(std::string(k));
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto w = words("a 'b c'  \"$A\" $A", &l, '\\');
  REQUIRE(w);
  CHECK(*w == std::vector<std::string>{"a", "b c", "1 2", "1", "2"});
  auto p = pairs("X=1 Y=\"two words\" Z='$A' W=$A", &l, '\\', true);
  REQUIRE(p);
  REQUIRE(p->size() == 4);
  CHECK((*p)[1].second == "two words");
  CHECK((*p)[2].second == "$A");
  CHECK((*p)[3].second == "1 2");
  auto legacy = pairs("KEY a value  with blanks", &l, '\\', true);
  REQUIRE(legacy);
  REQUIRE(legacy->size() == 1);
  CHECK((*legacy)[0].first == "KEY");
  CHECK((*legacy)[0].second == "a value  with blanks");
  auto arg = pairs("NAME", nullptr, '\\', false);
  REQUIRE(arg);
  CHECK((*arg)[0].second == std::nullopt);
  CHECK(!pairs("=x", nullptr, '\\', false));
}

TEST_CASE("ignore rules: Docker's patterns, ** and exceptions, the last match wins") {
  auto r = IgnoreRules::parse("# comment\n*.log\n!keep.log\nbuild/\n**/tmp\nsecret?\n/abs/x\n");
  CHECK(r.ignored("a.log"));
  CHECK(!r.ignored("keep.log"));
  CHECK(!r.ignored("dir/a.log"));  // *.log is one level, as filepath.Match
  CHECK(r.ignored("build"));
  CHECK(r.ignored("build/out/file"));
  CHECK(r.ignored("tmp"));
  CHECK(r.ignored("a/b/tmp/c"));
  CHECK(r.ignored("secret1"));
  CHECK(!r.ignored("secret12"));
  CHECK(r.ignored("abs/x"));
  CHECK(!r.ignored("src/main.c"));
  auto e = IgnoreRules::parse("*\n!src\n");
  CHECK(e.ignored("README"));
  CHECK(!e.ignored("src/a.c"));
  CHECK(e.may_keep_below(""));
  CHECK(glob_match("**/*.c", "a/b/c.c"));
  CHECK(glob_match("**/*.c", "c.c"));
  CHECK(!glob_match("*.c", "a/c.c"));
  CHECK(glob_match("a/[bc]?", "a/cd"));
}

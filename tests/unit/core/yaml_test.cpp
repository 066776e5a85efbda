#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fmt/format.h>

#include "berth/core/yaml.hpp"

using namespace berth;

TEST_CASE("yaml: documents of a stream become JSON values, scalars typed as Kubernetes reads them") {
  auto docs = yaml_documents("---\na: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: text\ng: [x, 'y']\n---\n---\n- 1\n", "t");
  REQUIRE(docs);
  REQUIRE(docs->size() == 2);  // the empty document is skipped
  const Json& d = (*docs)[0];
  CHECK(d["a"] == 1);
  CHECK(d["b"] == "1");  // quoted: a string
  CHECK(d["c"] == true);
  CHECK(d["d"].is_null());
  CHECK(d["e"] == 1.5);
  CHECK(d["f"] == "text");
  CHECK(d["g"] == Json::array({"x", "y"}));
  CHECK((*docs)[1] == Json::array({1}));
}

TEST_CASE("yaml: bad input is an error naming the input and line, never an exception") {
  auto bad = yaml_documents("a: [1, 2\nb: c\n", "pod.yaml");
  REQUIRE(!bad);
  CHECK(bad.error().message.starts_with("pod.yaml: yaml: line"));
  auto d = yaml_documents(std::string(150, '[') + std::string(150, ']'), "deep");
  REQUIRE(!d);
  CHECK(d.error().message.find("deeper than 100") != std::string::npos);
  CHECK(!yaml_documents(std::string(100000, '['), "very deep"));  // yaml-cpp's own guard, no stack overflow
  CHECK(!yaml_documents("{a: 1, [b]: 2}", "key"));                // a key that is not a scalar
  auto latin1 = yaml_documents("name: caf\xe9\n", "l1");
  REQUIRE(!latin1);
  CHECK(latin1.error().message == "l1: yaml: not valid UTF-8 (byte 9)");
  CHECK(yaml_documents("name: caf\xc3\xa9 \xf0\x9f\x90\xb3\n", "utf8"));
  auto nul = yaml_documents(std::string("a: b\0c\n", 7), "nul");
  REQUIRE(!nul);
  CHECK(nul.error().message == "nul: yaml: a control character (byte 4)");
  // yaml-cpp 0.7 reports empty documents forever at a stray comma (its issue 1040): refused.
  CHECK(!yaml_documents(",\n- ", "comma"));
  CHECK(!yaml_documents(",", "comma"));
}

TEST_CASE("yaml: aliases are expanded within a budget: a billion laughs is refused, not built") {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; c++) {
    std::string p(1, static_cast<char>(c - 1)), list;
    for (int i = 0; i < 10; i++) list += (i ? ", *" : "*") + p;
    bomb += fmt::format("{}: &{} [{}]\n", c, c, list);
  }
  auto laughs = yaml_documents(bomb, "bomb");
  REQUIRE(!laughs);
  CHECK(laughs.error().message.find("more values") != std::string::npos);
  auto small = yaml_documents("base: &b {k: v}\nuse: *b\n", "alias");
  REQUIRE(small);
  CHECK((*small)[0]["use"]["k"] == "v");
  CHECK((*small)[0]["base"] == (*small)[0]["use"]);
}

TEST_CASE("yaml: dump quotes strings that would read back as something else, and round-trips") {
  Json j = {{"port", "80"}, {"on", "true"}, {"empty", ""}, {"n", 80}, {"list", {"a", "b: c"}}, {"obj", Json::object()}};
  std::string text = yaml_dump(j);
  CHECK(text.find("port: \"80\"") != std::string::npos);
  CHECK(text.find("n: 80") != std::string::npos);
  auto back = yaml_documents(text, "dump");
  REQUIRE(back);
  REQUIRE(back->size() == 1);
  CHECK((*back)[0] == j);
}

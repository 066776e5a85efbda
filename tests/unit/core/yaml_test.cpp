#include <catch2/catch.hpp>

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

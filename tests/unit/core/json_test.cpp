#include <catch2/catch.hpp>

#include <cmath>

#include "berth/core/json.hpp"

using namespace berth;

TEST_CASE("json: untrusted input never throws") {
  CHECK(parse_json(R"({"a":[1,2]})", "t").has_value());
  auto bad = parse_json("{not json", "manifest");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == Errc::invalid_input);
  CHECK(bad.error().message == "manifest: not valid JSON");
  std::string deep = std::string(10000, '[') + std::string(10000, ']');
  auto d = parse_json(deep, "deep");
  REQUIRE_FALSE(d);
  CHECK(d.error().message.find("nested deeper") != std::string::npos);
  // brackets inside strings do not count
  CHECK(parse_json(R"({"s":")" + std::string(500, '[') + R"("})", "s").has_value());
}

TEST_CASE("json: safe field access") {
  Json j = {{"s", "x"}, {"n", 3}, {"o", {{"k", 1}}}};
  CHECK(json_str(j, "s") == "x");
  CHECK(json_str(j, "n", "fb") == "fb");
  CHECK(json_int(j, "n") == 3);
  CHECK(json_int(j, "s", -1) == -1);
  CHECK(json_obj(j, "o").is_object());
  CHECK(json_obj(j, "missing").is_null());
  CHECK(json_obj(Json::array(), "x").is_null());
  CHECK(dump_json(Json("\xff")) == "\"\xEF\xBF\xBD\"");
  // numbers from untrusted documents: never an undefined conversion
  Json big = {{"u", 18446744073709551615ULL}, {"f", 1e300}, {"nan", std::nan("")}, {"ok", 2.5}, {"neg", -7}};
  CHECK(json_int(big, "u", -1) == -1);
  CHECK(json_int(big, "f", -1) == -1);
  CHECK(json_int(big, "nan", -1) == -1);
  CHECK(json_int(big, "ok") == 2);
  CHECK(json_int(big, "neg") == -7);
}

#include <catch2/catch.hpp>

#include "berth/core/humanize.hpp"

using namespace berth;

TEST_CASE("humanize: sizes as go-units prints them") {
  CHECK(human_size(0) == "0B");
  CHECK(human_size(999) == "999B");
  CHECK(human_size(2070000) == "2.07MB");
  CHECK(human_size(195000000, true) == "195 MB");
  CHECK(human_size(1234) == "1.23kB");
}

TEST_CASE("humanize: durations as docker prints them") {
  CHECK(human_duration(0) == "Less than a second");
  CHECK(human_duration(30) == "30 seconds");
  CHECK(human_duration(61) == "About a minute");
  CHECK(human_duration(600) == "10 minutes");
  CHECK(human_duration(3600) == "About an hour");
  CHECK(human_duration(3 * 3600) == "3 hours");
  CHECK(human_duration(3 * 86400) == "3 days");
  CHECK(human_duration(30 * 86400) == "4 weeks");
  CHECK(human_duration(400 * 86400) == "13 months");
  CHECK(human_duration(3 * 365 * 86400) == "3 years");
}

TEST_CASE("humanize: RFC 3339 both ways") {
  CHECK(rfc3339_utc(1700000000) == "2023-11-14T22:13:20Z");
  std::int64_t t = 0;
  REQUIRE(parse_rfc3339("2023-11-14T22:13:20Z", t));
  CHECK(t == 1700000000);
  REQUIRE(parse_rfc3339("2023-11-14T23:13:20.123456+01:00", t));
  CHECK(t == 1700000000);
  CHECK_FALSE(parse_rfc3339("yesterday", t));
  CHECK(created_at(1700000000) == "2023-11-14 22:13:20 +0000 UTC");
}

TEST_CASE("parse_duration_ns: Go's duration syntax") {
  using berth::parse_duration_ns;
  CHECK(parse_duration_ns("0") == 0);
  CHECK(parse_duration_ns("30s") == 30'000'000'000LL);
  CHECK(parse_duration_ns("1m30s") == 90'000'000'000LL);
  CHECK(parse_duration_ns("1.5h") == 5'400'000'000'000LL);
  CHECK(parse_duration_ns("250ms") == 250'000'000LL);
  CHECK(parse_duration_ns("10us") == 10'000LL);
  CHECK(parse_duration_ns("10\u00b5s") == 10'000LL);
  CHECK(parse_duration_ns("7ns") == 7);
  CHECK(parse_duration_ns("2h45m") == 9'900'000'000'000LL);
  CHECK(parse_duration_ns(".5s") == 500'000'000LL);
  CHECK_FALSE(parse_duration_ns(""));
  CHECK_FALSE(parse_duration_ns("10"));
  CHECK_FALSE(parse_duration_ns("-1s"));
  CHECK_FALSE(parse_duration_ns("1x"));
  CHECK_FALSE(parse_duration_ns("s"));
  CHECK_FALSE(parse_duration_ns("1s2"));
  CHECK_FALSE(parse_duration_ns("99999999999h"));
}

TEST_CASE("humanize: durations as Go's time.Duration.String()") {
  CHECK(go_duration(0) == "0s");
  CHECK(go_duration(750) == "750ns");
  CHECK(go_duration(1500) == "1.5\u00b5s");
  CHECK(go_duration(20413000) == "20.413ms");
  CHECK(go_duration(58109544) == "58.109544ms");
  CHECK(go_duration(1000000000) == "1s");
  CHECK(go_duration(123500000000) == "2m3.5s");
  CHECK(go_duration(3600000000000) == "1h0m0s");
  CHECK(go_duration(-1500000000) == "-1.5s");
  CHECK(human_size(1061000, false, 4) == "1.061MB");
}

TEST_CASE("parse_human_size: go-units FromHumanSize, decimal units") {
  CHECK(parse_human_size("42") == 42);
  CHECK(parse_human_size("5.097m") == 5097000);
  CHECK(parse_human_size("10MB") == 10000000);
  CHECK(parse_human_size("1 kB") == 1000);
  CHECK(parse_human_size("2g") == 2000000000);
  CHECK(parse_human_size("3KiB") == 3000);
  CHECK(human_size(static_cast<double>(*parse_human_size("5.097m")), false, 4) == "5.097MB");
  CHECK_FALSE(parse_human_size(""));
  CHECK_FALSE(parse_human_size("m"));
  CHECK_FALSE(parse_human_size("1.2.3"));
  CHECK_FALSE(parse_human_size("5x"));
  CHECK_FALSE(parse_human_size("5mbb"));
  CHECK_FALSE(parse_human_size("-5"));
}

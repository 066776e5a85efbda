// Sizes and durations the way podman prints them (docker/go-units).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

// 3 significant digits, SI units: "2.07MB", "195MB", "0B". `space` puts "2.07 MB" as in tables.
std::string human_size(double bytes, bool space = false, int precision = 3);
// go-units FromHumanSize: "5.097m", "10MB", "1 kB", "42" in decimal units (k = 1000);
// nullopt on garbage.
std::optional<std::int64_t> parse_human_size(std::string_view s);
// Go's time.Duration.String(): "0s", "750ns", "1.5µs", "20.413ms", "2m3.5s", "1h0m0s".
std::string go_duration(std::int64_t ns);
// "Less than a second", "2 minutes", "About an hour", "3 days" ...
std::string human_duration(int64_t seconds);
// RFC 3339 with nanoseconds in UTC: 2024-01-02T03:04:05.123456789Z
std::string rfc3339_utc(int64_t unix_seconds, long nanos = 0);
// Podman's CreatedAt form: "2024-01-02 03:04:05 +0000 UTC".
std::string created_at(int64_t unix_seconds);
// Parses RFC 3339 ("2024-01-02T03:04:05.5Z", "+01:00" offsets); false on garbage.
bool parse_rfc3339(const std::string& s, int64_t& unix_seconds);
// Go's time.ParseDuration, in nanoseconds: "30s", "1m30s", "1.5h", "250ms", "10us", "0";
// nullopt on garbage, a missing unit (except "0"), a negative value or an overflow.
std::optional<int64_t> parse_duration_ns(std::string_view s);

}  // namespace berth

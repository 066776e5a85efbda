// User namespace id maps (see idmap.hpp).
#include "berth/core/idmap.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "berth/core/strings.hpp"

namespace berth {

namespace {

std::optional<std::uint32_t> number(std::string_view s) {
  std::uint64_t v = 0;
  if (!all_digits(s) || s.size() > 10) return std::nullopt;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > 0xffffffffULL) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

bool overlaps(std::uint64_t a, std::uint64_t an, std::uint64_t b, std::uint64_t bn) { return a < b + bn && b < a + an; }

}  // namespace

Result<IdMap> parse_idmap(const std::vector<std::string>& values, std::string_view flag) {
  IdMap out;
  for (const auto& v : values) {
    auto parts = split(v, ':');
    if (parts.size() != 3) return fail(Errc::usage, "invalid {} \"{}\": want CONTAINER_ID:HOST_ID:SIZE", flag, v);
    auto c = number(parts[0]), h = number(parts[1]), n = number(parts[2]);
    if (!c || !h || !n) return fail(Errc::usage, "invalid {} \"{}\": ids and size are numbers below 2^32", flag, v);
    if (*n == 0) return fail(Errc::usage, "invalid {} \"{}\": the size must be at least 1", flag, v);
    if (std::uint64_t{*c} + *n > 0x100000000ULL || std::uint64_t{*h} + *n > 0x100000000ULL)
      return fail(Errc::usage, "invalid {} \"{}\": the range runs past id 4294967295", flag, v);
    for (const auto& r : out)
      if (overlaps(r.container, r.size, *c, *n) || overlaps(r.host, r.size, *h, *n))
        return fail(Errc::usage, "invalid {} \"{}\": it overlaps {}:{}:{}", flag, v, r.container, r.host, r.size);
    out.push_back({*c, *h, *n});
  }
  return out;
}

IdMap parse_proc_idmap(std::string_view text) {
  IdMap out;
  for (const auto& line : split(text, '\n')) {
    std::vector<std::string> f;
    for (const auto& w : split(line, ' '))
      if (!w.empty()) f.push_back(w);
    if (f.size() != 3) continue;
    auto c = number(f[0]), h = number(f[1]), n = number(f[2]);
    if (c && h && n) out.push_back({*c, *h, *n});
  }
  return out;
}

std::uint32_t contiguous_size(const IdMap& m) {
  std::uint64_t end = 0;
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& r : m)
      if (r.container <= end && r.container + std::uint64_t{r.size} > end) {
        end = r.container + std::uint64_t{r.size};
        grew = true;
      }
  }
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(end, 0xffffffffULL));
}

IdMap keep_id_map(std::uint32_t id, std::uint32_t size) {
  IdMap m;
  if (size == 0) return m;
  if (id >= size) {  // the user's id is past the namespace: only it can be kept
    m.push_back({id, 0, 1});
    if (size > 1) m.push_back({0, 1, size - 1});
    return m;
  }
  if (id > 0) m.push_back({0, 1, id});
  m.push_back({id, 0, 1});
  if (id + 1 < size) m.push_back({id + 1, id + 1, size - id - 1});
  return m;
}

IdMap split_at(const IdMap& m, const IdMap& parent) {
  IdMap out;
  for (IdRange r : m) {
    while (r.size > 0) {
      std::uint64_t take = r.size;
      for (const auto& p : parent)  // cut at the end of the parent range holding r.host
        if (r.host >= p.container && r.host - p.container < p.size)
          take = std::min<std::uint64_t>(take, p.container + std::uint64_t{p.size} - r.host);
      auto n = static_cast<std::uint32_t>(take);
      out.push_back({r.container, r.host, n});
      r.container += n;
      r.host += n;
      r.size -= n;
    }
  }
  return out;
}

std::optional<std::uint32_t> to_host(const IdMap& m, std::uint32_t id) {
  for (const auto& r : m)
    if (id >= r.container && id - r.container < r.size) return r.host + (id - r.container);
  return std::nullopt;
}

std::optional<std::uint32_t> to_container(const IdMap& m, std::uint32_t id) {
  for (const auto& r : m)
    if (id >= r.host && id - r.host < r.size) return r.container + (id - r.host);
  return std::nullopt;
}

std::optional<std::uint32_t> free_block(const IdMap& pool, const IdMap& taken, std::uint32_t size) {
  if (size == 0) return std::nullopt;
  for (const auto& p : pool) {
    std::uint64_t start = p.host, end = std::uint64_t{p.host} + p.size;
    // Every candidate start is the pool's or just past a taken range; the lowest fit wins.
    bool moved = true;
    while (moved && start + size <= end) {
      moved = false;
      for (const auto& t : taken)
        if (overlaps(start, size, t.host, t.size)) {
          start = std::uint64_t{t.host} + t.size;
          moved = true;
        }
    }
    if (start + size <= end) return static_cast<std::uint32_t>(start);
  }
  return std::nullopt;
}

std::string proc_idmap_text(const IdMap& m) {
  std::string s;
  for (const auto& r : m) s += fmt::format("{} {} {}\n", r.container, r.host, r.size);
  return s;
}

std::string idmap_string(const IdMap& m) {
  std::string s;
  for (const auto& r : m) s += fmt::format("{}{}:{}:{}", s.empty() ? "" : ",", r.container, r.host, r.size);
  return s;
}

}  // namespace berth

// A Go text/template subset, enough for the --format strings scripts use with podman:
//   {{.Field}} {{.A.B}} {{.}} {{json .X}} {{index .Labels "k"}} {{join .List ","}}
//   {{upper .X}} {{lower .X}} {{range .List}}...{{end}}, "table" prefix, "\t" "\n" escapes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "berth/core/json.hpp"

namespace berth {

class Template {
 public:
  // Parse errors are usage errors (exit 125) at parse time.
  static Result<Template> parse(std::string_view text);

  // Renders against a JSON value (the command's report object). A missing field renders as
  // "<no value>", as Go does for maps.
  std::string render(const Json& dot) const;

  bool is_table() const { return table_; }
  // The header row for "table" formats: each {{.Field}} becomes a column title,
  // e.g. .ID -> "ID", .CreatedSince -> "CREATED" when `titles` names it.
  std::string header(const Json& titles) const;

  struct Node {
    enum Kind { text, field, json_fn, index_fn, join_fn, upper_fn, lower_fn, len_fn, range, end } kind;
    std::vector<std::string> path;  // field path; empty = "."
    std::string arg;                // literal text, index key or join separator
    size_t end_at = 0;              // for range: index of its end node
    std::vector<std::string> tail;  // (index .X "k").A.B: the fields after the index
  };

 private:
  void render_range(const Json& dot, size_t from, size_t to, std::string& out) const;
  std::vector<Node> nodes_;
  bool table_ = false;
};

// Go's fmt rendering of a value: strings raw, arrays "[a b]", objects "map[k:v]".
std::string go_string(const Json& v);

// Aligns tab-separated columns like Go's tabwriter(minwidth 12, padding 2), as podman's tables.
std::string tabulate(std::string_view text);

}  // namespace berth

// YAML at the edges, through yaml-cpp: untrusted text becomes JSON values (so the rest of
// berth reads one kind of tree), and JSON values are written as YAML. Nothing throws out of here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "berth/core/json.hpp"

namespace berth {

// Every document of a YAML stream ("---" separated), as JSON: mappings become objects (keys
// as strings), sequences arrays; a plain scalar is null (~, null, empty), a bool (true/false),
// an integer or a float when it reads as one, else a string; a quoted scalar is a string.
// Refuses nesting deeper than `max_depth`; empty documents are skipped. `what` names the input
// in the error ("kube play: FILE: yaml: line 3: ...").
Result<std::vector<Json>> yaml_documents(std::string_view text, std::string_view what, int max_depth = 100);

// One document as block YAML: keys in the object's order, strings that a reader would take for
// something else ("12", "true", "", "a: b") quoted.
std::string yaml_dump(const OrderedJson& j);
std::string yaml_dump(const Json& j);

}  // namespace berth

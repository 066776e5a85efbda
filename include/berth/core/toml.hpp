// TOML at the edges, through toml++ (registries.conf, storage.conf): untrusted text becomes a
// JSON value, so the readers of each file walk one kind of tree. Nothing throws out of here.
#pragma once

#include <string_view>

#include "berth/core/json.hpp"

namespace berth {

// The document as a JSON object: tables are objects, arrays arrays, strings, integers, floats
// and booleans themselves; dates and times their TOML text. Errors name `what` and the line:
// "FILE: line 3: ...".
Result<Json> toml_document(std::string_view text, std::string_view what);

}  // namespace berth

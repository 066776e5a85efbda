// Lexical paths inside a container (no filesystem access): cleaning and the rules for where
// a mount may go.
#pragma once

#include <string>
#include <string_view>

#include "berth/core/error.hpp"

namespace berth {

// An absolute path in its shortest lexical form, as Go's path.Clean: repeated slashes and "."
// removed, ".." taken back (never above "/"), no trailing slash. "" and relative paths are
// taken from "/".
std::string clean_path(std::string_view p);

// True when `path` is `dir` or lies under it (both cleaned, absolute).
bool path_within(std::string_view path, std::string_view dir);

// The number of components of a cleaned absolute path ("/" is 0, "/a/b" is 2).
size_t path_depth(std::string_view cleaned);

// Where a volume or tmpfs may be mounted in a container, as runc decides: not "/", not /proc
// or anything in it (but the files lxcfs replaces, such as /proc/meminfo), not /sys itself.
// `what` names the flag's value for the message. Returns the cleaned destination.
Result<std::string> check_mount_destination(std::string_view dst, std::string_view what);

}  // namespace berth

// The default seccomp filter, compiled in the parent with libseccomp (the only file that uses
// it) and handed to the child as BPF bytes.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string_view>

#include <string>
#include <vector>

#include "berth/core/error.hpp"

namespace berth::runtime {

// Docker's default profile in effect: the syscalls it does not allow by default fail with
// EPERM (namespace and mount syscalls, keys, kexec, modules, clock setting, ...), clone with
// namespace flags is refused and clone3 reports ENOSYS so libc falls back to clone.
Result<std::vector<sock_filter>> compile_default_seccomp();
// The same, kept in `cache_dir`/seccomp-default.bpf (RUNROOT: tmpfs, private to the user) for
// the next run: a file made by this very binary (its device, inode and mtime are the key) is
// read instead of compiling the filter again; anything else is compiled and replaced.
Result<std::vector<sock_filter>> default_seccomp_cached(const std::string& cache_dir);

// A profile in Docker's JSON format (--security-opt seccomp=FILE): defaultAction,
// defaultErrnoRet, syscalls[] with names, action, errnoRet, args and includes/excludes on
// capabilities and architectures. Names this libseccomp does not know are skipped.
Result<std::vector<sock_filter>> compile_profile(std::string_view json_text, std::uint64_t caps);

// The syscalls the default filter refuses (for docs and tests).
const std::vector<std::string>& denied_syscalls();

}  // namespace berth::runtime

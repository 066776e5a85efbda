#include "journal.hpp"

#include <dlfcn.h>
#include <sys/uio.h>

#include <fmt/format.h>

#include "berth/core/log.hpp"

namespace berth::engine::detail {

Journal::Journal(const std::string& id, const std::string& name, const std::string& tag)
    : id_(id), name_(name), tag_(tag.empty() ? name : tag) {
  void* h = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (h) send_ = reinterpret_cast<SendV>(::dlsym(h, "sd_journal_sendv"));
  if (!send_) log::warn("--log-driver journald: cannot load libsystemd.so.0 (Debian package libsystemd0); output is not logged");
}

void Journal::line(std::string_view text, bool is_stderr) const {
  if (!send_) return;
  std::string fields[] = {
      fmt::format("MESSAGE={}", text),
      fmt::format("PRIORITY={}", is_stderr ? 3 : 6),
      fmt::format("CONTAINER_ID={}", id_.substr(0, 12)),
      fmt::format("CONTAINER_ID_FULL={}", id_),
      fmt::format("CONTAINER_NAME={}", name_),
      fmt::format("SYSLOG_IDENTIFIER={}", tag_),
  };
  iovec iov[6];
  for (int i = 0; i < 6; i++) iov[i] = {fields[i].data(), fields[i].size()};
  send_(iov, 6);
}

}  // namespace berth::engine::detail

// --log-driver journald: container output as journal entries, through libsystemd's
// sd_journal_sendv, loaded on first use (only containers that log there pay for it).
#pragma once

#include <sys/uio.h>

#include <string>
#include <string_view>

namespace berth::engine::detail {

class Journal {
 public:
  // Fields every entry carries: CONTAINER_ID, CONTAINER_ID_FULL, CONTAINER_NAME,
  // SYSLOG_IDENTIFIER (the tag: --log-opt tag=, else the name).
  Journal(const std::string& id, const std::string& name, const std::string& tag);
  // False when libsystemd or the journal is not there (a warning was printed once).
  bool available() const { return send_ != nullptr; }
  // One line; priority 6 (info) for stdout, 3 (err) for stderr.
  void line(std::string_view text, bool is_stderr) const;

 private:
  using SendV = int (*)(const ::iovec*, int);
  SendV send_ = nullptr;
  std::string id_, name_, tag_;
};

}  // namespace berth::engine::detail

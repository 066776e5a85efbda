// --log-driver journald: container output as journal entries, through libsystemd's
// sd_journal_sendv, loaded on first use (only containers that log there pay for it).
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "berth/core/error.hpp"

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

// `berth logs` of a journald container: its entries (CONTAINER_ID_FULL=id) read back
// through sd_journal, loaded only then.
struct JournalEntry {
  std::int64_t ns = 0;  // realtime
  std::string text;
  bool err = false;  // priority 3 (stderr)
};
class JournalReader {
 public:
  static Result<std::unique_ptr<JournalReader>> open(const std::string& id);
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;
  // The entries after the last one read, oldest first.
  std::vector<JournalEntry> read_new();
  // Blocks until the journal changes or `timeout_ms` passes.
  void wait(int timeout_ms);

  struct Api;  // libsystemd's sd_journal functions (journal.cpp)

 private:
  JournalReader() = default;
  const Api* api_ = nullptr;
  void* j_ = nullptr;
};

}  // namespace berth::engine::detail

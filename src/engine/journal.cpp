#include "journal.hpp"

#include <dlfcn.h>
#include <sys/uio.h>

#include <type_traits>

#include <fmt/format.h>

#include "berth/core/log.hpp"

namespace berth::engine::detail {

namespace {

// libsystemd, loaded on first use (null when the machine has none).
void* libsystemd() {
  static void* h = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  return h;
}

}  // namespace

Journal::Journal(const std::string& id, const std::string& name, const std::string& tag)
    : id_(id), name_(name), tag_(tag.empty() ? name : tag) {
  if (void* h = libsystemd()) send_ = reinterpret_cast<SendV>(::dlsym(h, "sd_journal_sendv"));
  if (!send_)
    log::warn("--log-driver journald: cannot load libsystemd.so.0 (Debian package libsystemd0); output is not logged");
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

struct JournalReader::Api {
  int (*open)(void**, int);
  int (*add_match)(void*, const void*, size_t);
  int (*next)(void*);
  int (*get_data)(void*, const char*, const void**, size_t*);
  int (*get_realtime_usec)(void*, std::uint64_t*);
  int (*wait)(void*, std::uint64_t);
  void (*close)(void*);
};

namespace {

const JournalReader::Api* load_reader_api() {
  static JournalReader::Api api{};
  static bool loaded = [] {
    void* h = libsystemd();
    if (!h) return false;
    auto sym = [h](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(h, name));
      return fn != nullptr;
    };
    return sym(api.open, "sd_journal_open") && sym(api.add_match, "sd_journal_add_match") &&
           sym(api.next, "sd_journal_next") && sym(api.get_data, "sd_journal_get_data") &&
           sym(api.get_realtime_usec, "sd_journal_get_realtime_usec") && sym(api.wait, "sd_journal_wait") &&
           sym(api.close, "sd_journal_close");
  }();
  return loaded ? &api : nullptr;
}

// A field's value ("MESSAGE=text" -> "text"); empty when the entry has none.
std::string field(const JournalReader::Api* api, void* j, const char* name) {
  const void* data = nullptr;
  size_t len = 0;
  if (api->get_data(j, name, &data, &len) < 0 || !data) return "";
  std::string_view v(static_cast<const char*>(data), len);
  auto eq = v.find('=');
  return eq == std::string_view::npos ? "" : std::string(v.substr(eq + 1));
}

}  // namespace

Result<std::unique_ptr<JournalReader>> JournalReader::open(const std::string& id) {
  const Api* api = load_reader_api();
  if (!api) return fail(Errc::unsupported, "reading the journal needs libsystemd.so.0 (Debian package libsystemd0)");
  std::unique_ptr<JournalReader> r(new JournalReader());
  r->api_ = api;
  constexpr int kLocalOnly = 1;  // SD_JOURNAL_LOCAL_ONLY
  if (int e = api->open(&r->j_, kLocalOnly); e < 0) {
    r->j_ = nullptr;
    return std::unexpected(Error{Errc::system, -e, "open the journal"});
  }
  std::string match = "CONTAINER_ID_FULL=" + id;
  if (int e = api->add_match(r->j_, match.data(), match.size()); e < 0)
    return std::unexpected(Error{Errc::system, -e, "match the container's journal entries"});
  return r;
}

JournalReader::~JournalReader() {
  if (j_) api_->close(j_);
}

std::vector<JournalEntry> JournalReader::read_new() {
  std::vector<JournalEntry> out;
  while (api_->next(j_) > 0) {
    JournalEntry e;
    std::uint64_t us = 0;
    if (api_->get_realtime_usec(j_, &us) >= 0) e.ns = static_cast<std::int64_t>(us) * 1000;
    e.text = field(api_, j_, "MESSAGE");
    e.err = field(api_, j_, "PRIORITY") == "3";
    out.push_back(std::move(e));
  }
  return out;
}

void JournalReader::wait(int timeout_ms) { api_->wait(j_, static_cast<std::uint64_t>(timeout_ms) * 1000); }

}  // namespace berth::engine::detail

#include "berth/runtime/seccomp.hpp"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "berth/core/json.hpp"
#include "berth/runtime/spec.hpp"
#include "berth/sys/fd.hpp"
#include "berth/sys/file.hpp"

namespace berth::runtime {

namespace {
struct CtxDeleter {
  void operator()(void* c) const { seccomp_release(c); }
};
}  // namespace

const std::vector<std::string>& denied_syscalls() {
  static const std::vector<std::string> names = {
      "acct",
      "add_key",
      "bpf",
      "clock_adjtime",
      "clock_settime",
      "create_module",
      "delete_module",
      "finit_module",
      "fsconfig",
      "fsmount",
      "fsopen",
      "fspick",
      "get_kernel_syms",
      "init_module",
      "ioperm",
      "iopl",
      "kcmp",
      "kexec_file_load",
      "kexec_load",
      "keyctl",
      "lookup_dcookie",
      "mount",
      "mount_setattr",
      "move_mount",
      "name_to_handle_at",
      "nfsservctl",
      "open_by_handle_at",
      "open_tree",
      "perf_event_open",
      "pivot_root",
      "query_module",
      "quotactl",
      "quotactl_fd",
      "reboot",
      "request_key",
      "setns",
      "settimeofday",
      "stime",
      "swapoff",
      "swapon",
      "sysfs",
      "_sysctl",
      "syslog",
      "umount",
      "umount2",
      "unshare",
      "uselib",
      "userfaultfd",
      "ustat",
      "vm86",
      "vm86old",
      "adjtimex",
  };
  return names;
}

namespace {

Result<std::vector<sock_filter>> export_bpf(void* ctx) {
  // libseccomp 2.5 exports only to an fd: go through a memfd and read the bytes back.
  sys::UniqueFd g = sys::make_memfd("berth-seccomp", false, false);
  if (!g) return fail_errno("memfd_create");
  int mfd = g.get();
  if (seccomp_export_bpf(ctx, mfd) < 0) return fail(Errc::system, "seccomp_export_bpf failed");
  if (::lseek(mfd, 0, SEEK_SET) < 0) return fail_errno("lseek");
  auto bytes = TRY(sys::read_all(mfd, 1 << 20));
  std::vector<sock_filter> prog(bytes.size() / sizeof(sock_filter));
  std::memcpy(prog.data(), bytes.data(), prog.size() * sizeof(sock_filter));
  return prog;
}

Result<std::uint32_t> action_of(const std::string& name, int errno_ret) {
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(static_cast<std::uint16_t>(errno_ret));
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(static_cast<std::uint16_t>(errno_ret));
  return fail(Errc::invalid_input, "seccomp profile: unknown action \"{}\"", name);
}

Result<scmp_compare> op_of(const std::string& op) {
  if (op == "SCMP_CMP_NE") return SCMP_CMP_NE;
  if (op == "SCMP_CMP_LT") return SCMP_CMP_LT;
  if (op == "SCMP_CMP_LE") return SCMP_CMP_LE;
  if (op == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
  if (op == "SCMP_CMP_GE") return SCMP_CMP_GE;
  if (op == "SCMP_CMP_GT") return SCMP_CMP_GT;
  if (op == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
  return fail(Errc::invalid_input, "seccomp profile: unknown operator \"{}\"", op);
}

// includes/excludes: capabilities (all must be held / none may be) and architectures.
bool applies(const Json& rule, std::uint64_t caps) {
  auto cap_bits = [](const Json& list) {
    std::uint64_t m = 0;
    for (const auto& c : list)
      if (c.is_string())
        if (auto b = cap_mask(c.get<std::string>()); b) m |= *b;
    return m;
  };
  auto arch_ok = [](const Json& list) {
    for (const auto& a : list)
      if (a.is_string() && (a.get<std::string>() == "amd64" || a.get<std::string>() == "x86_64")) return true;
    return false;
  };
  const Json& inc = json_obj(rule, "includes");
  const Json& exc = json_obj(rule, "excludes");
  if (json_obj(inc, "caps").is_array() && (caps & cap_bits(json_obj(inc, "caps"))) != cap_bits(json_obj(inc, "caps")))
    return false;
  if (json_obj(exc, "caps").is_array() && (caps & cap_bits(json_obj(exc, "caps"))) != 0) return false;
#if defined(__x86_64__)
  if (json_obj(inc, "arches").is_array() && !arch_ok(json_obj(inc, "arches"))) return false;
  if (json_obj(exc, "arches").is_array() && arch_ok(json_obj(exc, "arches"))) return false;
#endif
  return true;
}

}  // namespace

Result<std::vector<sock_filter>> compile_profile(std::string_view text, std::uint64_t caps) {
  auto j = TRY(parse_json(text, "seccomp profile", 16));
  if (!j.is_object()) return fail(Errc::invalid_input, "seccomp profile: not a JSON object");
  int def_errno = static_cast<int>(json_int(j, "defaultErrnoRet", EPERM));
  std::uint32_t def = TRY(action_of(json_str(j, "defaultAction", "SCMP_ACT_ALLOW"), def_errno));
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(def));
  if (!ctx) return fail(Errc::system, "seccomp_init failed");
  const Json& rules = json_obj(j, "syscalls");
  if (!rules.is_null() && !rules.is_array())
    return fail(Errc::invalid_input, "seccomp profile: syscalls is not a list");
  for (const auto& rule : rules.is_array() ? rules : Json::array()) {
    if (!applies(rule, caps)) continue;
    int eret = static_cast<int>(json_int(rule, "errnoRet", EPERM));
    std::uint32_t act = TRY(action_of(json_str(rule, "action"), eret));
    if (act == def) continue;  // libseccomp refuses rules that repeat the default
    std::vector<scmp_arg_cmp> conds;
    for (const auto& a : json_obj(rule, "args").is_array() ? json_obj(rule, "args") : Json::array()) {
      scmp_arg_cmp c{};
      c.arg = static_cast<unsigned>(json_int(a, "index"));
      c.op = TRY(op_of(json_str(a, "op")));
      c.datum_a = a.contains("value") && a["value"].is_number_unsigned()
                      ? a["value"].get<std::uint64_t>()
                      : static_cast<std::uint64_t>(json_int(a, "value"));
      c.datum_b = a.contains("valueTwo") && a["valueTwo"].is_number_unsigned()
                      ? a["valueTwo"].get<std::uint64_t>()
                      : static_cast<std::uint64_t>(json_int(a, "valueTwo"));
      if (c.arg > 5) return fail(Errc::invalid_input, "seccomp profile: argument index {} out of range", c.arg);
      conds.push_back(c);
    }
    std::vector<std::string> names;
    if (json_obj(rule, "names").is_array())
      for (const auto& n : json_obj(rule, "names"))
        if (n.is_string()) names.push_back(n.get<std::string>());
    if (!json_str(rule, "name").empty()) names.push_back(json_str(rule, "name"));
    for (const auto& n : names) {
      int nr = seccomp_syscall_resolve_name(n.c_str());
      if (nr == __NR_SCMP_ERROR) continue;
      int r = seccomp_rule_add_array(ctx.get(), act, nr, static_cast<unsigned>(conds.size()), conds.data());
      if (r < 0) return fail(Errc::invalid_input, "seccomp profile: rule for {}: {}", n, errno_text(-r));
    }
  }
  return export_bpf(ctx.get());
}

Result<std::vector<sock_filter>> compile_default_seccomp() {
  std::unique_ptr<void, CtxDeleter> ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return fail(Errc::system, "seccomp_init failed");
  for (const auto& n : denied_syscalls()) {
    int nr = seccomp_syscall_resolve_name(n.c_str());
    if (nr == __NR_SCMP_ERROR) continue;
    if (seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), nr, 0) < 0)
      return fail(Errc::system, "seccomp rule for {}", n);
  }
  for (unsigned long flag :
       {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP}) {
    if (seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)) < 0)
      return fail(Errc::system, "seccomp rule for clone");
  }
  int clone3 = seccomp_syscall_resolve_name("clone3");
  if (clone3 != __NR_SCMP_ERROR && seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), clone3, 0) < 0)
    return fail(Errc::system, "seccomp rule for clone3");
  return export_bpf(ctx.get());
}

namespace {

// This binary's identity: a rebuilt or upgraded berth (or its static libseccomp) never reads
// a filter an older one wrote.
std::string binary_key() {
  struct stat st;
  if (::stat("/proc/self/exe", &st) != 0) return "";
  return fmt::format("berth-seccomp-v1 {} {} {}.{}\n", st.st_dev, st.st_ino, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

}  // namespace

Result<std::vector<sock_filter>> default_seccomp_cached(const std::string& cache_dir) {
  std::string key = binary_key();
  if (key.empty()) return compile_default_seccomp();
  std::string path = cache_dir + "/seccomp-default.bpf";
  if (int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW); fd >= 0) {
    sys::UniqueFd g(fd);
    auto text = sys::read_all(fd, 1 << 20);
    if (text && text->starts_with(key)) {
      size_t n = text->size() - key.size();
      if (n > 0 && n % sizeof(sock_filter) == 0 && n / sizeof(sock_filter) <= BPF_MAXINSNS) {
        std::vector<sock_filter> prog(n / sizeof(sock_filter));
        std::memcpy(prog.data(), text->data() + key.size(), n);
        return prog;
      }
    }
  }
  auto prog = TRY(compile_default_seccomp());
  std::string out = key;
  out.append(reinterpret_cast<const char*>(prog.data()), prog.size() * sizeof(sock_filter));
  if (int dir = ::open(cache_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    sys::UniqueFd g(dir);
    (void)sys::write_replace(dir, "seccomp-default.bpf", out, 0600);  // a cache: failing to keep it is fine
  }
  return prog;
}

}  // namespace berth::runtime

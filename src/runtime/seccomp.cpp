#include "berth/runtime/seccomp.hpp"

#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

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
      "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
      "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module",
      "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie",
      "mount", "mount_setattr", "move_mount", "name_to_handle_at", "nfsservctl", "open_by_handle_at",
      "open_tree", "perf_event_open", "pivot_root", "query_module", "quotactl", "quotactl_fd",
      "reboot", "request_key", "setns", "settimeofday", "stime", "swapoff", "swapon", "sysfs",
      "_sysctl", "syslog", "umount", "umount2", "unshare", "uselib", "userfaultfd", "ustat", "vm86",
      "vm86old", "adjtimex",
  };
  return names;
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
  for (unsigned long flag : {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
                             CLONE_NEWCGROUP}) {
    if (seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)) < 0)
      return fail(Errc::system, "seccomp rule for clone");
  }
  int clone3 = seccomp_syscall_resolve_name("clone3");
  if (clone3 != __NR_SCMP_ERROR && seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), clone3, 0) < 0)
    return fail(Errc::system, "seccomp rule for clone3");
  // libseccomp 2.5 exports only to an fd: go through a memfd and read the bytes back.
  int mfd = ::memfd_create("berth-seccomp", MFD_CLOEXEC);
  if (mfd < 0) return fail_errno("memfd_create");
  sys::UniqueFd g(mfd);
  if (seccomp_export_bpf(ctx.get(), mfd) < 0) return fail(Errc::system, "seccomp_export_bpf failed");
  if (::lseek(mfd, 0, SEEK_SET) < 0) return fail_errno("lseek");
  auto bytes = TRY(sys::read_all(mfd, 1 << 20));
  std::vector<sock_filter> prog(bytes.size() / sizeof(sock_filter));
  std::memcpy(prog.data(), bytes.data(), prog.size() * sizeof(sock_filter));
  return prog;
}

}  // namespace berth::runtime

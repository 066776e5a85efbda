// The sealed exec stub (CVE-2019-5736): see src/runtime/stub/exec_stub.c.
#pragma once

namespace berth::runtime {

// A sealed, executable, close-on-exec memfd holding the stub, made once per process; -1 (after
// one warning) when the kernel will not execute a memfd (vm.memfd_noexec=2): the child then
// execs the command itself.
int exec_stub_fd();

}  // namespace berth::runtime

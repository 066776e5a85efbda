#include "berth/runtime/exec_stub.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "berth/core/log.hpp"
#include "berth/runtime/child.hpp"
#include "berth/sys/file.hpp"
#include "exec_stub_blob.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

namespace berth::runtime {

static_assert(static_cast<int>(Stage::exec) == 10, "exec_stub.c reports stage 10 as exec");
static_assert(sizeof(ChildReport) == 12, "exec_stub.c writes a 12-byte report");

namespace {

int make_stub() {
  int fd = sys::make_memfd("berth-exec", true, true).release();
  if (fd < 0) return -1;
  const unsigned char* p = kExecStub;
  size_t left = sizeof kExecStub;
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (::fcntl(fd, F_ADD_SEALS, seals | F_SEAL_EXEC) != 0 && ::fcntl(fd, F_ADD_SEALS, seals) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int exec_stub_fd() {
  static const int fd = [] {
    int f = make_stub();
    if (f < 0)
      log::warn(
          "cannot make the sealed exec helper ({}); the container's command is started "
          "directly, without the CVE-2019-5736 protection",
          std::strerror(errno));
    return f;
  }();
  return fd;
}

}  // namespace berth::runtime

// berth's exec stub: the last program a container process runs before its own command.
//
// CVE-2019-5736: while a process that berth forked is still berth, /proc/self/exe names berth's
// binary on the host. If the container's command were a script starting `#!/proc/self/exe`,
// execve would run that binary inside the container, where container root could reopen it for
// writing through /proc/PID/exe and replace berth on the host. So the child never execs the
// command itself: it execs this stub from a sealed memfd, and the stub execs the command. From
// then on /proc/self/exe is the sealed copy, which nobody can write.
//
// Freestanding (no libc): a few hundred bytes, started in microseconds. The protocol is
//   argv = { "berth-exec", REPORT_FD, PATH, command argv... }
// REPORT_FD is berth's O_CLOEXEC report pipe (inherited for this one exec); when the command
// cannot be executed the stub writes the child's 12-byte report {stage=exec, 0, errno} there,
// as the child itself would, and exits 125. PATH ("" for none) is searched when the command
// has no slash, the way execvp does: the most telling errno wins over ENOENT.

typedef unsigned long u64;

#if defined(__x86_64__)
#define NR_write 1
#define NR_fcntl 72
#define NR_execve 59
#define NR_exit_group 231
static long sys3(long n, long a, long b, long c) {
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
}
__asm__(".text\n.global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call stub_main\n hlt\n");
#elif defined(__aarch64__)
#define NR_write 64
#define NR_fcntl 25
#define NR_execve 221
#define NR_exit_group 94
static long sys3(long n, long a, long b, long c) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
}
__asm__(".text\n.global _start\n_start:\n mov x0, sp\n bl stub_main\n brk #0\n");
#else
#error "no exec stub for this architecture"
#endif

#define ENOENT 2
#define ENOTDIR 20
#define F_SETFD 2
#define FD_CLOEXEC 1
#define STAGE_EXEC 10

__attribute__((noreturn)) static void stub_exit(int code) {
  for (;;) sys3(NR_exit_group, code, 0, 0);
}

static u64 slen(const char* s) {
  u64 n = 0;
  while (s[n]) n++;
  return n;
}

static int has_slash(const char* s) {
  for (; *s; s++)
    if (*s == '/') return 1;
  return 0;
}

__attribute__((noreturn)) static void report(int fd, long err) {
  int r[3] = {STAGE_EXEC, 0, (int)-err};
  sys3(NR_write, fd, (long)r, sizeof r);
  stub_exit(125);
}

__attribute__((used, noreturn)) void stub_main(long* sp) {
  long argc = sp[0];
  char** argv = (char**)(sp + 1);
  char** envp = argv + argc + 1;
  if (argc < 4 || argv[1][0] < '0' || argv[1][0] > '9') {
    static const char msg[] = "berth-exec: berth's helper that starts a container's command; not for direct use\n";
    sys3(NR_write, 2, (long)msg, sizeof msg - 1);
    stub_exit(127);
  }
  int fd = 0;
  for (const char* d = argv[1]; *d >= '0' && *d <= '9'; d++) fd = fd * 10 + (*d - '0');
  sys3(NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
  const char* path = argv[2];
  char** cmd = argv + 3;
  const char* file = cmd[0];
  if (has_slash(file)) report(fd, sys3(NR_execve, (long)file, (long)cmd, (long)envp));
  if (!*path) report(fd, -ENOENT);
  long best = -ENOENT;
  char buf[4096];
  u64 flen = slen(file);
  const char* dir = path;
  for (;;) {
    const char* end = dir;
    while (*end && *end != ':') end++;
    u64 dlen = (u64)(end - dir);
    if (dlen + flen + 2 < sizeof buf) {
      for (u64 i = 0; i < dlen; i++) buf[i] = dir[i];
      buf[dlen] = '/';
      for (u64 i = 0; i <= flen; i++) buf[dlen + 1 + i] = file[i];
      long r = sys3(NR_execve, (long)buf, (long)cmd, (long)envp);
      if (r != -ENOENT && r != -ENOTDIR) best = r;
    }
    if (!*end) break;
    dir = end + 1;
  }
  report(fd, best);
}

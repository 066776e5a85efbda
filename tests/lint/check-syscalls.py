#!/usr/bin/env python3
"""Raw system calls live in src/sys/ (and the child zone, src/runtime/child*.cpp): everything else
calls sys:: wrappers, so that what berth asks of the kernel is read in one place.

A "raw system call" here is a call of syscall() or of the libc wrappers of the process,
namespace, mount, credential, signal, socket, terminal and timer families. Plain file I/O on
paths and fds (open, read, write, stat, ...) is not listed: every module reads and writes files.
Usage: check-syscalls.py SOURCE_ROOT"""
import os
import re
import sys

RAW = """syscall fork vfork clone clone3 execv execve execvp execvpe execveat posix_spawn posix_spawnp
waitpid waitid wait4 kill tgkill pidfd_open pidfd_send_signal mount umount umount2 unshare setns
pivot_root chroot prctl ptrace capset capget setresuid setresgid setuid setgid setgroups open_tree
move_mount fsopen fsmount fsconfig mount_setattr signalfd timerfd_create timerfd_settime socket
socketpair bind listen accept accept4 connect ioctl prlimit setrlimit sethostname flock memfd_create
sigprocmask sigaction setsid tcsetattr tcgetattr""".split()
CALL = re.compile(r"(?<![\w.>])(?:::)?(" + "|".join(RAW) + r")\s*\(")


def strip(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(\\.|[^"\\\n])*"', '""', text)
    return re.sub(r"'(\\.|[^'\\\n])'", "''", text)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    bad = 0
    for dirpath, _, files in os.walk(os.path.join(root, "src")):
        rel_dir = os.path.relpath(dirpath, root)
        if rel_dir.startswith(os.path.join("src", "sys")) or "stub" in rel_dir:
            continue
        for f in sorted(files):
            if not f.endswith((".cpp", ".hpp")):
                continue
            path = os.path.join(rel_dir, f)
            if path in (os.path.join("src", "runtime", "child.cpp"), os.path.join("src", "runtime", "child_mount.cpp")):
                continue
            text = strip(open(os.path.join(root, path)).read())
            for n, line in enumerate(text.split("\n"), 1):
                for m in CALL.finditer(line):
                    # a declaration or a member of our own (sys::x(), obj.kill()) is not a call of libc's
                    before = line[: m.start()]
                    if re.search(r"\w::$", before) or re.search(r"\b(void|int|bool|auto|static|Client|Result<.*>)\s+$", before):
                        continue
                    print(f"{path}:{n}: raw system call {m.group(1)}() outside src/sys/")
                    bad = 1
    if not bad:
        print("raw system calls only in src/sys/ and the child zone (src/runtime/child*.cpp)")
    return bad


if __name__ == "__main__":
    sys.exit(main())

#!/bin/bash
# The child zone (clone to execve) may call only system calls and a few string functions:
# no malloc, no exceptions, no stdio (STYLE.md 2.7). Fails on any other undefined symbol.
set -u
lib=$1
allow='^(_exit|chdir|close|close_range|dup2|execve|fchdir|fcntl|fcntl64|open64|open_tree|umask|fsconfig|fsmount|fsopen|fstat|fstatfs|fstatfs64|getppid|ioctl|memcpy|mkdir|mkdirat|mknodat|mount|move_mount|open|prctl|read|setgroups|setresgid|setresuid|sendmsg|sethostname|setns|setsid|socket|sigprocmask|strchr|strlen|strrchr|symlinkat|syscall|umount2|write|__errno_location|__stack_chk_fail|__fstat|__fstat64|fstat64|__memcpy_chk|__gxx_personality_v0|_ZSt21__glibcxx_assert_failPKciS0_S0_)$'
# What one object of the child zone calls in another (child.cpp -> child_mount.cpp) is not
# a library call.
defined=$(nm --defined-only "$lib" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u)
syms=$(nm -u "$lib" | awk '{print $2}' | sed 's/@.*//' | sort -u | comm -23 - <(echo "$defined"))
bad=$(echo "$syms" | grep -Ev "$allow" | grep -v '^$')
if [ -n "$bad" ]; then
  echo "symbols the child may not use:"
  echo "$bad"
  exit 1
fi
echo "child symbols OK: $(echo $syms)"

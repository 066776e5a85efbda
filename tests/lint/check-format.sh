#!/bin/bash
# The sources follow .clang-format (clang-format only tokenizes, so Debian's clang-format 14
# reads this C++23 fine). Skips, saying so, where clang-format is not installed.
set -u
root=${1:-.}
cd "$root" || exit 1
if ! command -v clang-format >/dev/null; then
  echo "clang-format is not installed (apt-get install clang-format): format not checked"
  exit 77
fi
files=$(find src include tests/unit tests/fuzz tests/helpers \( -name '*.cpp' -o -name '*.hpp' -o -name '*.c' -o -name '*.h' \) \
        ! -path '*/stub/exec_stub.c' | sort)
bad=$(clang-format --dry-run $files 2>&1 | grep -c 'warning:')
if [ "$bad" != 0 ]; then
  clang-format --dry-run $files 2>&1 | grep 'warning:' | cut -d: -f1 | sort | uniq -c | head -20
  echo "$bad lines differ from .clang-format: clang-format -i the files above"
  exit 1
fi
echo "$(echo "$files" | wc -l) files follow .clang-format"

#!/bin/bash
# Every tests/system/*.bats file is registered in tests/meson.build (root and rootless), so
# that none is silently never run (150-healthcheck.bats was, for a whole session).
set -u
src=$1
missing=0
for f in "$src"/tests/system/*.bats; do
  name=$(basename "$f" .bats)
  if ! grep -q "'$name'" "$src/tests/meson.build"; then
    echo "tests/system/$name.bats is not registered in tests/meson.build"
    missing=1
  fi
done
[ $missing = 0 ] && echo "every bats file is registered: $(ls "$src"/tests/system/*.bats | wc -l)"
exit $missing

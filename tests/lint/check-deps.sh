#!/bin/bash
# Fails when a module includes a berth header it may not (STYLE.md 2.2):
#   main -> cli -> engine -> {registry -> image -> store, runtime} -> sys -> core
set -u
root=${1:-.}
declare -A allowed=(
  [core]="core"
  [sys]="core sys"
  [store]="core sys store"
  [image]="core sys store image"
  [registry]="core sys store image registry"
  [runtime]="core sys runtime"
  [engine]="core sys store image registry runtime engine"
  [cli]="core engine"
)
bad=0
for m in "${!allowed[@]}"; do
  for f in $(find "$root/src/$m" "$root/include/berth/$m" -name '*.[ch]pp' 2>/dev/null); do
    for dep in $(grep -oE '#include "berth/[a-z]+/' "$f" | sed -E 's|#include "berth/([a-z]+)/|\1|' | sort -u); do
      if [[ " ${allowed[$m]} " != *" $dep "* ]]; then
        echo "$f: module $m may not include berth/$dep/"
        bad=1
      fi
    done
  done
done
# The child zone includes nothing of berth but its own header.
if grep -E '#include "berth/' "$root/src/runtime/child.cpp" | grep -v 'berth/runtime/child.hpp'; then
  echo "src/runtime/child.cpp: the child may include only berth/runtime/child.hpp"
  bad=1
fi
[ $bad = 0 ] && echo "dependency directions OK"
exit $bad

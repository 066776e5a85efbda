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
  [net]="core sys net"
  [engine]="core sys store image registry runtime net engine"
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
# Each third-party library lives in one place (STYLE.md 2.2): HEADER_REGEX -> the files that
# may include it.
declare -A third=(
  ['<archive(_entry)?\.h>']='^src/image/'
  ['<curl/']='^src/registry/http\.cpp$'
  ['<seccomp\.h>']='^src/runtime/seccomp\.cpp$'
  ['<libmnl/']='^src/net/netlink\.cpp$'
  ['<CLI/']='^src/cli/'
  ['<openssl/']='^src/core/digest\.cpp$'
  ['<nlohmann/']='^include/berth/core/json\.hpp$'
)
for h in "${!third[@]}"; do
  for f in $(cd "$root" && grep -rlE "#include $h" src include 2>/dev/null); do
    if ! [[ $f =~ ${third[$h]} ]]; then
      echo "$f: includes $h, which only ${third[$h]} may"
      bad=1
    fi
  done
done
# main.cpp reaches nothing below cli/: it includes cli/ and the standard library only.
if grep -E '#include "' "$root/src/main.cpp" | grep -vE '#include "cli/'; then
  echo "src/main.cpp: may include only cli/ headers"
  bad=1
fi
[ $bad = 0 ] && echo "dependency directions and third-party headers OK"
exit $bad

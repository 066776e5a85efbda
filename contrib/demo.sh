#!/bin/bash
# The README's first command: installs the build dependencies, builds berth, makes a demo image
# from this machine's busybox-static and runs a container from it. No network beyond apt.
set -eu
cd "$(dirname "$0")/.."
contrib/deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build src/berth >/dev/null
berth=$PWD/build/src/berth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/etc"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in sh echo cat uname hostname ls id; do ln -s busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
echo 'root:x:0:' > "$work/rootfs/etc/group"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
export BERTH_ROOT=${BERTH_ROOT:-$work/store}
"$berth" import --change 'CMD ["/bin/sh"]' "$work/rootfs.tar" demo >/dev/null
"$berth" images
"$berth" run --rm demo sh -c 'echo "hello from a berth container: $(hostname), pid $$, $(id)"'

#!/bin/bash
# berth load of a ~100 MB, 5-layer docker-archive vs the floor: tar -xf of the same layers
# into empty directories. Also podman load when podman is installed.
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-load.XXXXXX)
trap 'rm -rf "$work"' EXIT
make_bench_image "$work"
size=$(du -m "$work/img.tar" | cut -f1)
# Each repetition starts from empty targets (removed untimed).
export PREPARE='rm -rf "$work/x" "$work/store" "$work/p"'
floor() {
  mkdir "$work/x"
  for i in 0 1 2 3 4; do mkdir "$work/x/$i"; tar -xf "$work/l$i.tar" -C "$work/x/$i"; done
}
floor_sync() { floor; sync -f "$work"; }
load() { BERTH_ROOT=$work/store "$BERTH" load -q -i "$work/img.tar"; }
f=$(median_ms floor)
fs=$(median_ms floor_sync)
b=$(median_ms load)
echo "load of a ${size} MB 5-layer docker-archive (median of $REPS):"
echo "  floor (tar -xf of the layers):            ${f} ms"
echo "  floor + sync (durable, as berth is):      ${fs} ms"
echo "  berth load (stores blobs too, syncfs):    ${b} ms   ratio to floor: $(ratio "$b" "$f")   to floor+sync: $(ratio "$b" "$fs")"
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  pl() { $(podman_cmd "$work/p") load -q -i "$work/img.tar"; }
  p=$(REPS=3 median_ms pl)
  echo "  podman load:                              ${p} ms   ratio to floor: $(ratio "$p" "$f")   podman/berth: $(ratio "$p" "$b")"
fi

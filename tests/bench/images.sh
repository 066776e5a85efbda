#!/bin/bash
# berth images and berth image inspect with 50 images: berth's own time (wall time minus the
# time to start a trivial process, the floor).
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store img0
for i in $(seq 50); do
  echo "$i" > "$work/rootfs/id"
  tar -C "$work/rootfs" -cf "$work/r.tar" .
  "$BERTH" import "$work/r.tar" "img$i" >/dev/null
done
REPS=${REPS:-21}
floor=$(median_ms "$BERTH" version)
images=$(median_ms "$BERTH" images)
inspect=$(median_ms "$BERTH" image inspect img25)
echo "50 images (median of $REPS):"
echo "  berth version (process floor): ${floor} ms"
echo "  berth images:                  ${images} ms   berth's own: $(awk -v a=$images -v b=$floor 'BEGIN{printf "%.2f", a-b}') ms"
echo "  berth image inspect:           ${inspect} ms   berth's own: $(awk -v a=$inspect -v b=$floor 'BEGIN{printf "%.2f", a-b}') ms"

#!/bin/bash
# berth run -d + berth stop -t 0 vs the run floor (unshare ... chroot ROOTFS /bin/true).
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-detach.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store benchimg
REPS=${REPS:-11}
floor_run() { unshare --fork --pid --mount --uts --ipc --net chroot "$work/rootfs" /bin/true; }
cycle() { id=$("$BERTH" run -d --rm benchimg /bin/sleep 100); "$BERTH" stop -t 0 "$id"; }
read -r floor b < <(median_pair_ms floor_run cycle)
echo "run -d + stop -t 0 (median of $REPS):"
echo "  floor (unshare ... chroot /bin/true): ${floor} ms"
echo "  berth run -d + stop -t 0:             ${b} ms   ratio to floor: $(ratio "$b" "$floor")"

#!/bin/bash
# berth run --rm IMAGE /bin/true vs the floor: unshare --fork --pid --mount --uts --ipc --net
# chroot ROOTFS /bin/true. Also podman run --rm when podman is installed (root only).
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store benchimg
REPS=${REPS:-21}
floor_run() { unshare --fork --pid --mount --uts --ipc --net chroot "$work/rootfs" /bin/true; }
berth_run() { "$BERTH" run --rm benchimg /bin/true; }
read -r floor b < <(median_pair_ms floor_run berth_run)
echo "run --rm IMAGE /bin/true (median of $REPS):"
echo "  floor (unshare ... chroot):  ${floor} ms"
echo "  berth run --rm:              ${b} ms   ratio to floor: $(ratio "$b" "$floor")"
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  p=$(podman_cmd "$work/p")
  $p import "$work/rootfs.tar" localhost/benchimg >/dev/null 2>&1
  pr=$(REPS=5 median_ms $p --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/benchimg /bin/true)
  echo "  podman run --rm:             ${pr} ms   ratio to floor: $(ratio "$pr" "$floor")   podman/berth: $(ratio "$pr" "$b")"
fi

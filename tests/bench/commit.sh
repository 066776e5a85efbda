#!/bin/bash
# berth commit of a container with 10,000 small changed files and one 100 MB file, against the
# floor: tar -c of its upper directory piped into sha256sum. Also podman commit where installed
# (root only). Ratios, not times: the disk here is noisy.
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-commit.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store benchimg
for a in sh dd mkdir; do ln -sf busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"$BERTH" import "$work/rootfs.tar" benchimg >/dev/null
CHANGES='mkdir -p /many; i=0; while [ $i -lt 10000 ]; do echo $i > /many/f$i; i=$((i+1)); done
dd if=/dev/urandom of=/big bs=1M count=100 2>/dev/null'
"$BERTH" run --name src benchimg sh -c "$CHANGES"
id=$("$BERTH" inspect --format '{{.Id}}' src)
upper=$BERTH_ROOT/containers/$id/upper
REPS=${REPS:-5}
sync
floor=$(median_ms sh -c "tar -C '$upper' -cf - . | sha256sum")
b=$(PREPARE="\"$BERTH\" rmi -f committed; \"$BERTH\" image prune" median_ms "$BERTH" commit -q src committed)
echo "commit of 10,000 small files + 100 MB (median of $REPS):"
echo "  floor (tar -c upper | sha256sum): ${floor} ms"
echo "  berth commit:                     ${b} ms   ratio to floor: $(ratio "$b" "$floor")"
# commit keeps the new layer as its blob; the first container of the image unpacks it
bf=$(PREPARE="\"$BERTH\" rmi -f committed; \"$BERTH\" image prune" median_ms sh -c "\"$BERTH\" commit -q src committed && \"$BERTH\" run --rm committed true")
echo "  berth commit + first run (unpack): ${bf} ms   ratio to floor: $(ratio "$bf" "$floor")"
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  p=$(podman_cmd "$work/p")
  $p import "$work/rootfs.tar" localhost/benchimg >/dev/null 2>&1
  $p --runtime runc run --name src --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/benchimg sh -c "$CHANGES" >/dev/null 2>&1
  pr=$(REPS=3 PREPARE="$p rmi -f committed" median_ms $p commit -q src committed)
  echo "  podman commit:                    ${pr} ms   ratio to floor: $(ratio "$pr" "$floor")   podman/berth: $(ratio "$pr" "$b")"
  $p rm -af >/dev/null 2>&1 || true
  $p rmi -af >/dev/null 2>&1 || true
fi

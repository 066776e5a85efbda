#!/bin/bash
# berth pull of a ~100 MB, 5-layer image from a docker-registry on 127.0.0.1 vs the floor:
# curl of the same blobs piped into tar -x (one after the other, as a script would). Also
# podman pull when podman is installed.
set -eu
cd "$(dirname "$0")"
. ./lib.sh
command -v docker-registry >/dev/null || { echo "pull.sh needs docker-registry (apt-get install docker-registry)"; exit 0; }
work=$(mktemp -d /var/tmp/berth-bench-pull.XXXXXX)
. ../system/helpers.registry.bash
trap 'stop_server "$work/reg"; rm -rf "$work"' EXIT
make_bench_image "$work"
reg=$(start_registry "$work/reg")
BERTH_ROOT=$work/src "$BERTH" load -q -i "$work/img.tar" >/dev/null
BERTH_ROOT=$work/src "$BERTH" push -q --tls-verify=false bench:latest "$reg/bench/img:1"
manifest=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$reg/v2/bench/img/manifests/1")
blobs=$(echo "$manifest" | python3 -c 'import json,sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"]))')
size=$(du -m "$work/img.tar" | cut -f1)
export PREPARE='rm -rf "$work/x" "$work/store" "$work/p"'
floor() {
  local i=0 b
  mkdir "$work/x"
  for b in $blobs; do
    mkdir "$work/x/$i"
    curl -s "http://$reg/v2/bench/img/blobs/$b" | tar -x -C "$work/x/$i"
    i=$((i + 1))
  done
}
floor_sync() { floor; sync -f "$work"; }
pull() { BERTH_ROOT=$work/store "$BERTH" pull -q --tls-verify=false "$reg/bench/img:1"; }
f=$(median_ms floor)
fs=$(median_ms floor_sync)
b=$(median_ms pull)
echo "pull of a ${size} MB 5-layer image from a local docker-registry (median of $REPS):"
echo "  floor (curl | tar -x of each layer):      ${f} ms"
echo "  floor + sync (durable, as berth is):      ${fs} ms"
echo "  berth pull (keeps blobs too, syncfs):     ${b} ms   ratio to floor: $(ratio "$b" "$f")   to floor+sync: $(ratio "$b" "$fs")"
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  pp() { $(podman_cmd "$work/p") pull -q --tls-verify=false "$reg/bench/img:1"; }
  p=$(REPS=3 median_ms pp)
  echo "  podman pull:                              ${p} ms   ratio to floor: $(ratio "$p" "$f")   podman/berth: $(ratio "$p" "$b")"
fi

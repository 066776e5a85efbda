#!/bin/bash
# A pod of two: `pod create` + two `run -d --pod` (then `pod rm -f`) against three plain
# `run -d` (then `rm -f`), and podman doing the same pod beside it when podman is installed.
# Issue 20's bar: the pod within 1.5x of the three plain containers. Root only (podman's pods
# need its own network setup rootless).
set -eu
cd "$(dirname "$0")"
REPS=${REPS:-7}
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-pod.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store benchimg
"$BERTH" pod create --name warm >/dev/null && "$BERTH" pod rm -f warm >/dev/null  # the infra image, once
three_plain() {
  for n in a b c; do "$BERTH" run -d --name $n benchimg sleep 1000; done
  "$BERTH" rm -f -t 0 a b c
}
pod_of_two() {
  "$BERTH" pod create --name p
  for n in a b; do "$BERTH" run -d --pod p --name $n benchimg sleep 1000; done
  "$BERTH" pod rm -f -t 0 p
}
read -r plain pod < <(median_pair_ms three_plain pod_of_two)
echo "pod of two vs three plain containers, created, started and removed (median of $REPS):"
echo "  berth: 3x run -d + rm -f:                ${plain} ms"
echo "  berth: pod create + 2x run -d --pod + pod rm -f: ${pod} ms   ratio: $(ratio "$pod" "$plain")"
if command -v podman >/dev/null; then
  p=$(podman_cmd "$work/p")
  $p import "$work/rootfs.tar" localhost/benchimg >/dev/null 2>&1
  podman_pod() {
    $p pod create --name p
    for n in a b; do $p --runtime runc run -d --pod p --name $n localhost/benchimg sleep 1000; done
    $p pod rm -f -t 0 p
  }
  if err=$($p pod create --name probe 2>&1); then
    $p pod rm -f probe >/dev/null 2>&1
    podman_pod >/dev/null 2>&1 || true
    pp=$(REPS=3 median_ms podman_pod)
    echo "  podman: the same pod:                    ${pp} ms   podman/berth: $(ratio "$pp" "$pod")"
  else
    echo "  podman: pods do not work on this host: ${err##*$'\n'}"
  fi
  $p pod rm -a -f >/dev/null 2>&1 || true
fi

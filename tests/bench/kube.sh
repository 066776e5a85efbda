#!/bin/bash
# `kube play` of a two-container pod with a published port, then `kube down`, against podman's
# `kube play` / `kube play --down` of the same YAML when podman runs pods here. Issue 20's bar:
# berth at least 10x faster. Also the floor: the same pod made by hand (pod create -p + two
# run -d --pod + pod rm -f). Root, in a network namespace of its own (the port is published
# there only): tests/system/in-netns.sh bash tests/bench/kube.sh, or run as root directly.
set -eu
self=$(readlink -f "$0")
cd "$(dirname "$self")"
if [ "${BERTH_TEST_NETNS:-}" != 1 ]; then
  exec ../system/in-netns.sh bash "$self" "$@"
fi
REPS=${REPS:-7}
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-kube.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store benchimg
cat > "$work/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata:
  name: benchpod
spec:
  containers:
  - name: web
    image: localhost/benchimg:latest
    command: [sleep, "1000"]
    ports: [{containerPort: 80, hostPort: 18090}]
  - name: side
    image: localhost/benchimg:latest
    command: [sleep, "1000"]
YAML
"$BERTH" tag benchimg localhost/benchimg:latest
"$BERTH" pod create --name warm >/dev/null && "$BERTH" pod rm -f warm >/dev/null  # the infra image, once
play_down() {
  "$BERTH" kube play "$work/pod.yaml"
  "$BERTH" kube down "$work/pod.yaml"
}
by_hand() {
  "$BERTH" pod create --name benchpod --network bridge -p 18090:80
  for n in web side; do "$BERTH" run -d --pod benchpod --name benchpod-$n benchimg sleep 1000; done
  "$BERTH" pod rm -f -t 0 benchpod
}
read -r hand play < <(median_pair_ms by_hand play_down)
echo "kube play + kube down of a two-container pod with a published port (median of $REPS):"
echo "  berth: pod create -p + 2x run -d --pod + pod rm -f: ${hand} ms"
echo "  berth: kube play + kube down:                       ${play} ms   ratio: $(ratio "$play" "$hand")"
if command -v podman >/dev/null; then
  p=$(podman_cmd "$work/p")
  $p import "$work/rootfs.tar" localhost/benchimg >/dev/null 2>&1
  podman_play() {
    $p --runtime runc kube play "$work/pod.yaml"
    $p --runtime runc kube play --down "$work/pod.yaml"
  }
  if err=$($p --runtime runc kube play "$work/pod.yaml" 2>&1); then
    $p --runtime runc kube play --down "$work/pod.yaml" >/dev/null 2>&1
    pp=$(REPS=3 median_ms podman_play)
    echo "  podman: kube play + kube play --down:               ${pp} ms   podman/berth: $(ratio "$pp" "$play")"
  else
    echo "  podman: kube play does not work on this host: ${err##*$'\n'}"
  fi
  $p pod rm -a -f >/dev/null 2>&1 || true
fi

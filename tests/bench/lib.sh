# Shared helpers for the ratio benchmarks. They print ratios, not verdicts: machines are noisy.
BERTH=${BERTH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/src/berth}
REPS=${REPS:-7}

# median_ms CMD...: runs CMD $REPS times (output discarded), prints the median wall time in ms.
# $PREPARE, when set, runs untimed before each repetition (cleanup, sync).
median_ms() {
  local times=() i s e
  for ((i = 0; i < REPS; i++)); do
    [ -n "${PREPARE:-}" ] && eval "$PREPARE" >/dev/null 2>&1
    s=$(date +%s%N)
    "$@" >/dev/null 2>&1
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# A throw-away podman, as ../shared/peers.md says it runs here.
podman_cmd() {
  echo "podman --root $1/root --runroot $1/runroot --storage-driver ${PODMAN_DRIVER:-overlay}"
}

# bench_store NAME: a throw-away store in $work (set by the caller, removed on exit) holding
# NAME, a busybox image whose /bin has true and sleep. Exports BERTH_ROOT; the rootfs stays in
# $work/rootfs (for the chroot floor).
bench_store() {
  export BERTH_ROOT=$work/store
  mkdir -p "$work/rootfs/bin"
  cp "$(command -v busybox)" "$work/rootfs/bin/"
  ln -sf busybox "$work/rootfs/bin/true"
  ln -sf busybox "$work/rootfs/bin/sleep"
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  "$BERTH" import "$work/rootfs.tar" "$1" >/dev/null
}

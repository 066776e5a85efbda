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

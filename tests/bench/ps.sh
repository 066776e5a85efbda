#!/bin/bash
# berth ps -a with 1,000 containers (berth's own time: wall time minus the process floor).
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-ps.XXXXXX)
trap 'rm -rf "$work"' EXIT
bench_store psimg
N=${N:-1000}
for i in $(seq "$N"); do "$BERTH" create psimg /bin/busybox true >/dev/null; done
REPS=${REPS:-11}
floor=$(median_ms "$BERTH" version)
ps=$(median_ms "$BERTH" ps -a)
echo "ps -a with $N containers (median of $REPS):"
echo "  berth version (process floor): ${floor} ms"
echo "  berth ps -a:                   ${ps} ms   berth's own: $(awk -v a=$ps -v b=$floor 'BEGIN{printf "%.2f", a-b}') ms"

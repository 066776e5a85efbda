#!/bin/bash
# berth ps -a with 1,000 containers (berth's own time: wall time minus the process floor); and
# what those containers cost a run --rm and an inspect by name (the names index: nothing).
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
name=$("$BERTH" ps -a -l --format '{{.Names}}')
ins=$(median_ms "$BERTH" container inspect "$name")
run1=$(median_ms "$BERTH" run --rm psimg /bin/busybox true)
"$BERTH" rm -a >/dev/null
ins0=$(median_ms "$BERTH" container inspect "$("$BERTH" create psimg /bin/busybox true)")
run0=$(median_ms "$BERTH" run --rm psimg /bin/busybox true)
echo "  container inspect NAME:        ${ins} ms with $N containers, ${ins0} ms with 1   ratio: $(ratio "$ins" "$ins0")"
echo "  run --rm:                      ${run1} ms with $N containers, ${run0} ms with 1   ratio: $(ratio "$run1" "$run0")"

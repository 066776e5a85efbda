#!/bin/bash
# berth build against buildah bud (Debian's, --layers --isolation chroot, as ../shared/peers.md
# runs it here) and against a floor, in one run:
#   - COPY . /app of a 10,000-file context (floor: tar -c of the context | sha256sum);
#   - the same build again, everything cached;
#   - a 5-step RUN build, each step's overhead against berth run --rm + berth commit by hand;
#     the same with --squash (the new layers merged into one).
# Ratios, not verdicts: the disk here is noisy.
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-build.XXXXXX)
cleanup() { if [ "$(id -u)" = 0 ]; then rm -rf "$work"; else "$BERTH" unshare rm -rf "$work"; fi; }
trap cleanup EXIT
bench_store benchimg
for a in sh true; do ln -sf busybox "$work/rootfs/bin/$a"; done
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"$BERTH" import "$work/rootfs.tar" benchimg >/dev/null
REPS=${REPS:-5}

ctx=$work/ctx
mkdir -p "$ctx/files"
python3 - "$ctx/files" <<'P'
import os, sys
d = sys.argv[1]
for i in range(10000):
    sub = os.path.join(d, f"d{i // 500}")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"f{i}"), "wb") as f:
        f.write(os.urandom(512))
P
printf 'FROM benchimg\nCOPY . /app\n' > "$ctx/Containerfile"
sync
floor=$(median_ms sh -c "tar -C '$ctx' -cf - . | sha256sum")
b=$(median_ms "$BERTH" build --no-cache -q -t copied "$ctx")
bc=$(median_ms "$BERTH" build -q -t copied "$ctx")
echo "build: COPY . /app of 10,000 files (median of $REPS):"
echo "  floor (tar -c context | sha256sum): ${floor} ms"
echo "  berth build --no-cache:             ${b} ms   ratio to floor: $(ratio "$b" "$floor")"
echo "  berth build, all cached:            ${bc} ms   ratio to floor: $(ratio "$bc" "$floor")"

runs=$work/runs
mkdir -p "$runs"
printf 'FROM benchimg\nRUN true\nRUN true\nRUN true\nRUN true\nRUN true\n' > "$runs/Containerfile"
br=$(median_ms "$BERTH" build --no-cache -q -t runs "$runs")
by_hand() {
  local img=benchimg i
  for i in 1 2 3 4 5; do
    "$BERTH" run --name step benchimg true && "$BERTH" commit -q step "step$i" && "$BERTH" rm step
    img=step$i
  done
}
bh=$(median_ms by_hand)
echo "build: 5 RUN steps (median of $REPS):"
echo "  berth run + commit + rm by hand, x5: ${bh} ms"
echo "  berth build --no-cache:              ${br} ms   ratio to by hand: $(ratio "$br" "$bh")"
bs=$(median_ms "$BERTH" build --no-cache --squash -q -t runs-squashed "$runs")
echo "  berth build --no-cache --squash:     ${bs} ms   ratio to unsquashed: $(ratio "$bs" "$br")"

if command -v buildah >/dev/null && [ "$(id -u)" = 0 ]; then
  bd="buildah --root $work/bd/root --runroot $work/bd/runroot --storage-driver overlay"
  "$BERTH" save -o "$work/benchimg.tar" benchimg
  $bd pull -q docker-archive:"$work/benchimg.tar" >/dev/null 2>&1
  $bd tag "$($bd images -q | head -1)" benchimg >/dev/null 2>&1
  bud="$bd bud --layers --isolation chroot --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -q"
  pb=$(REPS=3 median_ms $bud --no-cache -t copied "$ctx")
  $bud -t copied "$ctx" >/dev/null 2>&1 || true
  pbc=$(REPS=3 median_ms $bud -t copied "$ctx")
  pr=$(REPS=3 median_ms $bud --no-cache -t runs "$runs")
  prs=$(REPS=3 median_ms $bud --no-cache --squash -t runs-squashed "$runs")
  echo "buildah bud (Debian's $(buildah --version | cut -d' ' -f3)):"
  echo "  COPY of 10,000 files:   ${pb} ms   buildah/berth: $(ratio "$pb" "$b")"
  echo "  all cached:             ${pbc} ms   buildah/berth: $(ratio "$pbc" "$bc")"
  echo "  5 RUN steps:            ${pr} ms   buildah/berth: $(ratio "$pr" "$br")"
  echo "  5 RUN steps, --squash:  ${prs} ms   buildah/berth: $(ratio "$prs" "$bs")"
  $bd rmi -af >/dev/null 2>&1 || true
fi

# Shared helpers for the ratio benchmarks. They print ratios, not verdicts: machines are noisy.
BERTH=${BERTH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/src/berth}
REPS=${REPS:-7}

# median_ms CMD...: runs CMD $REPS times (output discarded), prints the median wall time in ms.
# $PREPARE, when set, runs untimed before each repetition (cleanup, sync).
median_ms() {
  local times=() i s e
  for ((i = 0; i < REPS; i++)); do
    [ -n "${PREPARE:-}" ] && eval "$PREPARE" >/dev/null 2>&1
    # $EPOCHREALTIME (bash 5) reads the clock without forking date, whose start-up would
    # otherwise be timed too and flatten every ratio.
    s=${EPOCHREALTIME/./}
    "$@" >/dev/null 2>&1
    e=${EPOCHREALTIME/./}
    times+=($(( e - s )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

# median_pair_ms A B: runs the functions (or commands) A and B in turn, $REPS times each,
# interleaved so that the machine's drift hits both alike; prints "median_A median_B" in ms.
median_pair_ms() {
  local ta=() tb=() i s e
  for ((i = 0; i < REPS; i++)); do
    s=${EPOCHREALTIME/./}; $1 >/dev/null 2>&1; e=${EPOCHREALTIME/./}; ta+=($(( e - s )))
    s=${EPOCHREALTIME/./}; $2 >/dev/null 2>&1; e=${EPOCHREALTIME/./}; tb+=($(( e - s )))
  done
  local ma mb
  ma=$(printf '%s\n' "${ta[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')
  mb=$(printf '%s\n' "${tb[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}')
  echo "$ma $mb"
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
  # The binary as installed (a copy), as the floor's binaries are: here the linker's output file
  # itself starts ~0.07 ms slower per process than the same bytes copied (measured with
  # posix_spawn of `berth --version`, 1,000 times each; the page cache state of a file the
  # linker wrote, not the code).
  cp "$BERTH" "$work/berth"
  BERTH=$work/berth
  mkdir -p "$work/rootfs/bin"
  cp "$(command -v busybox)" "$work/rootfs/bin/"
  ln -sf busybox "$work/rootfs/bin/true"
  ln -sf busybox "$work/rootfs/bin/sleep"
  tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
  "$BERTH" import "$work/rootfs.tar" "$1" >/dev/null
}

# make_bench_image DIR: a ~100 MB, 5-layer image: DIR/l0.tar .. l4.tar (many small files, a
# few large ones; random, so compression cannot cheat) and DIR/img.tar, a docker-archive of
# them tagged bench:latest.
make_bench_image() {
  python3 - "$1" <<'P'
import hashlib, io, json, os, sys, tarfile
w = sys.argv[1]
layers = []
rnd = os.urandom(1 << 20)
for n in range(5):
    path = f"{w}/l{n}.tar"
    with tarfile.open(path, "w") as tf:
        d = tarfile.TarInfo(f"layer{n}"); d.type = tarfile.DIRTYPE; d.mode = 0o755; tf.addfile(d)
        if n % 2 == 0:
            for i in range(2000):
                ti = tarfile.TarInfo(f"layer{n}/small{i}"); ti.size = 4096
                off = (i * 4096) % (len(rnd) - 4096)
                tf.addfile(ti, io.BytesIO(rnd[off:off + 4096]))
        for i in range(3 if n % 2 else 1):
            ti = tarfile.TarInfo(f"layer{n}/big{i}"); ti.size = 8 << 20
            tf.addfile(ti, io.BytesIO((rnd * 8)[: 8 << 20]))
    layers.append(path)
diff = ["sha256:" + hashlib.sha256(open(p, "rb").read()).hexdigest() for p in layers]
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": diff}}).encode()
cd = hashlib.sha256(cfg).hexdigest()
with tarfile.open(f"{w}/img.tar", "w") as tf:
    for i, p in enumerate(layers):
        tf.add(p, f"{i}.tar")
    ti = tarfile.TarInfo(cd + ".json"); ti.size = len(cfg); tf.addfile(ti, io.BytesIO(cfg))
    m = json.dumps([{"Config": cd + ".json", "RepoTags": ["bench:latest"], "Layers": [f"{i}.tar" for i in range(5)]}]).encode()
    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); tf.addfile(ti, io.BytesIO(m))
P
}

#!/bin/bash
# berth load of a ~100 MB, 5-layer docker-archive vs the floor: tar -xf of the same layers
# into empty directories. Also podman load when podman is installed.
set -eu
cd "$(dirname "$0")"
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-load.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Five layers: many small files, a few large ones (random, so compression cannot cheat).
python3 - "$work" <<'P'
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
size=$(du -m "$work/img.tar" | cut -f1)
# Each repetition starts from empty targets (removed untimed).
export PREPARE='rm -rf "$work/x" "$work/store" "$work/p"'
floor() {
  mkdir "$work/x"
  for i in 0 1 2 3 4; do mkdir "$work/x/$i"; tar -xf "$work/l$i.tar" -C "$work/x/$i"; done
}
floor_sync() { floor; sync -f "$work"; }
load() { BERTH_ROOT=$work/store "$BERTH" load -q -i "$work/img.tar"; }
f=$(median_ms floor)
fs=$(median_ms floor_sync)
b=$(median_ms load)
echo "load of a ${size} MB 5-layer docker-archive (median of $REPS):"
echo "  floor (tar -xf of the layers):            ${f} ms"
echo "  floor + sync (durable, as berth is):      ${fs} ms"
echo "  berth load (stores blobs too, syncfs):    ${b} ms   ratio to floor: $(ratio "$b" "$f")   to floor+sync: $(ratio "$b" "$fs")"
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  pl() { $(podman_cmd "$work/p") load -q -i "$work/img.tar"; }
  p=$(REPS=3 median_ms pl)
  echo "  podman load:                              ${p} ms   ratio to floor: $(ratio "$p" "$f")   podman/berth: $(ratio "$p" "$b")"
fi

#!/usr/bin/env python3
"""Writes hostile or broken image archives for the bad-input system tests.

usage: mkhostile.py CASE OUT.tar [TARGET]
TARGET is a host path outside the store that the archive tries to reach."""
import gzip
import hashlib
import io
import json
import sys
import tarfile


def member(tf, name, data=b"", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    if ti.type == tarfile.REGTYPE:
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
    else:
        tf.addfile(ti)


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            member(tf, *e[:2], **(e[2] if len(e) > 2 else {}))
    return buf.getvalue()


def docker_archive(out, layers, diff_ids=None, manifest=None, config=None):
    diff_ids = diff_ids or ["sha256:" + hashlib.sha256(raw_tar).hexdigest() for raw_tar, _ in layers]
    if config is None:
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                             "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cdig = hashlib.sha256(config).hexdigest()
    names = ["layer%d.tar" % i for i in range(len(layers))]
    if manifest is None:
        manifest = json.dumps([{"Config": cdig + ".json", "RepoTags": ["hostile:latest"], "Layers": names}]).encode()
    with tarfile.open(out, "w") as tf:
        member(tf, cdig + ".json", config)
        for name, (_, blob) in zip(names, layers):
            member(tf, name, blob)
        member(tf, "manifest.json", manifest)


def oci_archive(out, layers, config=None, manifest=None, index=None, pad=None):
    """An oci-archive. manifest/index: dicts (or bytes), built from the layers when None.
    pad: {"manifest"|"index"|"config": N} appends N spaces to that document."""
    pad = pad or {}
    diff_ids = ["sha256:" + hashlib.sha256(raw).hexdigest() for raw, _ in layers]
    if config is None:
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                             "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    config += b" " * pad.get("config", 0)
    blobs = {}

    def put(b):
        d = hashlib.sha256(b).hexdigest()
        blobs[d] = b
        return {"digest": "sha256:" + d, "size": len(b)}
    cdesc = dict(mediaType="application/vnd.oci.image.config.v1+json", **put(config))
    ldescs = [dict(mediaType="application/vnd.oci.image.layer.v1.tar", **put(blob)) for _, blob in layers]
    if manifest is None:
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": cdesc, "layers": ldescs}
    if callable(manifest):
        manifest = manifest(cdesc, ldescs)
    mbytes = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    mbytes += b" " * pad.get("manifest", 0)
    mdesc = dict(mediaType="application/vnd.oci.image.manifest.v1+json", **put(mbytes))
    mdesc["annotations"] = {"org.opencontainers.image.ref.name": "hostile:latest"}
    if index is None:
        index = {"schemaVersion": 2, "manifests": [mdesc]}
    if callable(index):
        index = index(mdesc)
    ibytes = json.dumps(index).encode() + b" " * pad.get("index", 0)
    with tarfile.open(out, "w") as tf:
        member(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        for d, b in blobs.items():
            member(tf, "blobs/sha256/" + d, b)
        member(tf, "index.json", ibytes)


def without_media_type(desc):
    d = dict(desc)
    d.pop("mediaType", None)
    return d


def plain(entries):
    t = layer(entries)
    return (t, t)


def main():
    case, out = sys.argv[1], sys.argv[2]
    target = sys.argv[3] if len(sys.argv) > 3 else "/tmp/berth-evil-target"
    d = dict(type=tarfile.DIRTYPE, mode=0o755)
    cases = {
        "dotdot": lambda: docker_archive(out, [plain([("../../../../../../" + target.lstrip("/") + "/evil", b"x")])]),
        "absolute": lambda: docker_archive(out, [plain([(target + "/evil", b"x")])]),
        "symlink-write": lambda: docker_archive(out, [plain([
            ("link", b"", dict(type=tarfile.SYMTYPE, linkname=target)),
            ("link/evil", b"written through a symlink")])]),
        "symlink-chmod": lambda: docker_archive(out, [plain([
            ("x", b"", dict(type=tarfile.SYMTYPE, linkname=target)),
            ("x", b"", dict(type=tarfile.DIRTYPE, mode=0o777))])]),
        "hardlink-out": lambda: docker_archive(out, [plain([
            ("h", b"", dict(type=tarfile.LNKTYPE, linkname="../../../../../../" + target.lstrip("/")))])]),
        "hardlink-missing": lambda: docker_archive(out, [plain([
            ("h", b"", dict(type=tarfile.LNKTYPE, linkname="etc/not-in-this-layer"))])]),
        "device": lambda: docker_archive(out, [plain([
            ("dev", b"", d), ("dev/evil", b"", dict(type=tarfile.CHRTYPE, devmajor=1, devminor=1))])]),
        "whiteout-dotdot": lambda: docker_archive(out, [plain([("a", b"", d), ("a/.wh..", b"")])]),
        "digest-mismatch": lambda: docker_archive(out, [plain([("f", b"content")])],
                                                  diff_ids=["sha256:" + "0" * 64]),
        "bad-digest-format": lambda: docker_archive(out, [plain([("f", b"content")])],
                                                    diff_ids=["sha256:../../etc"]),
        "missing-file": lambda: docker_archive(out, [plain([("f", b"content")])], manifest=json.dumps(
            [{"Config": "nope.json", "RepoTags": ["hostile:latest"], "Layers": ["layer0.tar"]}]).encode()),
        "not-json": lambda: docker_archive(out, [plain([("f", b"content")])], manifest=b"this is { not json"),
        "deep-json": lambda: docker_archive(out, [plain([("f", b"content")])], manifest=b"[" * 10000 + b"]" * 10000),
        "corrupt-gzip": lambda: corrupt(out, truncate=False),
        "truncated-gzip": lambda: corrupt(out, truncate=True),
        "bomb": lambda: bomb(out),
        "garbage": lambda: open(out, "wb").write(b"\x00garbage" * 1000),
        # umoci CVE-2021-29136: the layer root itself is a symlink out, then a file
        "root-symlink": lambda: docker_archive(out, [plain([
            (".", b"", dict(type=tarfile.SYMTYPE, linkname=target)), ("evil", b"x")])]),
        "root-symlink-slash": lambda: docker_archive(out, [plain([
            ("./", b"", dict(type=tarfile.SYMTYPE, linkname=target)), ("./evil", b"x")])]),
        # CVE-2021-41190: a manifest that is also an index, with no mediaType anywhere
        "ambiguous": lambda: oci_archive(out, [plain([("f", b"content")])],
            manifest=lambda c, ls: {"schemaVersion": 2, "config": c, "layers": ls,
                                    "manifests": [without_media_type(ls[0])]},
            index=lambda m: {"schemaVersion": 2, "manifests": [without_media_type(m)]}),
        "index-also-manifest": lambda: oci_archive(out, [plain([("f", b"content")])],
            index=lambda m: {"schemaVersion": 2, "manifests": [m], "layers": [m]}),
        # CVE-2021-21285 class: an index whose descriptor does not match what it names
        "index-size-mismatch": lambda: oci_archive(out, [plain([("f", b"content")])],
            index=lambda m: {"schemaVersion": 2, "manifests": [dict(m, size=m["size"] + 1)]}),
        "unknown-layer-type": lambda: oci_archive(out, [plain([("f", b"content")])],
            manifest=lambda c, ls: {"schemaVersion": 2, "config": c,
                                    "layers": [dict(ls[0], mediaType="application/vnd.example.layer+lz4")]}),
        "oversized-index": lambda: oci_archive(out, [plain([("f", b"content")])], pad={"index": 64 << 20}),
        "oversized-manifest": lambda: oci_archive(out, [plain([("f", b"content")])], pad={"manifest": 64 << 20}),
        "oversized-config": lambda: oci_archive(out, [plain([("f", b"content")])], pad={"config": 64 << 20}),
    }
    cases[case]()


def corrupt(out, truncate):
    t = layer([("f%d" % i, bytes(range(256)) * 64) for i in range(50)])
    g = bytearray(gzip.compress(t, mtime=0))
    if truncate:
        g = g[: len(g) // 2]
    else:
        for i in range(len(g) // 3, len(g) // 3 + 64):
            g[i] ^= 0x5A
    docker_archive(out, [(t, bytes(g))])


def bomb(out):
    # 256 MiB of zeros in one file, a few hundred KiB compressed.
    size = 256 << 20
    ti = tarfile.TarInfo("zeros")
    ti.size = size
    raw = io.BytesIO()
    gz = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
    h = hashlib.sha256()

    class Tee:
        def write(self, b):
            h.update(b)
            gz.write(b)
            return len(b)

    with tarfile.open(fileobj=Tee(), mode="w|") as tf:
        class Zeros(io.RawIOBase):
            left = size

            def readinto(self, b):
                n = min(len(b), self.left)
                b[:n] = bytes(n)
                self.left -= n
                return n
        tf.addfile(ti, Zeros())
    gz.close()
    docker_archive(out, [(b"", raw.getvalue())], diff_ids=["sha256:" + h.hexdigest()])


if __name__ == "__main__":
    main()

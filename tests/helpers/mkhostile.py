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

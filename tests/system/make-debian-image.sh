#!/bin/bash
# A real Debian 12 image for the rootless tests: debootstrap's minbase (about 200 MB, with the
# device nodes in /dev that rootless unpacking must skip), imported with berth and saved as
# OUTDIR/debian.tar (docker-archive, debian:bookworm). Needs root, debootstrap and Debian's
# archive; made once per build directory. Usage: make-debian-image.sh OUTDIR BERTH
set -euo pipefail
out=$1
berth=$2
[ -f "$out/debian.tar" ] && exit 0
# the archive apt uses here (the only network CI has), else Debian's own
mirror=$(sed -n 's|^URIs: *\(\S*/debian\)/*$|\1|p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" > "$work/log" 2>&1 || {
  tail -5 "$work/log" >&2
  exit 1
}
tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
rm -rf "$work/rootfs"
b() { "$berth" --root "$work/store" --runroot "$work/run" "$@"; }
b import "$work/rootfs.tar" debian:bookworm > /dev/null
b save -o "$work/debian.tar" debian:bookworm
mkdir -p "$out"
mv "$work/debian.tar" "$out/debian.tar"

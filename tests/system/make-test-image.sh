#!/bin/bash
# Builds the system tests' images from what this machine has: busybox-static plus the static
# testinit helper. Nothing binary is committed. Usage: make-test-image.sh OUTDIR TESTINIT
#   OUTDIR/rootfs.tar    a root filesystem tarball (for `berth import`)
#   OUTDIR/bb.tar        docker-archive, two plain layers, tagged bbtest:latest
#   OUTDIR/bb-oci.tar    oci-archive of the same image with gzip layers, ref bbtest:oci
#   OUTDIR/bb-oci/       the same as an OCI layout directory
set -euo pipefail
out=$1
testinit=$2
busybox=$(command -v busybox)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

tarit() { local dir=$1 file=$2; shift 2; tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 "$@" -C "$dir" -cf "$file" .; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

# Layer 1: busybox, its applets, testinit, users and groups.
r=$work/rootfs
mkdir -p "$r"/{bin,etc,tmp,root,home/u,var/data}
cp "$busybox" "$r/bin/busybox"
for a in $("$busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
cp "$testinit" "$r/bin/testinit"
cat > "$r/etc/passwd" <<P
root:x:0:0:root:/root:/bin/sh
u:x:1000:1000:test user:/home/u:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$r/etc/group" <<G
root:x:0:
u:x:1000:
g:x:1234:u
nogroup:x:65534:
G
echo "base" > "$r/var/data/base.txt"
echo "gone" > "$r/var/data/deleted.txt"
chmod 1777 "$r/tmp"
tarit "$r" "$out/rootfs.tar" --exclude=./home/u
# u's home belongs to u (uid 1000): rootless stores must keep that owner through the mapping.
tar --owner=1000 --group=1000 --numeric-owner --mtime=@1700000000 -C "$r" -rf "$out/rootfs.tar" ./home/u
cp "$out/rootfs.tar" "$work/l1.tar"

# Layer 2: adds a file and deletes one (an OCI whiteout).
l2=$work/l2
mkdir -p "$l2/var/data"
echo "layer two" > "$l2/var/data/added.txt"
touch "$l2/var/data/.wh.deleted.txt"
tarit "$l2" "$work/l2.tar"

d1=$(sha "$work/l1.tar"); d2=$(sha "$work/l2.tar")
created=2023-11-14T22:13:20Z
config='{"architecture":"amd64","os":"linux","created":"'$created'","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"],"Labels":{"org.berth.test":"yes"}},"rootfs":{"type":"layers","diff_ids":["sha256:'$d1'","sha256:'$d2'"]},"history":[{"created":"'$created'","created_by":"/bin/sh -c #(nop) ADD busybox and testinit"},{"created":"'$created'","created_by":"/bin/sh -c rm /var/data/deleted.txt && echo layer two > /var/data/added.txt"}]}'
printf '%s' "$config" > "$work/config.json"
c=$(sha "$work/config.json")

# docker-archive
da=$work/da
mkdir -p "$da"
cp "$work/config.json" "$da/$c.json"
cp "$work/l1.tar" "$da/$d1.tar"
cp "$work/l2.tar" "$da/$d2.tar"
printf '[{"Config":"%s.json","RepoTags":["bbtest:latest"],"Layers":["%s.tar","%s.tar"]}]' "$c" "$d1" "$d2" > "$da/manifest.json"
tarit "$da" "$out/bb.tar"

# OCI layout with gzip layers
oci=$out/bb-oci
rm -rf "$oci"
mkdir -p "$oci/blobs/sha256"
gzip -n -c "$work/l1.tar" > "$work/l1.tar.gz"
gzip -n -c "$work/l2.tar" > "$work/l2.tar.gz"
g1=$(sha "$work/l1.tar.gz"); g2=$(sha "$work/l2.tar.gz")
cp "$work/l1.tar.gz" "$oci/blobs/sha256/$g1"
cp "$work/l2.tar.gz" "$oci/blobs/sha256/$g2"
cp "$work/config.json" "$oci/blobs/sha256/$c"
size() { stat -c %s "$1"; }
manifest='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$c'","size":'$(size "$work/config.json")'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$g1'","size":'$(size "$work/l1.tar.gz")'},{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$g2'","size":'$(size "$work/l2.tar.gz")'}]}'
printf '%s' "$manifest" > "$work/manifest.json"
m=$(sha "$work/manifest.json")
cp "$work/manifest.json" "$oci/blobs/sha256/$m"
printf '{"imageLayoutVersion":"1.0.0"}' > "$oci/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bbtest:oci"}}]}' "$m" "$(size "$work/manifest.json")" > "$oci/index.json"
tarit "$oci" "$out/bb-oci.tar"
chmod -R a+rX "$out"

#!/bin/sh
# Inside half of a throw-away systemd (adapted from ../shared/recipes/systemd-in-namespace.sh):
# run as the command of
#   unshare --pid --fork --mount --net --uts --ipc --cgroup --mount-proc
# from a cgroup of its own ($SD_CGROUP): the cgroup namespace and the bind mounts below
# keep this systemd's cgroups under that one, never at the host's top level where other
# tools (podman) would trip over them.
set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/tmp
# $SD_CGROUP: the cgroup (in the name=systemd and unified hierarchies) this was started in;
# bound over the hierarchies' roots, as a container runtime would.
if [ -n "${SD_CGROUP:-}" ]; then
  for h in systemd unified; do
    [ -d "/sys/fs/cgroup/$h/$SD_CGROUP" ] && mount --bind "/sys/fs/cgroup/$h/$SD_CGROUP" "/sys/fs/cgroup/$h"
  done
fi
mkdir -p /run/sdunits
mount -t tmpfs tmpfs /etc/systemd/system
mkdir -p /etc/systemd/system/minimal.target.wants
cat > /etc/systemd/system/minimal.target <<'U'
[Unit]
Description=minimal test target
Requires=sysinit.target
U
ip link set lo up
exec /lib/systemd/systemd --system --unit=minimal.target

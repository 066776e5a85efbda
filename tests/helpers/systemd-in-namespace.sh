#!/bin/sh
# (A copy of ../shared/recipes/systemd-in-namespace.sh: the system tests boot a real systemd with it.)
# Inside half of a throw-away systemd: run as the command of
#   unshare --pid --fork --mount --net --uts --ipc --mount-proc
set -e
mount --make-rprivate /
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /var/tmp
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

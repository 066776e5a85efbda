#!/bin/bash
# Runs a command (a bats file, or run-as-user.sh and a bats file) in a network namespace of its
# own with only "lo", up: network tests never reach beyond 127.0.0.1 and the containers they
# start there, and leave no bridge, veth or nftables rule on the machine.
set -u
if [ "$(id -u)" != 0 ]; then
  exec unshare --user --map-root-user --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
exec unshare --net sh -c 'ip link set lo up && BERTH_TEST_NETNS=1 exec "$@"' sh "$@"

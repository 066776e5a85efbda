#!/bin/bash
# Runs a command (a bats file, or run-as-user.sh and a bats file) in a network namespace of its
# own: network tests never reach beyond 127.0.0.1 and the containers they start there, and
# leave no bridge, veth or nftables rule on the machine. Besides "lo" the namespace has a
# stand-in uplink, a veth pair whose both ends stay in it (ext0 10.0.2.15/24, the default
# route via 10.0.2.2, which nobody answers): pasta copies its address and routes from the
# host's, and refuses to start without one; nothing sent there goes anywhere.
set -u
setup='ip link set lo up &&
  ip link add ext0 type veth peer name ext1 &&
  ip addr add 10.0.2.15/24 dev ext0 && ip link set ext0 up && ip link set ext1 up &&
  ip route add default via 10.0.2.2'
if [ "$(id -u)" != 0 ]; then
  exec unshare --user --map-root-user --net sh -c "$setup"' && BERTH_TEST_NETNS=1 exec "$@"' sh "$@"
fi
exec unshare --net sh -c "$setup"' && BERTH_TEST_NETNS=1 exec "$@"' sh "$@"

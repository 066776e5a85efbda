#!/bin/bash
# Networking: what a network costs on the run path, and what a published port costs a stream.
#   - run --rm IMG true: --network none (the floor), bridge, bridge with -p, pasta; podman's
#     run --network bridge beside it (its own backend: netavark or CNI, printed);
#   - a 512 MB stream into a container (busybox nc as the sink): through a published port on
#     127.0.0.1 against the container's own address over the bare veth; through pasta's.
# Everything runs in a network namespace of the script's own (it re-runs itself in one), with
# a stand-in uplink for pasta: no traffic leaves it. Ratios, not verdicts.
set -eu
self=$(realpath "$0")
cd "$(dirname "$self")"
if [ "${BERTH_BENCH_NETNS:-}" != 1 ]; then
  exec env BERTH_BENCH_NETNS=1 ../system/in-netns.sh bash "$self" "$@"
fi
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-net.XXXXXX)
cleanup() {
  "$BERTH" rm -af -t 0 >/dev/null 2>&1 || true
  if [ "$(id -u)" = 0 ]; then rm -rf "$work"; else "$BERTH" unshare rm -rf "$work"; fi
}
trap cleanup EXIT
bench_store benchimg
for a in sh nc cat; do ln -sf busybox "$work/rootfs/bin/$a"; done
# iperf3 (Debian's, with its libraries) for the stream: busybox nc as the sink caps near
# 200 MB/s, below every path measured.
if command -v iperf3 >/dev/null; then
  mkdir -p "$work/rootfs/tmp" && chmod 1777 "$work/rootfs/tmp"  # the server's buffer file
  cp "$(command -v iperf3)" "$work/rootfs/bin/"
  for lib in $(ldd "$(command -v iperf3)" | grep -oE '/[^ ]+'); do
    mkdir -p "$work/rootfs$(dirname "$lib")"
    cp -L "$lib" "$work/rootfs$lib"
  done
fi
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
"$BERTH" import "$work/rootfs.tar" benchimg >/dev/null
"$BERTH" run --rm --network bridge benchimg true  # the bridge and its rules, made once
REPS=${REPS:-15}

run_none() { "$BERTH" run --rm --network none benchimg true; }
run_bridge() { "$BERTH" run --rm --network bridge benchimg true; }
run_port() { "$BERTH" run --rm --network bridge -p 18080:80 benchimg true; }
run_pasta() { "$BERTH" run --rm --network pasta benchimg true; }
run_slirp() { "$BERTH" run --rm --network slirp4netns benchimg true; }
read -r n b <<<"$(median_pair_ms run_none run_bridge)"
p=$(median_ms run_port)
echo "run --rm IMG true (median of $REPS):"
echo "  --network none (floor):   ${n} ms"
echo "  --network bridge:         ${b} ms   ratio to none: $(ratio "$b" "$n")"
echo "  --network bridge -p:      ${p} ms   ratio to none: $(ratio "$p" "$n")"
if command -v pasta >/dev/null; then
  pa=$(median_ms run_pasta)
  echo "  --network pasta:          ${pa} ms   ratio to none: $(ratio "$pa" "$n")"
fi
if command -v slirp4netns >/dev/null; then
  sl=$(median_ms run_slirp)
  echo "  --network slirp4netns:    ${sl} ms   ratio to none: $(ratio "$sl" "$n")"
fi
if command -v podman >/dev/null && [ "$(id -u)" = 0 ]; then
  pd=$(podman_cmd "$work/podman")
  "$BERTH" save -o "$work/img.tar" benchimg
  $pd load -q -i "$work/img.tar" >/dev/null 2>&1 || true
  backend=$($pd info --format '{{.Host.NetworkBackend}}' 2>/dev/null || echo "?")
  # As ../shared/peers.md runs podman here (runc, no rlimit raised).
  popts="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
  podman_none() { $pd --runtime runc run $popts --rm --network none benchimg true; }
  podman_bridge() { $pd --runtime runc run $popts --rm --network bridge benchimg true; }
  if podman_bridge >/dev/null 2>&1; then
    read -r pn pb <<<"$(median_pair_ms podman_none podman_bridge)"
    echo "  podman --network none:    ${pn} ms   ratio to berth's none: $(ratio "$pn" "$n")"
    echo "  podman --network bridge:  ${pb} ms   ratio to berth's bridge: $(ratio "$pb" "$b") (backend: $backend; its network adds $(awk -v a="$pb" -v b="$pn" 'BEGIN{printf "%.1f", a-b}') ms, berth's $(awk -v a="$b" -v b="$n" 'BEGIN{printf "%.1f", a-b}') ms)"
  else
    echo "  podman --network bridge:  does not run here ($backend): $(podman_bridge 2>&1 | tail -1)"
  fi
fi

# A stream into a container for 3 s: iperf3 -s in it, the client here (MB/s); without iperf3, a
# 512 MB stream into busybox nc -l.
MB=512
stream_to() {  # HOST PORT
  if command -v iperf3 >/dev/null; then
    iperf3 -c "$1" -p "$2" -t 3 -J 2>/dev/null | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 8e6))'
    return
  fi
  python3 - "$1" "$2" $MB <<'P'
import socket, sys, time
host, port, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
buf = bytes(1 << 20)
s = socket.create_connection((host, port), timeout=10)
t = time.monotonic()
for _ in range(mb):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.recv(1)  # the sink's close: everything was read
print(round(mb / (time.monotonic() - t)))
P
}
sink() {  # NAME NETWORK-FLAGS...
  local name=$1; shift
  if command -v iperf3 >/dev/null; then
    "$BERTH" run -d --name "$name" "$@" benchimg iperf3 -s -p 5001 >/dev/null
  else
    "$BERTH" run -d --name "$name" "$@" benchimg sh -c 'while true; do nc -l -p 5001 > /dev/null; done' >/dev/null
  fi
  sleep 0.5
}
sink veth --network bridge -p 127.0.0.1:15001:5001
ip=$("$BERTH" inspect --format '{{.NetworkSettings.IPAddress}}' veth)
direct=$(stream_to "$ip" 5001)
sleep 0.3
published=$(stream_to 127.0.0.1 15001)
echo "a TCP stream into a container ($(command -v iperf3 >/dev/null && echo "iperf3, 3 s" || echo "512 MB into nc")):"
echo "  to its address over the bare veth:    ${direct} MB/s"
echo "  through -p 127.0.0.1:15001 (DNAT):    ${published} MB/s   ratio to the veth: $(ratio "$published" "$direct")"
"$BERTH" rm -f -t 0 veth >/dev/null
for helper in pasta slirp4netns; do
  command -v $helper >/dev/null || continue
  sink via$helper --network $helper -p 15002:5001
  st=$(stream_to 127.0.0.1 15002)
  printf '  through %-12s -p 15002:      %s MB/s   ratio to the veth: %s\n' "$helper's" "$st" "$(ratio "$st" "$direct")"
  "$BERTH" rm -f -t 0 via$helper >/dev/null
done

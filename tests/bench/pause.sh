#!/bin/bash
# pause + unpause of a running container, and one `stats --no-stream` sample, against the
# floor (writing FROZEN then THAWED to its freezer by hand, and reading its cgroup's counter
# files with cat) and podman doing the same to a container of its own when podman runs here.
# Root only (a rootless container has no cgroup of its own on this kind of host).
set -eu
cd "$(dirname "$0")"
REPS=${REPS:-11}
. ./lib.sh
[ "$(id -u)" = 0 ] || { echo "pause bench: root only"; exit 0; }
work=$(mktemp -d /var/tmp/berth-bench-pause.XXXXXX)
trap '"$BERTH" rm -f -t 0 benchp >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
bench_store benchimg
"$BERTH" run -d --name benchp benchimg sleep 1000 >/dev/null
pid=$("$BERTH" inspect --format '{{.State.Pid}}' benchp)
freezer=/sys/fs/cgroup/freezer$(awk -F: '$2 == "freezer" {print $3}' /proc/$pid/cgroup)
memory=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/$pid/cgroup)
berth_pair() { "$BERTH" pause benchp && "$BERTH" unpause benchp; }
floor_pair() {
  echo FROZEN > "$freezer/freezer.state"
  until grep -q FROZEN "$freezer/freezer.state"; do :; done
  echo THAWED > "$freezer/freezer.state"
}
floor_stats() { cat "$memory/memory.usage_in_bytes" "$memory/memory.stat" /proc/$pid/net/dev; }
berth_stats() { "$BERTH" stats --no-stream benchp; }
read -r fp bp < <(median_pair_ms floor_pair berth_pair)
read -r fs bs < <(median_pair_ms floor_stats berth_stats)
echo "pause + unpause of a running container; one stats sample (median of $REPS):"
echo "  floor: FROZEN/THAWED by hand (echo, grep):  ${fp} ms"
echo "  berth: pause + unpause:                     ${bp} ms   ratio: $(ratio "$bp" "$fp")"
echo "  floor: cat of the cgroup's counter files:   ${fs} ms"
echo "  berth: stats --no-stream:                   ${bs} ms   ratio: $(ratio "$bs" "$fs")"
if command -v podman >/dev/null; then
  p=$(podman_cmd "$work/p")
  $p import "$work/rootfs.tar" localhost/benchimg >/dev/null 2>&1
  if err=$($p --runtime runc run -d --name benchp --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    localhost/benchimg sleep 1000 2>&1); then
    podman_pair() { $p --runtime runc pause benchp && $p --runtime runc unpause benchp; }
    podman_stats() { $p stats --no-stream benchp; }
    if perr=$(podman_pair 2>&1); then
      pp=$(REPS=5 median_ms podman_pair)
      echo "  podman: pause + unpause:                    ${pp} ms   podman/berth: $(ratio "$pp" "$bp")"
    else
      echo "  podman: pause does not work on this host: ${perr##*$'\n'}"
    fi
    if perr=$(podman_stats 2>&1); then
      ps_=$(REPS=5 median_ms podman_stats)
      echo "  podman: stats --no-stream:                  ${ps_} ms   podman/berth: $(ratio "$ps_" "$bs")"
    else
      echo "  podman: stats does not work on this host: ${perr##*$'\n'}"
    fi
    $p rm -f -t 0 benchp >/dev/null 2>&1 || true
  else
    echo "  podman: run does not work on this host: ${err##*$'\n'}"
  fi
fi

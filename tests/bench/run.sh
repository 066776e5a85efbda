#!/bin/bash
# berth run --rm IMAGE /bin/true vs the floor: unshare --fork --pid --mount --uts --ipc --net
# chroot ROOTFS /bin/true (rootless: with --user --map-root-user, one id mapped, no setuid
# helper), and podman run --rm beside them when podman is installed. As root with
# BERTH_TEST_USER set (a user with subuid ranges), the rootless figures follow in the same run.
set -eu
cd "$(dirname "$0")"
REPS=${REPS:-21}
. ./lib.sh
work=$(mktemp -d /var/tmp/berth-bench-run.XXXXXX)
# Rootless, the store holds files of the subordinate ids: removed from inside the namespace.
cleanup() { if [ "$(id -u)" = 0 ]; then rm -rf "$work"; else "$BERTH" unshare rm -rf "$work"; fi; }
trap cleanup EXIT
orig_berth=$BERTH
bench_store benchimg
userns=()
who=root
if [ "$(id -u)" != 0 ]; then userns=(--user --map-root-user); who="rootless ($(id -un))"; fi
floor_run() { unshare "${userns[@]}" --fork --pid --mount --uts --ipc --net chroot "$work/rootfs" /bin/true; }
berth_run() { "$BERTH" run --rm benchimg /bin/true; }
"$BERTH" run --rm benchimg /bin/true  # rootless: the first command starts the pause process
read -r floor b < <(median_pair_ms floor_run berth_run)
echo "run --rm IMAGE /bin/true, $who (median of $REPS):"
echo "  floor (unshare ... chroot):  ${floor} ms"
echo "  berth run --rm:              ${b} ms   ratio to floor: $(ratio "$b" "$floor")"
if [ "$(id -u)" != 0 ]; then
  # keep-id: a user namespace of the container's own; its first run copies the layers with
  # shifted owners (once per map), the next ones only clone and map
  first=$(REPS=1 median_ms "$BERTH" run --rm --userns=keep-id benchimg /bin/true)
  k=$(median_ms "$BERTH" run --rm --userns=keep-id benchimg /bin/true)
  echo "  berth run --rm --userns=keep-id: ${k} ms   ratio to floor: $(ratio "$k" "$floor")   (first run, copying the layers: ${first} ms)"
fi
if command -v podman >/dev/null; then
  p=$(podman_cmd "$work/p")
  extra=()
  if [ "$(id -u)" != 0 ]; then
    # rootless podman keeps its pause process and state under XDG_RUNTIME_DIR; no pasta here
    export XDG_RUNTIME_DIR=$work/xdg
    mkdir -m 0700 "$XDG_RUNTIME_DIR"
    extra=(--network none)
  fi
  $p import "$work/rootfs.tar" localhost/benchimg >/dev/null 2>&1
  $p --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "${extra[@]}" localhost/benchimg /bin/true >/dev/null 2>&1 || true
  pr=$(REPS=5 median_ms $p --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "${extra[@]}" localhost/benchimg /bin/true)
  echo "  podman run --rm:             ${pr} ms   ratio to floor: $(ratio "$pr" "$floor")   podman/berth: $(ratio "$pr" "$b")"
  if [ "$(id -u)" != 0 ]; then
    $p --runtime runc run --rm --userns=keep-id "${extra[@]}" localhost/benchimg /bin/true >/dev/null 2>&1 || true
    pk=$(REPS=5 median_ms $p --runtime runc run --rm --userns=keep-id --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "${extra[@]}" localhost/benchimg /bin/true)
    echo "  podman run --rm --userns=keep-id: ${pk} ms   podman/berth: $(ratio "$pk" "$k")"
  fi
  [ "$(id -u)" = 0 ] || { $p unshare rm -rf "$work/p" >/dev/null 2>&1 || true; pkill -u "$(id -u)" -f "^$p" 2>/dev/null || true; }
fi
# As root: the same as the unprivileged test user, when there is one.
if [ "$(id -u)" = 0 ] && [ -n "${BERTH_TEST_USER:-}" ] && id "$BERTH_TEST_USER" >/dev/null 2>&1; then
  echo
  setpriv --reuid="$BERTH_TEST_USER" --regid="$BERTH_TEST_USER" --init-groups --reset-env \
    env HOME="$(getent passwd "$BERTH_TEST_USER" | cut -d: -f6)" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    REPS="$REPS" BERTH="$orig_berth" bash "$PWD/run.sh"
fi

#!/bin/bash
# The README's second command: installs the build dependencies, builds berth with warnings as
# errors and runs every test (unit, lint, system as root, and the same system tests as the
# unprivileged BERTH_TEST_USER when set). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
contrib/deps.sh || exit 1
# The test peers: a real registry (docker-registry), skopeo for interop, and systemd (booted in
# a namespace by 130-systemd.bats; systemd-socket-activate) with iproute2 for its loopback;
# clang-format for the format lint; debootstrap for the Debian image the rootless tests run.
# Without them (not root, no archive) those tests skip and say why.
for p in docker-registry skopeo systemd iproute2 clang-format debootstrap; do
  case $p in
    systemd) [ -x /lib/systemd/systemd ] && command -v systemd-socket-activate >/dev/null && continue ;;
    iproute2) command -v ip >/dev/null && continue ;;
    *) command -v $p >/dev/null && continue ;;
  esac
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $p >/dev/null 2>&1 || echo "$p could not be installed; its tests skip"
  else
    echo "$p is not installed; its tests skip (apt-get install $p)"
  fi
done
build=${BERTH_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dwerror=true >/dev/null || exit 1
else
  meson configure "$build" -Dwerror=true >/dev/null || exit 1
fi
ninja -C "$build" || exit 1
# A real Debian 12 image (debootstrap minbase, once per build dir) for 170-rootless.bats.
if [ "$(id -u)" = 0 ] && command -v debootstrap >/dev/null; then
  tests/system/make-debian-image.sh "$build/tests/test-images" "$build/src/berth" ||
    echo "the Debian image could not be made; its tests skip"
  chmod -R o+rX "$build/tests/test-images" 2>/dev/null
fi
meson test -C "$build" --num-processes "${BERTH_TEST_JOBS:-2}" --print-errorlogs "$@"
rc=$?
python3 tests/summarize.py "$build/meson-logs/testlog.json"
exit $rc

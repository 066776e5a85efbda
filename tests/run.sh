#!/bin/bash
# The README's second command: installs the build dependencies, builds berth with warnings as
# errors and runs every test (unit, lint, system as root, and the same system tests as the
# unprivileged BERTH_TEST_USER when set). Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
contrib/deps.sh || exit 1
build=${BERTH_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dwerror=true >/dev/null || exit 1
else
  meson configure "$build" -Dwerror=true >/dev/null || exit 1
fi
ninja -C "$build" || exit 1
meson test -C "$build" --num-processes "${BERTH_TEST_JOBS:-2}" --print-errorlogs "$@"
rc=$?
python3 tests/summarize.py "$build/meson-logs/testlog.json"
exit $rc

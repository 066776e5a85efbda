#!/bin/bash
# Runs a bats file as the unprivileged test user (BERTH_TEST_USER), for the rootless suite.
# Prints a TAP skip when no such user exists, so a developer machine without one still passes.
set -u
user=${BERTH_TEST_USER:-}
if [ -z "$user" ] || ! id "$user" >/dev/null 2>&1; then
  echo "1..0 # SKIP no unprivileged test user (set BERTH_TEST_USER; .ci/run creates one)"
  exit 0
fi
if [ "$(id -u)" = "$(id -u "$user")" ]; then
  exec "$@"
fi
# A fresh HOME-less environment, like a login of that user, plus what the tests need.
exec setpriv --reuid="$user" --regid="$user" --init-groups --reset-env \
  env HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user" \
      PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
      BERTH="$BERTH" BERTH_TEST_IMAGES="$BERTH_TEST_IMAGES" BERTH_MKHOSTILE="${BERTH_MKHOSTILE:-}" BERTH_TEST_NETNS="${BERTH_TEST_NETNS:-}" \
      TMPDIR="${BERTH_USER_TMPDIR:-/tmp}" "$@"

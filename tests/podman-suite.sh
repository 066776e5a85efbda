#!/bin/bash
# Runs Podman's own system tests (containers/podman test/system at v4.3.1, the Podman Debian 12
# ships) against berth, as root: the acceptance check of "s/podman/berth/" that nobody on this
# project wrote. Not part of .ci/run: it needs a git copy of containers/podman and the shared
# harness that exports the suite at run time, builds its test images offline and serves them
# from a local registry (none of Podman's test code is kept here).
#
#   tests/podman-suite.sh GIT_DIR [NNN-name ...]
#
# GIT_DIR: a git copy (bare is fine) of containers/podman holding tag v4.3.1. The harness is
# $PBATS_RUNNER, else ../shared/podman-bats/run.sh next to this checkout. The binary tested
# is a copy of build/src/berth (or $BERTH), so that a rebuild during the run changes nothing.
# Prints a file/pass/fail/skip table and last "N passed, N failed, N skipped"; the results
# and what is left are in tests/podman-suite.md.
set -eu
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 GIT_DIR [NNN-name ...]" >&2; exit 2; }
git_dir=$1
shift
runner=${PBATS_RUNNER:-$(cd .. && pwd)/shared/podman-bats/run.sh}
[ -x "$runner" ] || { echo "Error: no harness at $runner (set PBATS_RUNNER)" >&2; exit 2; }
git --git-dir="$git_dir" rev-parse -q --verify v4.3.1^{commit} >/dev/null ||
  { echo "Error: $git_dir has no tag v4.3.1 of containers/podman" >&2; exit 2; }
binary=${BERTH:-$PWD/build/src/berth}
[ -x "$binary" ] || { echo "Error: build berth first ($binary)" >&2; exit 2; }
copy=$(mktemp /tmp/berth-suite.XXXXXX)
trap 'rm -f "$copy"' EXIT
cp "$binary" "$copy"
chmod 755 "$copy"  # mktemp made it 0600
"$runner" "$git_dir" "$copy" "$@"

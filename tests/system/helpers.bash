# Helpers for berth's system tests, in the shape of podman's test/system/helpers.bash.
# Every .bats file gets its own store (BERTH_ROOT/BERTH_RUNROOT under BATS_FILE_TMPDIR), so
# files can run in parallel with nothing shared.

BERTH=${BERTH:-berth}
BERTH_TEST_IMAGES=${BERTH_TEST_IMAGES:?set BERTH_TEST_IMAGES to the dir make-test-image.sh filled}
BERTH_TIMEOUT=${BERTH_TIMEOUT:-120}
IMAGE=bbtest

# Per-file store, and the test image loaded once per file.
berth_setup_file() {
  export BERTH_ROOT=$BATS_FILE_TMPDIR/root
  export BERTH_RUNROOT=$BATS_FILE_TMPDIR/run
  # A missing image is pulled by run and create; tests never reach beyond 127.0.0.1, so short
  # names resolve nowhere (the registry tests bring their own file).
  export CONTAINERS_REGISTRIES_CONF=$BATS_FILE_TMPDIR/registries.conf
  printf 'unqualified-search-registries = []\n' > $CONTAINERS_REGISTRIES_CONF
  if [ "${1:-}" != "--no-image" ]; then
    "$BERTH" load -q -i "$BERTH_TEST_IMAGES/bb.tar" >/dev/null
  fi
}

setup_file() { berth_setup_file; }

# Rootless, the store can hold files of subordinate ids that the user alone cannot delete (the
# layer copies --userns=keep-id makes): removed from inside the user namespace, as
# `podman unshare rm -rf` does, before bats removes the file's tmp dir.
berth_teardown_file() {
  if is_rootless && [ -d "$BATS_FILE_TMPDIR/root" ]; then
    "$BERTH" unshare rm -rf "$BATS_FILE_TMPDIR/root" || true
  fi
  return 0
}

teardown_file() { berth_teardown_file; }

teardown() {
  if [ "${BATS_TEST_COMPLETED:-}" != 1 ]; then
    leak_check || true
  fi
}

# run_berth [expected_rc|'?'] args...: runs berth under a timeout, logs the command with a
# timestamp, and checks the exit code (0 by default).
run_berth() {
  local expected=0
  case "${1:-}" in
    '?') expected='?'; shift ;;
    [0-9]|[0-9][0-9]|[0-9][0-9][0-9]) expected=$1; shift ;;
  esac
  local words="$*"
  echo "# $(date +%T.%3N) berth ${words//$'\n'/ }" >&3 2>/dev/null || true  # one TAP comment line
  run timeout --foreground -v --kill=10 "$BERTH_TIMEOUT" "$BERTH" "$@"
  echo "$output"
  if [ "$expected" != '?' ] && [ "$status" -ne "$expected" ]; then
    echo "# FAIL: exit code is $status; expected $expected" >&2
    echo "#   command: berth $*" >&2
    echo "#   output: $output" >&2
    return 1
  fi
}

# assert ACTUAL OP EXPECTED [description] | assert ACTUAL EXPECTED (==)
assert() {
  local actual=$1 op expected desc
  if [ $# -ge 3 ] && [[ "$2" =~ ^(==|!=|=~|!~|-eq|-ne|-lt|-gt|-le|-ge)$ ]]; then
    op=$2 expected=$3 desc=${4:-}
  else
    op='==' expected=$2 desc=${3:-}
  fi
  local ok=0
  case "$op" in
    '==') [ "$actual" == "$expected" ] && ok=1 ;;
    '!=') [ "$actual" != "$expected" ] && ok=1 ;;
    '=~') [[ "$actual" =~ $expected ]] && ok=1 ;;
    '!~') [[ ! "$actual" =~ $expected ]] && ok=1 ;;
    *) [ "$actual" "$op" "$expected" ] && ok=1 ;;
  esac
  if [ $ok != 1 ]; then
    {
      echo "#/vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
      echo "#|     FAIL: ${desc:-assertion}"
      echo "#| expected: $op '$expected'"
      echo "#|   actual:    '$actual'"
      echo "#\\^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    } >&2
    return 1
  fi
}

# A name that points back to the test that made it.
safename() { echo "t${BATS_SUITE_TEST_NUMBER:-0}-$(random_string 8 | tr A-Z a-z)"; }
random_string() { head -c 64 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c "${1:-10}"; }

is_rootless() { [ "$(id -u)" != 0 ]; }
skip_if_rootless() { is_rootless && skip "${1:-not for rootless}"; return 0; }
skip_if_not_rootless() { is_rootless || skip "${1:-rootless only}"; return 0; }

# The store must hold nothing a failed test left behind: no containers, no tmp/ work dirs.
leak_check() {
  local leaked=0
  local c
  c=$("$BERTH" ps -a -q 2>/dev/null)
  if [ -n "$c" ]; then echo "# leaked containers: $c" >&2; leaked=1; fi
  if [ -n "$(tmp_entries)" ]; then
    echo "# leaked tmp entries: $(tmp_entries)" >&2
    leaked=1
  fi
  return $leaked
}

# tmp_entries: what the store's tmp/ holds, once the detached deleters of foreground
# `run --rm` containers (up to a few ms behind their run) are done; a leak stays.
tmp_entries() {
  local i
  for i in $(seq 30); do
    [ -z "$(ls -A "$BERTH_ROOT/tmp" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  ls -A "$BERTH_ROOT/tmp" 2>/dev/null
}

# Snapshot of everything in the store that must not change when a command fails.
store_snapshot() {
  (cd "$BERTH_ROOT" && find blobs layers images containers names.json -maxdepth 2 2>/dev/null | sort
   cat names.json 2>/dev/null; true)
}

wait_for_output() {
  local want=$1 file=$2 timeout=${3:-10} i
  for i in $(seq $((timeout * 10))); do
    grep -q -- "$want" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "# timed out waiting for '$want' in $file" >&2
  return 1
}

# The hostile and broken archives of tests/helpers/mkhostile.py.
MKHOSTILE=${BERTH_MKHOSTILE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../helpers" && pwd)/mkhostile.py}

# load_must_fail CASE PATTERN: builds the archive, loads it, checks 125, one Error: line that
# says PATTERN, the store unchanged, nothing written outside it and no work dir left.
load_must_fail() {
  local case=$1 pattern=$2
  local target=$BATS_TEST_TMPDIR/outside
  mkdir -p $target
  python3 "$MKHOSTILE" $case $BATS_TEST_TMPDIR/$case.tar $target
  local before
  before=$(store_snapshot)
  run_berth 125 load -i $BATS_TEST_TMPDIR/$case.tar
  assert "$output" =~ "^Error: .*$pattern" "$case: an Error: line that says why"
  assert "${#lines[@]}" == 1 "$case: one line"
  assert "$(store_snapshot)" == "$before" "$case: the store is unchanged"
  assert "$(ls -A $target)" == "" "$case: nothing written outside the store"
  assert "$(tmp_entries)" == "" "$case: no work dir left"
}

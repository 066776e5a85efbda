#!/usr/bin/env bats   -*- bats -*-
#
# berth system check / berth doctor: each check against the real host, and the failures it must
# name (a user with no subordinate ids, no newuidmap, a store or runtime dir others can write).
# berth info / system info: podman's shape, and the rootless facts (id mappings) it reports.

load helpers

setup_file() { berth_setup_file --no-image; }

# check_line NAME: the status word of check NAME in $output
check_line() { grep -E "^(OK|WARN|FAIL) +$1: " <<<"$output"; }

@test "system check: every check has a line, and the exit code says whether one failed" {
  run_berth '?' system check
  rc=$status
  for c in "user namespaces" "subuid ranges" "subgid ranges" newuidmap newgidmap overlay XDG_RUNTIME_DIR \
           "cgroup delegation" "network helper" "pause process" store; do
    check_line "$c" >/dev/null || { echo "# no line for $c" >&2; false; }
  done
  if grep -q '^FAIL' <<<"$output"; then assert $rc == 1 "a FAIL exits 1"; else assert $rc == 0 "no FAIL exits 0"; fi
  if is_rootless; then
    # This machine's test user has ranges and the uidmap tools (CI sets both up).
    assert "$(check_line 'user namespaces')" =~ "^OK" "a user namespace can be made"
    assert "$(check_line 'subuid ranges')" =~ "^OK +subuid ranges: [0-9]+ ids in /etc/subuid" "the subuid ranges are counted"
    assert "$(check_line newuidmap)" =~ "^OK +newuidmap: /.*newuidmap \((setuid root|file capabilities)\)"
  else
    assert "$(check_line 'subuid ranges')" == "OK    subuid ranges: running as root: not needed"
  fi
}

@test "system check --format json: the same checks, as objects; doctor is the same command" {
  run_berth '?' system check --format json
  rc=$status
  json=$output
  # py EXPR: EXPR over the parsed output (as `d`), printed
  py() { python3 -c "import json,sys; d = json.load(sys.stdin); print($1)" <<<"$json"; }
  assert "$(py 'len(d)')" == 11 "eleven checks"
  assert "$(py '",".join(sorted(d[0]))')" == "Check,Detail,Fix,Status"
  assert "$(py 'sorted({c["Status"] for c in d} - {"OK", "WARN", "FAIL"})')" == "[]" "statuses are OK, WARN or FAIL"
  if [ "$(py 'sum(c["Status"] == "FAIL" for c in d)')" = 0 ]; then assert $rc == 0; else assert $rc == 1; fi
  checks=$(py '[c["Check"] for c in d]')
  run_berth '?' doctor --format json
  json=$output
  assert "$(py '[c["Check"] for c in d]')" == "$checks" "doctor runs the same checks"
}

@test "system check: bad --format is a usage error" {
  run_berth 125 system check --format yaml
  assert "$output" =~ "^Error: invalid --format \"yaml\"" "one Error: line"
  assert "$(wc -l <<<"$output")" == 1
}

@test "system check: a store others can write, or that is not yours, fails with the fix" {
  mkdir -m 0777 $BATS_TEST_TMPDIR/open
  chmod 0777 $BATS_TEST_TMPDIR/open
  BERTH_ROOT=$BATS_TEST_TMPDIR/open run_berth 1 system check
  assert "$(check_line store)" =~ "^FAIL +store: .*/open is writable by others \(mode 0777\)"
  assert "$output" =~ "fix: chmod 700 .*/open"
  if is_rootless; then
    BERTH_ROOT=/etc run_berth 1 system check
    assert "$(check_line store)" =~ "^FAIL +store: /etc belongs to uid 0, not you"
  fi
}

@test "system check (rootless): an XDG_RUNTIME_DIR that is not a private dir of yours fails" {
  skip_if_not_rootless
  mkdir -m 0755 $BATS_TEST_TMPDIR/xdg
  XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg run_berth 1 system check
  assert "$(check_line XDG_RUNTIME_DIR)" =~ "^FAIL +XDG_RUNTIME_DIR: .*/xdg is not a 0700 directory of yours"
  chmod 0700 $BATS_TEST_TMPDIR/xdg
  XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/xdg run_berth '?' system check
  assert "$(check_line XDG_RUNTIME_DIR)" =~ "^OK +XDG_RUNTIME_DIR: .*/xdg$"
}

@test "system check (rootless): without newuidmap in PATH, it fails and names the package" {
  skip_if_not_rootless
  mkdir $BATS_TEST_TMPDIR/emptybin
  run timeout 60 env PATH=$BATS_TEST_TMPDIR/emptybin "$BERTH" system check
  echo "$output"
  assert $status == 1
  assert "$(check_line newuidmap)" == "FAIL  newuidmap: newuidmap is not in PATH"
  assert "$(check_line newgidmap)" == "FAIL  newgidmap: newgidmap is not in PATH"
  assert "$output" =~ "fix: sudo apt-get install uidmap"
}

@test "system check (root): a user with no subordinate ids gets FAIL and the usermod line" {
  skip_if_rootless "needs to switch to a user without ranges"
  user=nobody
  grep -q "^$user:" /etc/subuid && skip "$user has a subuid range here"
  # berth must be reachable by that user (the rootless suite needs the same of the build dir)
  setpriv --reuid=$user --regid=$(id -g $user) --clear-groups test -x "$BERTH" || skip "$BERTH not executable by $user"
  run setpriv --reuid=$user --regid=$(id -g $user) --clear-groups --reset-env \
      env HOME=/nonexistent PATH=/usr/bin:/bin timeout 60 "$BERTH" system check
  echo "$output"
  assert $status == 1 "a missing range is a FAIL"
  assert "$(check_line 'subuid ranges')" == "FAIL  subuid ranges: no range for $user in /etc/subuid: only your own id can be mapped"
  assert "$(check_line 'subgid ranges')" =~ "^FAIL +subgid ranges: no range for $user in /etc/subgid"
  assert "$output" =~ "fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $user"
}

@test "run (root, as a user with no subordinate ids): the warning and the error name system check" {
  skip_if_rootless "needs to switch to a user without ranges"
  user=nobody
  grep -q "^$user:" /etc/subuid && skip "$user has a subuid range here"
  setpriv --reuid=$user --regid=$(id -g $user) --clear-groups test -x "$BERTH" || skip "$BERTH not executable by $user"
  # (the bats tmp dir's parents are private to root)
  dir=$(mktemp -d /tmp/berth-nobody.XXXXXX)
  mkdir -m 0700 $dir/xdg
  chown $user $dir $dir/xdg
  as_nobody() {
    run setpriv --reuid=$user --regid=$(id -g $user) --clear-groups --reset-env \
        env HOME=/nonexistent PATH=/usr/bin:/bin XDG_RUNTIME_DIR=$dir/xdg timeout 60 "$BERTH" --root $dir/root --runroot $dir/run "$@"
    echo "$output"
  }
  as_nobody load -q -i $BERTH_TEST_IMAGES/bb.tar
  assert $status == 0 "one id is enough to load"
  assert "$output" =~ "no subuid/subgid range for user $user .*\`berth system check\` says how to add one"
  as_nobody run --rm bbtest id -u
  assert $status == 0 "and to run as root inside"
  assert "${lines[-1]}" == 0
  as_nobody run --rm --user 1000 bbtest id -u
  assert $status == 125 "an id with no mapping is berth's error"
  assert "${lines[-1]}" =~ "^Error: set user 1000:1000: .*not mapped in the user namespace .*\`berth system check\`"
  kill "$(cut -d' ' -f1 $dir/xdg/berth/pause.pid)"
  rm -rf $dir
}

@test "info: podman's sections in podman's order; json parses; the store and runtime are this berth's" {
  run_berth info
  assert "$(grep -E '^[a-z]+:' <<<"$output" | tr -d : | tr '\n' ' ')" == "host store registries plugins version " "podman's top-level keys, in order"
  assert "$output" =~ $'\n  graphDriverName: overlay\n' "the driver"
  assert "$output" =~ $'\n  cgroupManager: cgroupfs\n' "no systemd manager: berth has no daemon"
  run_berth system info --format json
  json=$output
  py() { python3 -c "import json,sys; d = json.load(sys.stdin); print($1)" <<<"$json"; }
  assert "$(py 'd["store"]["graphRoot"]')" == "$BERTH_ROOT" "the store berth uses"
  assert "$(py 'd["host"]["ociRuntime"]["path"]')" == "$(readlink -f $BERTH)" "berth is its own runtime"
  assert "$(py 'd["host"]["cpus"]')" == "$(nproc)"
  assert "$(py 'd["host"]["security"]["seccompEnabled"]')" == "True"
  assert "$(py 'd["host"]["security"]["capabilities"]')" =~ "^CAP_CHOWN,.*CAP_SYS_CHROOT$" "the default capabilities, sorted"
  assert "$(py 'd["host"]["os"]')" == linux
}

@test "info --format: podman's Go field names" {
  run_berth info --format '{{.Host.OS}}/{{.Host.Arch}} {{.Store.GraphRoot}} {{.Host.OCIRuntime.Name}} {{.Store.ImageStore.Number}}'
  assert "$output" == "linux/$(dpkg --print-architecture) $BERTH_ROOT berth 0"
  run_berth info --format '{{.Host.Security.Rootless}}'
  if is_rootless; then assert "$output" == true; else assert "$output" == false; fi
}

@test "info: idMappings are null as root; rootless, the user then every subuid/subgid range" {
  if ! is_rootless; then
    run_berth info --format '{{json .Host.IDMappings}}'
    assert "$output" == '{"GIDMap":null,"UIDMap":null}' "as podman prints them for root"
    return
  fi
  run_berth info --format '{{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}} {{end}}'
  want="0:$(id -u):1"
  next=1
  while IFS=: read -r _ start size; do
    want+=" $next:$start:$size"
    next=$((next + size))
  done < <(grep "^$(id -un):" /etc/subuid)
  assert "$output" == "$want " "every range, in order"
  run_berth info --format '{{len .Host.IDMappings.GIDMap}}'
  assert "$output" == "$(( $(grep -c "^$(id -un):" /etc/subgid) + 1 ))" "and the gid ranges"
}

@test "info: a bad template is one Error: line and 125" {
  run_berth 125 info --format '{{.Host'
  assert "$output" =~ "^Error: " "one Error: line"
  assert "$(wc -l <<<"$output")" == 1
}

@test "CONTAINERS_STORAGE_CONF: its graphroot and runroot place the store; flags and BERTH_ROOT win" {
  local d=$BATS_TEST_TMPDIR
  printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/graph"\nrunroot = "%s/runroot"\n[storage.options]\nrootless_storage_path = "%s/rl-$UID"\n' \
    $d $d $d > $d/storage.conf
  local want=$d/graph
  if is_rootless; then want=$d/rl-$(id -u); fi
  run env -u BERTH_ROOT -u BERTH_RUNROOT CONTAINERS_STORAGE_CONF=$d/storage.conf "$BERTH" info --format '{{.Store.GraphRoot}}'
  assert "$output" == "$want" "graphroot (rootless: rootless_storage_path, \$UID expanded)"
  run env -u BERTH_ROOT -u BERTH_RUNROOT CONTAINERS_STORAGE_CONF=$d/storage.conf "$BERTH" load -q -i "$BERTH_TEST_IMAGES/bb.tar"
  assert "$status" == 0 "$output"
  test -d $want/images
  run env CONTAINERS_STORAGE_CONF=$d/storage.conf "$BERTH" info --format '{{.Store.GraphRoot}}'
  assert "$output" == "$BERTH_ROOT" "BERTH_ROOT wins"
  run env -u BERTH_ROOT CONTAINERS_STORAGE_CONF=$d/storage.conf "$BERTH" --root $d/flag info --format '{{.Store.GraphRoot}}'
  assert "$output" == "$d/flag" "--root wins"
  printf '[storage\n' > $d/bad.conf
  run env -u BERTH_ROOT CONTAINERS_STORAGE_CONF=$d/bad.conf "$BERTH" images
  assert "$status" == 125
  assert "$output" =~ "^Error: $d/bad.conf: line 1" "one error line naming the file"
  if is_rootless; then "$BERTH" unshare rm -rf $want; fi
}

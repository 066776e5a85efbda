#!/usr/bin/env bats   -*- bats -*-
#
# Rootless as the everyday way: the user's pause process (one user namespace for every
# command, as podman's), its failures and races; a real Debian image (debootstrap minbase, made
# by make-debian-image.sh) loaded, run, saved, pushed and pulled.

load helpers
load helpers.registry

setup_file() {
  berth_setup_file
  # A runtime dir of this file's own: the pause process is recorded there, not in the one
  # other test files share.
  export XDG_RUNTIME_DIR=$BATS_FILE_TMPDIR/xdg
  mkdir -m 0700 $XDG_RUNTIME_DIR
}

teardown_file() {
  # every pause process of this file's runtime dir (the tests overwrite records, which orphans
  # the process a record named)
  local p
  for p in $(pgrep -u "$(id -u)" -x catatonit); do
    tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR" && kill -9 $p
  done
  return 0
}

pause_file() { echo $XDG_RUNTIME_DIR/berth/pause.pid; }
pause_pid() { [ -f "$(pause_file)" ] && cut -d' ' -f1 "$(pause_file)"; }
# the user namespace a container runs in, as the host sees it
container_userns() { "$BERTH" run --rm $IMAGE readlink /proc/self/ns/user; }

@test "rootless: one pause process keeps the user namespace; every command joins it" {
  skip_if_not_rootless
  run_berth run --rm $IMAGE true
  pid=$(pause_pid)
  assert "$pid" != "" "the first command recorded a pause process"
  assert "$(cat /proc/$pid/cmdline | tr '\0' ' ')" == "catatonit -P " "it is catatonit -P, as podman's"
  assert "$(ps -o ppid= -p $pid | tr -d ' ')" != "$$" "detached from the command that started it"
  ns=$(readlink /proc/$pid/ns/user)
  assert "$(container_userns)" == "$ns" "a container runs in it"
  assert "$(container_userns)" == "$ns" "and the next one too"
  assert "$("$BERTH" unshare readlink /proc/self/ns/user)" == "$ns" "berth unshare joins it"
  assert "$(pause_pid)" == "$pid" "no second pause process"
  assert "$(wc -l < /proc/$pid/uid_map)" == "$(( $(grep -c "^$(id -un):" /etc/subuid) + 1 ))" "it maps every range"
}

@test "rootless: kill -9 of the pause process: the next command makes a new one" {
  skip_if_not_rootless
  run_berth run --rm $IMAGE true
  old=$(pause_pid)
  kill -9 $old
  for i in $(seq 50); do [ -d /proc/$old ] || break; sleep 0.1; done
  run_berth run --rm $IMAGE echo still
  assert "$output" == "still"
  assert "$(pause_pid)" != "$old" "a new pause process"
  assert "$(container_userns)" == "$(readlink /proc/$(pause_pid)/ns/user)"
}

@test "rootless: a pause record naming another process, or garbage, is not trusted and not harmed" {
  skip_if_not_rootless
  sleep 1000 &
  victim=$!
  start=$(awk '{print $22}' /proc/$victim/stat)
  mkdir -p $(dirname $(pause_file))
  echo "$victim $start" > $(pause_file)
  run_berth run --rm $IMAGE true
  assert "$(pause_pid)" != "$victim" "a process outside a namespace of ours is not joined"
  [ -d /proc/$victim ] || { echo "# the process named in the record was killed" >&2; false; }
  kill $victim
  printf 'not a pid\n' > $(pause_file)
  run_berth run --rm $IMAGE true
  assert "$(pause_pid)" =~ "^[0-9]+$" "garbage is replaced"
  echo "1 0" > $(pause_file)
  run_berth run --rm $IMAGE true
  assert "$(pause_pid)" != "1"
}

@test "rootless: commands started together with no pause process make one, and all join it" {
  skip_if_not_rootless
  pause_pid >/dev/null && kill -9 "$(pause_pid)"
  rm -f $(pause_file)
  for i in $(seq 8); do
    ( "$BERTH" run --rm $IMAGE readlink /proc/self/ns/user > $BATS_TEST_TMPDIR/ns.$i 2>&1; echo $? > $BATS_TEST_TMPDIR/rc.$i ) &
  done
  wait
  assert "$(cat $BATS_TEST_TMPDIR/rc.* | sort -u)" == "0" "all ran"
  assert "$(cat $BATS_TEST_TMPDIR/ns.* | sort -u)" == "$(readlink /proc/$(pause_pid)/ns/user)" "all in one namespace, the recorded one"
}

@test "root: no pause process, no user namespace" {
  skip_if_rootless
  run_berth run --rm $IMAGE true
  assert "$(ls $XDG_RUNTIME_DIR)" == "" "nothing recorded"
  assert "$(container_userns)" == "$(readlink /proc/self/ns/user)" "the container is in root's user namespace"
}

@test "a layer file owned by uid 70000 (beyond the first subuid range) unpacks with that owner" {
  cp $BERTH_TEST_IMAGES/rootfs.tar $BATS_TEST_TMPDIR/rootfs.tar
  python3 - $BATS_TEST_TMPDIR/rootfs.tar <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "a") as t:
    i = tarfile.TarInfo("high")
    i.size, i.uid, i.gid, i.mode = 5, 70000, 70001, 0o640
    t.addfile(i, io.BytesIO(b"mine\n"))
PY
  run_berth import $BATS_TEST_TMPDIR/rootfs.tar high:1
  run_berth run --rm high:1 stat -c %u:%g:%a /high
  assert "$output" == "70000:70001:640"
  run_berth rmi high:1
}

# The Debian 12 image tests/run.sh makes (as root, with debootstrap) before the suites.
need_debian() {
  [ -f "$BERTH_TEST_IMAGES/debian.tar" ] ||
    skip "no $BERTH_TEST_IMAGES/debian.tar (tests/system/make-debian-image.sh needs root, debootstrap and Debian's archive)"
}

@test "Debian 12: loads and runs (rootless, its device nodes skipped); ids above 65536; save gives back the same layer" {
  need_debian
  run_berth --log-level debug load -i $BERTH_TEST_IMAGES/debian.tar
  if is_rootless; then
    assert "$output" =~ "rootless: skipping device node dev/full" "the node is skipped, with a debug line"
  fi
  run_berth run --rm debian:bookworm cat /etc/os-release
  assert "$output" =~ "VERSION_CODENAME=bookworm"
  run_berth run --rm debian:bookworm stat -c %F /dev/full
  assert "$output" == "character special file" "the container's /dev comes from the runtime"
  run_berth run --rm debian:bookworm dpkg-query -W -f '${Status}' bash
  assert "$output" == "install ok installed"
  # A user above the first subuid range: with one range mapped, chown to it fails.
  run_berth run --rm debian:bookworm sh -c 'groupadd -g 70001 bobs && useradd -u 70000 -g bobs bob 2>/dev/null && touch /tmp/f && chown bob:bobs /tmp/f && stat -c %U:%u:%G:%g /tmp/f'
  assert "$output" == "bob:70000:bobs:70001"
  run_berth save -o $BATS_TEST_TMPDIR/again.tar debian:bookworm
  mkdir $BATS_TEST_TMPDIR/a $BATS_TEST_TMPDIR/b
  tar -C $BATS_TEST_TMPDIR/a -xf $BERTH_TEST_IMAGES/debian.tar
  tar -C $BATS_TEST_TMPDIR/b -xf $BATS_TEST_TMPDIR/again.tar
  layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][0])' $BATS_TEST_TMPDIR/a/manifest.json)
  sum=$(sha256sum < $BATS_TEST_TMPDIR/a/$layer | cut -d' ' -f1)
  assert "$(find $BATS_TEST_TMPDIR/b -type f -exec sha256sum {} + | grep -c $sum)" == 1 \
         "the saved layer is the one loaded, device nodes included"
}

@test "Debian 12: push to a registry and pull into an empty store; it runs" {
  need_debian
  command -v docker-registry >/dev/null || skip "docker-registry is not installed"
  run_berth load -q -i $BERTH_TEST_IMAGES/debian.tar
  reg=$(start_registry $BATS_TEST_TMPDIR/reg)
  run_berth push --tls-verify=false debian:bookworm $reg/debian:bookworm
  export BERTH_ROOT=$BATS_TEST_TMPDIR/root BERTH_RUNROOT=$BATS_TEST_TMPDIR/run
  run_berth pull --tls-verify=false $reg/debian:bookworm
  run_berth run --rm $reg/debian:bookworm cat /etc/debian_version
  assert "$output" =~ "^12\." "a Debian 12 rootfs"
  stop_server $BATS_TEST_TMPDIR/reg
}

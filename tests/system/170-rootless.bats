#!/usr/bin/env bats   -*- bats -*-
#
# Rootless as the everyday way: the user's pause process (one user namespace for every
# command, as podman's), its failures and races.

load helpers

setup_file() {
  berth_setup_file
  # A runtime dir of this file's own: the pause process is recorded there, not in the one
  # other test files share.
  export XDG_RUNTIME_DIR=$BATS_FILE_TMPDIR/xdg
  mkdir -m 0700 $XDG_RUNTIME_DIR
}

teardown_file() {
  pause_pid >/dev/null && kill -9 "$(pause_pid)" 2>/dev/null
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

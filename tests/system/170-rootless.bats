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
  berth_teardown_file
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

@test "--userns=keep-id (rootless): the user's ids inside; bind-mounted files keep their owner; commit, export, cp and exec see container ids" {
  skip_if_not_rootless
  mkdir $BATS_TEST_TMPDIR/home
  echo mine > $BATS_TEST_TMPDIR/home/f
  name=$(safename)
  run_berth run --name $name --userns=keep-id -v $BATS_TEST_TMPDIR/home:/data $IMAGE \
      sh -c 'id -u; id -g; stat -c %u:%g /data/f; echo more >> /data/f; touch /data/new; mkdir /tmp/made; stat -c %u /bin/busybox /home/u'
  assert "${lines[0]}" == "$(id -u)" "the process runs as the user's uid, as podman's keep-id"
  assert "${lines[1]}" == "$(id -g)"
  assert "${lines[2]}" == "$(id -u):$(id -g)" "the user's file is the user's inside"
  assert "${lines[3]}" == 0 "the image's root-owned files stay root's"
  assert "${lines[4]}" == 1000 "and its other owners keep theirs"
  assert "$(stat -c %u $BATS_TEST_TMPDIR/home/new)" == "$(id -u)" "a file it makes in the volume is the user's on the host"
  run_berth run --rm --userns=keep-id $IMAGE sh -c 'whoami; echo $HOME; grep -c "^root:" /etc/passwd'
  assert "$output" == "$(id -un)"$'\n'"$(getent passwd $(id -u) | cut -d: -f6)"$'\n'1 "the user has a passwd line, as podman adds"
  assert "$(cat $BATS_TEST_TMPDIR/home/f)" == $'mine\nmore'
  run_berth export $name
  run bash -c "'$BERTH' export $name | tar -tvf - | grep -E ' (tmp/made/|bin/busybox|home/u/)$'"
  assert "$output" =~ "0/0 .* bin/busybox" "export: container ids"
  assert "$output" =~ "$(id -u)/$(id -g) .* tmp/made/"
  assert "$output" =~ "1000/1000 .* home/u/"
  run_berth commit -q $name keepid-img
  run_berth run --rm keepid-img stat -c '%u %U' /tmp/made /bin/busybox
  assert "$output" == "$(id -u) UNKNOWN"$'\n'"0 root" "the committed layer has the owners the container saw"
  run_berth cp -a $name:/tmp/made - 
  run bash -c "'$BERTH' cp -a $name:/tmp/made - | tar -tvf -"
  assert "$output" =~ "$(id -u)/$(id -g) .* made/"
  run_berth rm $name
  run_berth run -d --name $name --userns=keep-id:uid=0,gid=0 $IMAGE sleep 100
  run_berth exec $name id -u
  assert "$output" == 0 "keep-id:uid=0: the user is root inside"
  run_berth exec -u 1000 $name sh -c 'id -u; stat -c %u /home/u'
  assert "$output" == $'1000\n1000' "exec joins the container's own namespace"
  run_berth inspect --format '{{.HostConfig.UsernsMode}}' $name
  assert "$output" == "keep-id:uid=0,gid=0"
  assert "$(ls -d $BERTH_ROOT/layers/*/diff-* | wc -l)" -ge 1 "the layers' copies for the map"
  run_berth rm -f $name
  run_berth rmi keepid-img
}

@test "--uidmap/--gidmap (rootless): the container's map; maps berth cannot make are 125 with the reason" {
  skip_if_not_rootless
  run_berth run --rm --uidmap 0:1:1000 --uidmap 1000:0:1 $IMAGE sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map; stat -c %u /bin/busybox'
  assert "${lines[0]}" =~ "^ +0 +1 +1000$"
  assert "${lines[1]}" =~ "^ +1000 +0 +1$"
  assert "${lines[2]}" =~ "^ +0 +1 +1000$" "without --gidmap, the uid map is the gid map too (as podman)"
  assert "${lines[-1]}" == 0
  run_berth 125 run --rm --uidmap 0:1:99999999 $IMAGE true
  assert "$output" =~ "^Error: --uidmap 0:1:99999999: berth's user namespace has ids 0 to [0-9]+"
}

@test "--userns and --uidmap: bad values are one Error: line and 125; keep-id as root is refused as podman does" {
  run_berth 125 create --userns=bogus $IMAGE true
  assert "$output" == 'Error: unsupported --userns "bogus": use host, keep-id[:uid=N,gid=N], nomap or auto[:size=N]'
  run_berth 125 create --uidmap 0:1 $IMAGE true
  assert "$output" == 'Error: invalid --uidmap "0:1": want CONTAINER_ID:HOST_ID:SIZE'
  run_berth 125 create --gidmap 0:1:0 $IMAGE true
  assert "$output" =~ "^Error: invalid --gidmap \"0:1:0\": the size must be at least 1"
  run_berth 125 create --userns=keep-id --uidmap 0:0:1 $IMAGE true
  assert "$output" == "Error: --userns and --uidmap/--gidmap cannot be used together"
  if is_rootless; then
    run_berth 125 create --userns=keep-id:uid=x $IMAGE true
    assert "$output" =~ "^Error: invalid --userns keep-id option"
  fi
  run_berth create --userns=host $IMAGE true
  run_berth rm $output
  if ! is_rootless; then
    run_berth 125 run --rm --userns=keep-id $IMAGE true
    assert "$output" == "Error: keep-id is only supported in rootless mode"
  fi
  assert "$("$BERTH" ps -aq)" == "" "nothing was created"
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

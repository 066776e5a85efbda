#!/usr/bin/env bats   -*- bats -*-
#
# The shell-script contract: what scripts test for, in one place. Exit codes, --cidfile,
# --replace, exists, wait --condition, --format, -q, and bytes through stdin/stdout.

load helpers

setup() {
  CNAME=$(safename)
}

teardown() {
  "$BERTH" rm -f $CNAME $CNAME-2 >/dev/null 2>&1 || true
}

@test "scripts: exit codes a script branches on" {
  run_berth 0 run --rm $IMAGE true
  run_berth 1 run --rm $IMAGE false
  run_berth 42 run --rm $IMAGE sh -c 'exit 42'
  run_berth run -d --name $CNAME $IMAGE sleep 100
  run_berth kill -s KILL $CNAME
  run_berth wait $CNAME
  assert "$output" == "137" "killed by signal 9: 128+9"
  run_berth 127 run --rm $IMAGE /no/such
  run_berth 126 run --rm $IMAGE /etc
  run_berth 125 run --rm --no-such-flag $IMAGE true
  run_berth 125 run --rm --pull=never no-such-image true
  run_berth 0 container exists --help
  run_berth 1 container exists $CNAME-2
  run_berth 1 image exists no-such-image
  run_berth 0 image exists $IMAGE
}

@test "scripts: --cidfile refuses an existing file and a missing directory; --replace" {
  cid=$BATS_TEST_TMPDIR/cid
  run_berth run -d --cidfile $cid --name $CNAME $IMAGE sleep 100
  assert "$(cat $cid)" == "$output" "the cidfile holds the full id"
  run_berth 125 run -d --cidfile $cid --name $CNAME-2 $IMAGE true
  assert "$output" =~ "container id file exists"
  run_berth 125 run -d --cidfile $BATS_TEST_TMPDIR/no/such/dir/cid --name $CNAME-2 $IMAGE true
  assert "$output" =~ "opening cidfile .*: No such file or directory"
  run_berth 1 container exists $CNAME-2
  run_berth 125 run -d --name $CNAME $IMAGE sleep 100
  assert "$output" =~ "already in use"
  old=$(cat $cid)
  run_berth run -d --replace --name $CNAME $IMAGE sleep 100
  assert "$output" != "$old"
  run_berth 0 container exists $CNAME
  run_berth 1 container exists $old
}

@test "scripts: wait --condition, inspect and ps formats, -q" {
  run_berth create --name $CNAME -e A=1 -e B=two $IMAGE sh -c 'sleep 0.5; exit 7'
  id=$output
  ( sleep 0.3; "$BERTH" start $CNAME >/dev/null ) &
  run_berth wait --condition running $CNAME
  assert "$output" == "-1" "running: podman prints -1"
  assert "$("$BERTH" inspect --format '{{.State.Status}}' $CNAME)" == "running"
  run_berth wait $CNAME
  assert "$output" == "7"
  run_berth wait --condition exited --interval 50ms $CNAME
  assert "$output" == "7"
  assert "$("$BERTH" inspect --format '{{.State.ExitCode}}' $CNAME)" == "7"
  assert "$("$BERTH" inspect --format '{{json .Config.Env}}' $CNAME)" =~ '"A=1","B=two"'
  run_berth ps -a --filter name=$CNAME --format '{{.Names}} {{.Status}}'
  assert "$output" =~ "^$CNAME Exited \(7\) "
  run_berth ps -a -q --no-trunc --filter name=$CNAME
  assert "$output" == "$id"
  run_berth 125 wait --condition sometimes $CNAME
  run_berth 125 wait --condition running --interval x $CNAME
}

@test "scripts: 100 MB of binary stdin comes out of stdout byte for byte, EOF reaches the container" {
  head -c $((100 << 20)) /dev/urandom > $BATS_TEST_TMPDIR/in
  "$BERTH" run --rm -i $IMAGE cat < $BATS_TEST_TMPDIR/in > $BATS_TEST_TMPDIR/out
  assert "$(sha256sum < $BATS_TEST_TMPDIR/out)" == "$(sha256sum < $BATS_TEST_TMPDIR/in)"
  run_berth run --rm -i $IMAGE sh -c 'wc -c; echo after-eof' < $BATS_TEST_TMPDIR/in
  assert "$output" == $'104857600\nafter-eof'
}

@test "scripts: berth events from the append-only events file, filtered, formatted, streamed" {
  since=$(date +%s)
  run_berth 3 run --rm --name $CNAME $IMAGE sh -c 'exit 3'
  run_berth events --stream=false --since $since --filter container=$CNAME --format '{{.Type}} {{.Status}} {{.Name}}'
  assert "$output" =~ "container create $CNAME"$'\n'"container start $CNAME"$'\n'"container died $CNAME"$'\n'"container remove $CNAME"
  run_berth events --stream=false --since $since --filter container=$CNAME --filter event=died --format '{{.Attributes.containerExitCode}}'
  assert "${lines[-1]}" == "3"
  run_berth events --stream=false --since $since --filter event=died --format json
  assert "$(echo "${lines[-1]}" | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["Status"], e["Type"], e["Name"])')" == "died container $CNAME"
  run_berth events --stream=false --since $since --filter container=$CNAME
  assert "${lines[0]}" =~ "^[0-9-]+ [0-9:.]+ \+0000 UTC container create [0-9a-f]{64} \(image=docker.io/library/bbtest:latest, name=$CNAME\)$"
  # --until in the past: nothing from now on; streaming: new events appear as they happen.
  run_berth events --stream=false --since $since --until $((since - 1))
  assert "$output" == ""
  timeout 10 "$BERTH" events --since $since --filter container=$CNAME-2 --filter event=start --format '{{.Name}}' > $BATS_TEST_TMPDIR/ev &
  run_berth run --rm --name $CNAME-2 $IMAGE true
  wait_for_output "$CNAME-2" $BATS_TEST_TMPDIR/ev
  kill %1 2>/dev/null || true
  run_berth tag $IMAGE localhost/$CNAME:1
  run_berth events --stream=false --since $since --filter type=image --filter event=tag --format '{{.Name}}'
  assert "${lines[-1]}" == "localhost/$CNAME:1"
  run_berth untag $IMAGE localhost/$CNAME:1
  run_berth 125 events --stream=false --filter bogus=1
  run_berth 125 events --stream=maybe
}

@test "socket activation: the sockets systemd passes (LISTEN_FDS) are the container's fds 3.." {
  command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  systemd-socket-activate -E BERTH_ROOT -E BERTH_RUNROOT -E CONTAINERS_REGISTRIES_CONF -l 127.0.0.1:$port \
    "$BERTH" run --rm --pull=never $IMAGE /bin/testinit accept3 > $BATS_TEST_TMPDIR/sa.log 2>&1 &
  for i in $(seq 50); do grep -q Listening $BATS_TEST_TMPDIR/sa.log && break; sleep 0.1; done
  got=$(python3 -c "import socket; s=socket.create_connection(('127.0.0.1',$port)); print(s.recv(100).decode().strip())")
  wait
  assert "$got" == "activated pid=1 fds=1" "LISTEN_PID is the container's PID 1"
  # Without activation meant for berth (another LISTEN_PID), nothing is passed.
  LISTEN_PID=1 LISTEN_FDS=1 run_berth run --rm $IMAGE sh -c 'echo "[${LISTEN_FDS:-}]"; ls /proc/self/fd | wc -l'
  assert "${lines[0]}" == "[]"
}

@test "berth as a systemd generator: called as berth-generator it writes units, and never fails" {
  q=$BATS_TEST_TMPDIR/q
  mkdir -p $q/in $q/out
  printf '[Container]\nImage=%s\nExec=true\n[Install]\nWantedBy=default.target\n' $IMAGE > $q/in/app.container
  printf '[Container]\nImage=x\nNoSuchKey=1\n' > $q/in/bad.container
  ln -s "$BERTH" $q/berth-generator
  QUADLET_UNIT_DIRS=$q/in run $q/berth-generator $q/out $q/early $q/late
  assert "$status" == 0 "a generator never fails the boot"
  assert "$output" =~ "skipping $q/in/bad.container: .*unsupported key 'NoSuchKey'"
  assert "$(cat $q/out/app.service)" =~ "ExecStart=.* run --name=systemd-%N --cidfile=%t/%N.cid --replace --rm --sdnotify=conmon -d $IMAGE true"
  assert "$(readlink $q/out/default.target.wants/app.service)" == "../app.service"
  [ ! -e $q/out/bad.service ]
  QUADLET_UNIT_DIRS=$q/in run $q/berth-generator
  assert "$status" == 0
}

#!/usr/bin/env bats   -*- bats -*-
#
# The store: permissions, leftovers of killed commands, parallel writers, rootless ownership.

load helpers

@test "store: a dead writer's tmp/ work dir is swept by the next writer, a live one is not" {
  mkdir $BERTH_ROOT/tmp/layer-deadbeef00000000
  echo junk > $BERTH_ROOT/tmp/layer-deadbeef00000000/blob
  # a live one: a process holds its flock
  mkdir $BERTH_ROOT/tmp/layer-live000000000000
  ( exec 9<$BERTH_ROOT/tmp/layer-live000000000000; flock 9; exec sleep 30 ) &
  holder=$!
  sleep 0.3
  run_berth tag $IMAGE $(safename)
  [ ! -e $BERTH_ROOT/tmp/layer-deadbeef00000000 ]
  [ -d $BERTH_ROOT/tmp/layer-live000000000000 ]
  kill $holder; wait $holder || true
  run_berth tag $IMAGE $(safename)
  [ ! -e $BERTH_ROOT/tmp/layer-live000000000000 ]
}

@test "store: a half-written metadata temp file never hides the real one" {
  echo '{"broken' > $BERTH_ROOT/.names.json.tmp-0000000000000000
  run_berth images --format '{{.Repository}}'
  assert "$output" =~ "docker.io/library/bbtest"
  run_berth tag $IMAGE $(safename)
  [ ! -e $BERTH_ROOT/.names.json.tmp-0000000000000000 ] || true
}

@test "store: 50 berth run --rm in parallel all succeed and leave the store clean" {
  for i in $(seq 50); do
    "$BERTH" run --rm $IMAGE testinit echo run-$i > $BATS_TEST_TMPDIR/out.$i 2>&1 &
  done
  wait
  for i in $(seq 50); do
    assert "$(cat $BATS_TEST_TMPDIR/out.$i)" == "run-$i"
  done
  run_berth ps -a -q
  assert "$output" == ""
  assert "$(ls -A $BERTH_ROOT/containers | wc -l)" == 0
}

@test "store: kill -9 of a foreground berth run leaves no process behind" {
  n=$(safename)
  "$BERTH" run --name $n $IMAGE testinit pause $n &
  pid=$!
  for i in $(seq 50); do
    [ "$("$BERTH" ps --format '{{.Names}}')" == "$n" ] && break
    sleep 0.1
  done
  kill -9 $pid
  wait $pid || true
  # the container is pid 1 of its namespace: with its parent gone it must not run forever
  sleep 0.5
  run_berth ps -a --format '{{.Names}} {{.State}}'
  assert "$output" =~ "$n"
  run_berth rm -f $n
  run pgrep -f "testinit pause $n"
  assert "$output" == "" "no container process left"
}

@test "store: rootless layers keep the image's owners through the subuid mapping" {
  skip_if_not_rootless
  grep -q "^$(id -un):" /etc/subuid || skip "no subuid range"
  run_berth run --rm $IMAGE sh -c 'ls -ln /home | grep " u$"'
  assert "$output" =~ " 1000 +1000 " "uid 1000 inside the container"
}

@test "store: containers recorded by the berth before typed records (schema 1) still load, start and go" {
  fixtures=$(dirname "$BATS_TEST_FILENAME")/data/legacy-v1
  vol=$BATS_TEST_TMPDIR/vol
  mkdir -p $vol
  echo legacy > $vol/f
  # the test image's id depends on the testinit this build compiled: the records get it
  imageid=$("$BERTH" inspect --format '{{.Id}}' $IMAGE)
  for d in $fixtures/*; do
    id=$(basename $d)
    mkdir -p $BERTH_ROOT/containers/$id/upper $BERTH_ROOT/containers/$id/work $BERTH_ROOT/containers/$id/merged
    sed -e "s|@VOL@|$vol|g" -e "s|@IMAGEID@|$imageid|g" $d/config.json > $BERTH_ROOT/containers/$id/config.json
    if [ -f $d/state.json ]; then cp $d/state.json $BERTH_ROOT/containers/$id/; fi
  done
  run_berth ps -a --format '{{.Names}} {{.Status}}'
  assert "$output" =~ "legacy-ran Exited \(3\)"
  assert "$output" =~ "legacy-full Created"
  run_berth inspect legacy-full
  assert "$output" =~ '"Destination": "/data"'
  assert "$output" =~ '"RW": false'
  assert "$output" =~ '"CMD-SHELL"'
  run_berth inspect --format '{{.Config.StopSignal}} {{.Config.StopTimeout}} {{.HostConfig.RestartPolicy.Name}}' legacy-full
  assert "$output" == "SIGINT 7 on-failure"
  # the volume (ro), both tmpfs mounts, env, user and workdir as the old berth recorded them
  run_berth start -a legacy-full
  assert "$(echo "$output" | grep -v '^WARN')" == "1000"$'\n'"/var/data"$'\n'"1two"$'\n'"f"$'\n'"1" "(rootless: a warning that limits do not apply)"
  run_berth rm legacy-full legacy-ran
  assert "$(ls $BERTH_ROOT/containers)" == ""
}

@test "rootless: every subuid range of the user is mapped, in order; ids above 65536 keep their owner" {
  skip_if_not_rootless
  ranges=$(grep -c "^$(id -un):" /etc/subuid || true)
  [ "$ranges" -ge 2 ] || skip "the test user has one subuid range (.ci/run gives it two)"
  run_berth run --rm $IMAGE cat /proc/self/uid_map
  assert "$(echo "$output" | wc -l)" == "$((ranges + 1))" "the user as 0, then each range"
  assert "$(echo "$output" | awk 'NR==3 {print $1}')" == "65537" "the second range follows the first"
  mkdir -p $BATS_TEST_TMPDIR/r
  echo high > $BATS_TEST_TMPDIR/r/owned
  tar -C $BATS_TEST_TMPDIR/r --owner=70000 --group=70001 --numeric-owner -cf $BATS_TEST_TMPDIR/high.tar ./owned
  n=$(safename)
  run_berth import -q $BATS_TEST_TMPDIR/high.tar $n
  # the layer's file, seen from inside berth's user namespace (mapped the same way)
  f=$(find $BERTH_ROOT/layers -path '*/diff/owned' | head -1)
  run_berth unshare stat -c '%u:%g' $f
  assert "$output" == "70000:70001" "the owner above the first range, kept"
  run_berth rmi $n
}

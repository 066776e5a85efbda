#!/usr/bin/env bats   -*- bats -*-
#
# pause / unpause (the container's cgroup freezer) and stats (its cgroup's counters; rootless:
# /proc), for containers and pods; as root and rootless.

load helpers

setup() {
  NAME=$(safename)
}

teardown() {
  "$BERTH" pod rm -a -f -t 0 >/dev/null 2>&1 || true
  "$BERTH" rm -a -f -t 0 >/dev/null 2>&1 || true
}

# A container that writes a counter into $BATS_TEST_TMPDIR/count ten times a second.
start_counter() {
  run_berth run -d --name $1 -v $BATS_TEST_TMPDIR:/out $IMAGE \
    sh -c 'i=0; while :; do i=$((i+1)); echo $i > /out/count; sleep 0.1; done'
  cid=$output
  for i in $(seq 50); do [ -s $BATS_TEST_TMPDIR/count ] && break; sleep 0.1; done
}

@test "pause freezes every process of the container; unpause thaws it; states as podman's" {
  skip_if_rootless "a rootless container has no cgroup of its own here (see the next test)"
  start_counter $NAME
  run_berth pause $NAME
  assert "$output" == "$NAME" "pause prints the name it was given"
  frozen=$(cat $BATS_TEST_TMPDIR/count)
  sleep 0.5
  assert "$(cat $BATS_TEST_TMPDIR/count)" == "$frozen" "no process ran while paused"
  run_berth ps --format '{{.ID}} {{.Names}} {{.Status}}'
  assert "$output" == "${cid:0:12} $NAME Paused"
  run_berth ps --filter status=paused --format '{{.Names}}'
  assert "$output" == "$NAME"
  run_berth inspect --format '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' $NAME
  assert "$output" == "paused true true"
  run_berth 125 pause $NAME
  assert "$output" == "Error: \"$cid\" is already paused: container state improper"
  run_berth 125 exec $NAME true
  assert "$output" =~ "is paused: container state improper" "no exec into a paused container"
  run_berth unpause --all
  assert "$output" == "$cid" "unpause --all prints the ids"
  sleep 0.5
  assert "$(cat $BATS_TEST_TMPDIR/count)" -gt "$frozen" "it runs again"
  run_berth 125 unpause $NAME
  assert "$output" == "Error: \"$cid\" is not paused, can't unpause: container state improper"
  run_berth events --stream=false --filter container=$NAME --format '{{.Status}}'
  assert "$(echo "$output" | grep -c pause)" == 2 "a pause and an unpause event"
}

@test "pause: stop and rm -f of a paused container end it; its cgroups go with it" {
  skip_if_rootless "a rootless container has no cgroup of its own here"
  start_counter $NAME
  cgdirs=$(awk -F: '/berth-/ {print $3}' /proc/$("$BERTH" inspect --format '{{.State.Pid}}' $NAME)/cgroup | sort -u)
  assert "$cgdirs" =~ "/berth/berth-${cid:0:12}" "every rootful container has a cgroup of its own"
  run_berth pause $NAME
  run_berth stop -t 1 $NAME
  run_berth inspect --format '{{.State.Status}} {{.State.Paused}}' $NAME
  assert "$output" == "exited false" "stop thawed it and it ended"
  run_berth start $NAME
  # a berth killed between the freeze and its record: unpause believes the kernel
  pid=$("$BERTH" inspect --format '{{.State.Pid}}' $NAME)
  freezer=/sys/fs/cgroup/freezer$(awk -F: '$2 == "freezer" {print $3}' /proc/$pid/cgroup)
  if [ -f $freezer/freezer.state ]; then
    echo FROZEN > $freezer/freezer.state
    run_berth 125 pause $NAME
    run_berth unpause $NAME
    assert "$(cat $freezer/freezer.state)" == "THAWED"
  fi
  run_berth pause $NAME
  run_berth rm -f -t 0 $NAME
  run_berth ps -a -q
  assert "$output" == "" "rm -f removed the paused container"
  run find /sys/fs/cgroup -maxdepth 3 -name "berth-${cid:0:12}"
  assert "$output" == "" "no cgroup left behind"
  # a missing container: one error, 125
  run_berth 125 pause nosuch-$NAME
  assert "$output" =~ "^Error: .*nosuch-$NAME" "one Error line"
  run_berth 125 unpause nosuch-$NAME
  run_berth 125 pause
  assert "$output" == "Error: you must provide at least one container name or id"
}

@test "pause rootless: refused with one clear error; the container runs on" {
  skip_if_not_rootless
  start_counter $NAME
  run_berth 125 pause $NAME
  assert "$output" == "Error: pause is not supported for rootless containers here: it needs a delegated cgroup v2"
  run_berth inspect --format '{{.State.Status}}' $NAME
  assert "$output" == "running"
}

@test "stats --no-stream: podman's columns, memory limit, pids, CPU time, json and templates" {
  mem=""
  is_rootless || mem="--memory 64m"
  run_berth run -d --name $NAME $mem $IMAGE sh -c 'sleep 1000 & i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; wait'
  cid=$output
  sleep 1
  run_berth stats --no-stream $NAME
  assert "${lines[0]}" =~ "^ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET IO +BLOCK IO +PIDS +CPU TIME +AVG CPU %$"
  assert "${lines[1]}" =~ "^${cid:0:12} +$NAME +[0-9.]+% +[0-9.]+[kMG]?B / [0-9.]+[kMG]B +[0-9.]+% +0B / 0B +"
  run_berth stats --no-stream --format '{{.Name}} {{.PIDS}}' $NAME
  assert "$output" == "$NAME 2" "sh and its sleep"
  if ! is_rootless; then
    run_berth stats --no-stream --format '{{.MemLimit}}' $NAME
    assert "$output" == "67108864" "the --memory limit"
  fi
  run_berth stats --no-stream --format '{{.CPUNano}}' $NAME
  assert "$output" -gt 0 "the loop used CPU time"
  run_berth stats --no-stream --format json $NAME
  assert "$(echo "$output" | jq -r '.[0].name + " " + .[0].pids')" == "$NAME 2"
  assert "$(echo "$output" | jq -r '.[0].cpu_percent')" =~ "^[0-9.]+%$"
  # -a also lists a stopped container, without numbers
  run_berth create --name ${NAME}-off $IMAGE true
  run_berth stats --no-stream -a --format '{{.Name}} {{.MemUsage}}'
  assert "$output" =~ "${NAME}-off --" "a stopped container has no numbers"
  run_berth stats --no-stream --format '{{.Name}}'
  assert "$output" == "$NAME" "without -a only the running ones"
  run_berth 125 stats --no-stream nosuch-$NAME
  assert "$output" =~ "^Error: .*nosuch-$NAME"
  run_berth 125 stats --no-stream --format '{{.Nope' $NAME
}

@test "stats streams a table per interval until interrupted" {
  run_berth run -d --name $NAME $IMAGE sleep 1000
  run timeout 3.5 "$BERTH" stats --interval 1 --format '{{.Name}}' $NAME
  assert "$status" == 124 "it streams until stopped"
  assert "$(echo "$output" | grep -c "^$NAME$")" -ge 3 "one line per second"
  run_berth 125 stats --interval 0 $NAME
}

@test "pod pause, unpause and stats act on every member and the infra" {
  run_berth pod create --name $NAME
  podid=$output
  run_berth run -d --pod $NAME --name ${NAME}-a $IMAGE sleep 1000
  run_berth run -d --pod $NAME --name ${NAME}-b $IMAGE sleep 1000
  run_berth pod stats --no-stream --format '{{.Pod}} {{.Name}} {{.PIDS}}' $NAME
  assert "$(echo "$output" | sort)" == "$(printf '%s\n' "${podid:0:12} ${NAME}-a 1" "${podid:0:12} ${NAME}-b 1" "${podid:0:12} ${podid:0:12}-infra 1" | sort)"
  run_berth pod stats --no-stream $NAME
  assert "${lines[0]}" =~ "^POD +CID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET IO +BLOCK IO +PIDS$"
  if is_rootless; then
    run_berth 125 pod pause $NAME
    assert "$output" =~ "^Error: pausing pod $NAME: pause is not supported for rootless containers"
    return
  fi
  run_berth pod pause $NAME
  assert "$output" == "$podid"
  run_berth pod ps --format '{{.Name}} {{.Status}}'
  assert "$output" == "$NAME Paused"
  run_berth ps --format '{{.Names}} {{.Status}}' --filter name=${NAME}-a
  assert "$output" == "${NAME}-a Paused"
  run_berth 125 pod pause $NAME
  run_berth pod unpause $NAME
  run_berth pod ps --format '{{.Status}}'
  assert "$output" == "Running"
  run_berth pod pause $NAME
  run_berth pod rm -f -t 0 $NAME
  run_berth ps -a -q
  assert "$output" == "" "pod rm -f removed the paused pod's containers"
}

#!/usr/bin/env bats   -*- bats -*-
#
# The container lifecycle: create/start, run -d, ps, logs, stop, kill, wait, inspect, rm.

load helpers

@test "berth run -d: prints the id once running; logs, stop, exit 137 after the timeout" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sh -c 'echo started; echo oops >&2; while true; do echo tick; sleep 0.1; done'
  assert "$output" =~ "^[0-9a-f]{64}$"
  id=$output
  run_berth ps --format '{{.ID}} {{.Names}} {{.State}}'
  assert "$output" == "${id:0:12} $n running"
  sleep 0.5
  run_berth logs $n
  assert "${lines[0]}" == "started"
  assert "$output" =~ "oops"
  assert "$output" =~ "tick"
  run_berth logs --tail 1 $n
  assert "${#lines[@]}" == 1
  run_berth logs -t $n
  assert "${lines[0]}" =~ "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z started$"
  # sh as pid 1 ignores SIGTERM: after the timeout it gets SIGKILL, as with podman
  run_berth stop -t 1 $n
  assert "$output" =~ "$n"
  run_berth inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' $n
  assert "$output" == "exited 137 false"
  run_berth ps -a --format '{{.Status}}'
  assert "$output" =~ "^Exited \(137\)"
  run_berth rm $n
}

@test "berth run -d: a command that cannot run still gives 126/127 and a message" {
  run_berth 127 run -d --rm $IMAGE /no/such/cmd
  assert "$output" =~ "/no/such/cmd"
  run_berth 126 run -d --rm $IMAGE /etc
  run_berth ps -a -q
  assert "$output" == "" "--rm removed the failed containers"
}

@test "berth stop: the stop signal reaches a handler; exit code is the program's" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sh -c 'trap "echo got-term; exit 3" TERM; while true; do sleep 0.1; done'
  sleep 0.3
  run_berth stop $n
  run_berth wait $n
  assert "$output" == "3"
  run_berth logs $n
  assert "$output" == "got-term"
  run_berth run -d --name $n-usr --stop-signal USR1 $IMAGE sh -c 'trap "exit 9" USR1; while true; do sleep 0.1; done'
  sleep 0.3
  run_berth stop $n-usr
  run_berth inspect --format '{{.State.ExitCode}} {{.Config.StopSignal}}' $n-usr
  assert "$output" == "9 USR1"
  run_berth rm $n $n-usr
}

@test "berth kill, wait, and what they do to stopped containers" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE testinit pause
  run_berth kill -s TERM $n
  run_berth kill $n
  assert "$output" == "$n"
  run_berth wait $n
  assert "$output" == "137"
  run_berth 125 kill $n
  assert "$output" =~ "can only kill running containers"
  run_berth 125 kill -s BOGUS $n
  assert "$output" =~ "invalid signal"
  run_berth stop $n
  assert "$output" == "$n" "stop of an exited container succeeds"
  run_berth 1 wait no-such-container
  run_berth rm $n
}

@test "berth create + start: start -a returns the exit code; start detaches by default" {
  n=$(safename)
  run_berth create --name $n $IMAGE sh -c 'echo hello; exit 5'
  assert "$output" =~ "^[0-9a-f]{64}$"
  run_berth ps -a --format '{{.Names}} {{.State}}'
  assert "$output" == "$n created"
  run_berth 5 start -a $n
  assert "$output" == "hello"
  run_berth start $n
  assert "$output" == "$n"
  run_berth wait $n
  assert "$output" == "5"
  run_berth logs $n
  assert "$output" == $'hello\nhello' "both runs are in the log, the attached one too"
  run_berth rm $n
  run_berth 125 start no-such-container
}

@test "berth rm -f of a running container leaves no process; rm of a running one needs -f" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE testinit pause $n
  run_berth 2 rm $n
  assert "$output" =~ "cannot remove container"
  id=$("$BERTH" inspect --format '{{.Id}}' $n)
  run_berth rm -f $n
  assert "$output" == "$n" "the name as given, as podman's"
  run pgrep -f "testinit pause $n"
  assert "$output" == ""
  run pgrep -f "__monitor $id"
  assert "$output" == "" "its monitor was done when rm returned"
  run_berth ps -a -q
  assert "$output" == ""
  # Not brought back by its restart policy; a foreground --rm one is reported removed.
  run_berth run -d --name $n --restart always $IMAGE testinit pause $n
  id=$output
  run_berth rm -f $n
  run pgrep -f "__monitor $id"
  assert "$output" == ""
  "$BERTH" run --rm --name $n $IMAGE testinit pause $n > /dev/null &
  run_berth wait --condition running $n
  run_berth rm -f $n
  assert "$output" == "$n"
  wait
  run_berth ps -a -q
  assert "$output" == ""
}

@test "berth rm -f -t N: the stop signal first, SIGKILL after N seconds; -t 0 at once; podman's set-up line works" {
  n=$(safename)
  # PID 1 with a TERM handler ends at once; PID 1 without one ignores TERM (the kernel's rule)
  run_berth run -d --name $n $IMAGE sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
  run_berth wait --condition running $n
  start=$EPOCHSECONDS
  run_berth rm -f -t 20 $n
  assert "$(( EPOCHSECONDS - start ))" -lt 10 "TERM ended it: no 20 s wait"
  run_berth run -d --name $n $IMAGE sh -c "sleep 100; : $n"
  run_berth wait --condition running $n
  start=${EPOCHREALTIME/./}
  run_berth rm -f --time 1 $n
  elapsed=$(( ${EPOCHREALTIME/./} - start ))
  assert "$elapsed" -ge 1000000 "TERM was ignored: SIGKILL after the second given"
  run pgrep -f "sleep 100; : $n"
  assert "$output" == ""
  run_berth run -d --name $n $IMAGE sleep 100
  run_berth rm -t 0 --all --force --ignore
  run_berth ps -aq
  assert "$output" == "" "podman's suite cleans up with this line before every test"
}

@test "berth: kill -9 of a monitor ends the container, and ps shows it exited" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE testinit pause $n
  mon=$(pgrep -f "__monitor $("$BERTH" inspect --format '{{.Id}}' $n)")
  [ -n "$mon" ]
  kill -9 $mon
  for i in $(seq 50); do pgrep -f "testinit pause $n" >/dev/null || break; sleep 0.1; done
  run pgrep -f "testinit pause $n"
  assert "$output" == "" "the container died with its monitor"
  run_berth ps -a --format '{{.Names}} {{.State}}'
  assert "$output" == "$n exited"
  run_berth rm $n
}

@test "berth run -d --rm: the monitor removes the container when it exits" {
  run_berth run -d --rm $IMAGE sh -c 'exit 0'
  for i in $(seq 50); do [ -z "$("$BERTH" ps -a -q)" ] && break; sleep 0.1; done
  run_berth ps -a -q
  assert "$output" == ""
  # berth stop returns once the record is gone (the monitor deletes the files after that)
  n=$(safename)
  run_berth run -d --rm --name $n $IMAGE testinit pause
  id=$output
  assert "$(pgrep -f "__monitor $id")" != "" "the monitor shows the container's id"
  run_berth stop -t 0 $n
  run_berth 1 container exists $n
  run_berth ps -a -q
  assert "$output" == ""
  assert "$(tmp_entries)" == "" "the monitor deleted the files"
  for i in $(seq 50); do [ -e "$BERTH_RUNROOT/containers/$id" ] || break; sleep 0.1; done
  [ ! -e "$BERTH_RUNROOT/containers/$id" ]
  for i in $(seq 50); do pgrep -f "__monitor $id" >/dev/null || break; sleep 0.1; done
  assert "$(pgrep -f "__monitor $id" || true)" == "" "and exited"
}

@test "berth wait on a -d --rm container: its exit code, also once it is gone (by full id)" {
  run_berth run -d --rm $IMAGE sh -c 'sleep 0.5; exit 3'
  id=$output
  run_berth wait $id
  assert "$output" == "3" "waited while it ran"
  run_berth 1 container exists $id
  run_berth wait $id
  assert "$output" == "3" "gone: the exit code of its died event"
  run_berth 1 wait ${id:0:12}
  assert "$output" =~ "no such container" "a short id of a removed container is unknown"
}

@test "berth run -d: the monitor starts while the container is created; a failed create leaves none" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE testinit pause
  run_berth 125 run -d --name $n $IMAGE testinit pause
  assert "$output" =~ "already in use"
  run_berth 125 run -d --pull=never no-such-image true
  for i in $(seq 50); do pgrep -f "__monitor -{64}" >/dev/null || break; sleep 0.1; done
  assert "$(pgrep -f "__monitor -{64}" || true)" == "" "no monitor waits for a container that never came"
  run_berth rm -f $n
}

@test "berth run -t: the container gets a terminal of its own devpts" {
  command -v script >/dev/null || skip "no script(1)"
  run script -qec "$BERTH run --rm -t $IMAGE sh -c 'tty; echo \$TERM'" /dev/null
  assert "$output" =~ "/dev/pts/0"
  assert "$output" =~ "xterm"
  run script -qec "stty rows 33 cols 77; $BERTH run --rm -t $IMAGE stty size" /dev/null
  assert "$output" =~ "33 77"
  run script -qec "$BERTH run --rm -t $IMAGE sh -c 'exit 4'" /dev/null
  assert "$status" == 4
}

@test "berth container inspect and inspect: podman's container object" {
  n=$(safename)
  run_berth run --name $n -e A=1 -l team=ops $IMAGE true
  run_berth container inspect --format '{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{.Config.Labels.team}} {{json .Config.Env}}' $n
  assert "$output" == "$n exited 0 ops [\"A=1\"]"
  run_berth inspect --format '{{.ImageName}} {{.Path}}' $n
  assert "$output" == "docker.io/library/bbtest:latest true"
  run_berth inspect --type image --format '{{.Os}}' $IMAGE
  assert "$output" == "linux"
  run_berth 125 container inspect no-such
  run_berth rm $n
}

@test "berth top: the container's processes with podman's columns" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sh -c 'sleep 100 & testinit pause'
  sleep 0.3
  run_berth top $n
  assert "${lines[0]}" =~ "^USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND$"
  assert "$output" =~ "root +1 +0 .* testinit pause"
  assert "$output" =~ "root +[0-9]+ +1 .* sleep 100"
  run_berth top $n pid,comm seccomp user
  assert "${lines[0]}" =~ "^PID +COMMAND +SECCOMP +USER$"
  assert "${lines[1]}" =~ "^1 +testinit +filter +root$"
  run_berth 125 top $n pid,bogus
  assert "$output" == "Error: unknown descriptor: bogus"
  run_berth stop -t 0 $n
  run_berth 125 top $n
  assert "$output" =~ "only be used on running containers"
  run_berth rm $n
}

@test "berth run (foreground): the output also goes to the log; binary-safe and exact" {
  n=$(safename)
  run_berth 3 run --name $n $IMAGE sh -c 'echo out; echo err >&2; exit 3'
  run_berth logs $n
  assert "$output" =~ "out"
  assert "$output" =~ "err"
  run bash -c "'$BERTH' logs $n 2>/dev/null"
  assert "$output" == "out" "stderr is logged as stderr"
  head -c 3000000 /dev/urandom > $BATS_TEST_TMPDIR/in
  "$BERTH" run -i --name $n-bin $IMAGE cat < $BATS_TEST_TMPDIR/in > $BATS_TEST_TMPDIR/out
  assert "$(sha256sum < $BATS_TEST_TMPDIR/out)" == "$(sha256sum < $BATS_TEST_TMPDIR/in)"
  # A reader that goes away: the container gets EPIPE or finishes, berth does not die of SIGPIPE
  run bash -c "'$BERTH' run --name $n-pipe $IMAGE sh -c 'i=0; while [ \$i -lt 2000 ]; do echo line \$i; i=\$((i+1)); done; echo done >&2' 2>$BATS_TEST_TMPDIR/err | head -1"
  assert "$output" == "line 0"
  assert "$(cat $BATS_TEST_TMPDIR/err)" == "done" "the container ran to its end"
  run_berth wait $n-pipe
  run_berth rm $n $n-bin $n-pipe
}

@test "berth attach: output until the container exits, its exit code; stdin and detach keys" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sh -c 'sleep 1; echo one; echo two >&2; exit 7'
  run_berth 7 attach $n
  assert "$output" =~ "one"
  assert "$output" =~ "two"
  run_berth 125 attach $n
  assert "$output" == "Error: you can only attach to running containers"
  run_berth 125 attach no-such-container
  # -i: attach's stdin reaches the container; ctrl-p ctrl-q detaches and leaves it running
  run_berth run -di --name $n-cat $IMAGE cat
  run bash -c "(printf 'hello\n'; sleep 1; printf '\x10\x11') | timeout 20 '$BERTH' attach $n-cat"
  assert "$status" == 0 "detached with the detach keys"
  assert "$output" == "hello"
  run_berth ps --filter name=$n-cat --format '{{.State}}'
  assert "$output" == "running"
  run bash -c "(printf 'x!\n'; sleep 1; printf 'q') | timeout 20 '$BERTH' attach --detach-keys q $n-cat"
  assert "$output" == "x!"
  run bash -c "printf 'not sent\n' | timeout 3 '$BERTH' attach --no-stdin --sig-proxy=false $n-cat"
  assert "$status" == 124 "--no-stdin: still attached, nothing sent; SIGTERM ends attach only"
  run_berth ps --filter name=$n-cat --format '{{.State}}'
  assert "$output" == "running"
  run_berth logs $n-cat
  assert "$output" == $'hello\nx!'
  run_berth 125 attach --detach-keys ctrl-1 $n-cat
  assert "$output" =~ "invalid detach keys"
  # signals sent to attach reach the container (--sig-proxy, the default)
  run_berth run -d --name $n-trap $IMAGE sh -c 'trap "echo got TERM; exit 9" TERM; echo ready; while true; do sleep 0.1; done'
  "$BERTH" attach $n-trap > $BATS_TEST_TMPDIR/attach.out &
  pid=$!
  sleep 1
  kill -TERM $pid
  rc=0
  wait $pid || rc=$?
  assert "$rc" == 9 "attach returns the container's exit code"
  assert "$(cat $BATS_TEST_TMPDIR/attach.out)" =~ "got TERM"
  run_berth rm -f $n $n-cat $n-trap
}

@test "berth attach -t: the terminal is relayed, resized, and the exit code returned" {
  command -v script >/dev/null || skip "no script(1)"
  n=$(safename)
  run_berth run -dit --name $n $IMAGE sh
  run bash -c "(sleep 0.5; printf 'echo \$((6*7)); stty size\n'; sleep 0.5; printf 'exit 5\n') | timeout 20 script -qec 'stty rows 33 cols 111; $BERTH attach $n' /dev/null"
  assert "$status" == 5
  assert "$output" =~ "42"
  assert "$output" =~ "33 111"
  run_berth rm $n
}

@test "berth container exists: 0 or 1, silently" {
  n=$(safename)
  run_berth 1 container exists $n
  assert "$output" == ""
  run_berth create --name $n $IMAGE true
  id=$output
  run_berth container exists $n
  run_berth container exists ${id:0:12}
  run_berth rm $n
  run_berth 1 container exists $n
}

@test "--restart: on-failure:N, always until stopped, never for exit 0 or with --rm" {
  n=$(safename)
  run_berth run -d --name $n-f --restart on-failure:2 $IMAGE sh -c 'echo run; exit 3'
  for i in $(seq 100); do [ "$("$BERTH" inspect --format '{{.RestartCount}} {{.State.Status}}' $n-f)" = "2 exited" ] && break; sleep 0.1; done
  sleep 0.5
  assert "$("$BERTH" inspect --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}' $n-f)" == "2 exited 3" "two restarts, then it stays down"
  assert "$("$BERTH" logs $n-f | grep -c run)" == "3"
  assert "$("$BERTH" inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' $n-f)" == "on-failure 2"

  run_berth run -d --name $n-ok --restart on-failure $IMAGE true
  sleep 0.5
  assert "$("$BERTH" inspect --format '{{.RestartCount}} {{.State.ExitCode}}' $n-ok)" == "0 0" "exit 0 is not a failure"

  run_berth run -d --name $n-a --restart always $IMAGE sh -c 'sleep 0.2'
  for i in $(seq 100); do [ "$("$BERTH" inspect --format '{{.RestartCount}}' $n-a)" -ge 2 ] && break; sleep 0.1; done
  assert "$("$BERTH" inspect --format '{{.RestartCount}}' $n-a)" -ge 2
  run_berth stop -t 1 $n-a
  count=$("$BERTH" inspect --format '{{.RestartCount}}' $n-a)
  sleep 1.5
  assert "$("$BERTH" inspect --format '{{.RestartCount}} {{.State.Status}}' $n-a)" == "$count exited" "stopped: not restarted"

  # At boot (contrib/systemd/berth-restart.service): the always ones start, nothing else.
  run_berth create --name $n-boot --restart always $IMAGE sleep 100
  boot_id=$output
  run_berth create --name $n-plain $IMAGE sleep 100
  run_berth ps -a --filter restart-policy=always --format '{{.Names}}'
  assert "$(echo "$output" | sort | tr '\n' ' ')" == "$n-a $n-boot "
  run_berth start --all --filter restart-policy=always --filter name=$n-boot
  assert "$output" == "$boot_id" "start --all prints IDs, as podman's"
  assert "$("$BERTH" inspect --format '{{.State.Status}}' $n-boot)" == "running"
  assert "$("$BERTH" inspect --format '{{.State.Status}}' $n-plain)" == "created"
  run_berth rm -f $n-f $n-ok $n-a $n-boot $n-plain

  # Between two runs (the back-off grows to seconds): "Restarting", start refused, stop and
  # rm -f end the wait and the monitor.
  run_berth run -d --name $n-r --restart always $IMAGE sh -c 'exit 3'
  id=$output
  for i in $(seq 100); do [ "$("$BERTH" inspect --format '{{.State.Restarting}} {{.RestartCount}}' $n-r)" = "true 4" ] && break; sleep 0.1; done
  assert "$("$BERTH" inspect --format '{{.State.Restarting}} {{.State.Status}}' $n-r)" == "true exited"
  assert "$("$BERTH" ps -a --filter name=$n-r --format '{{.Status}}')" =~ "^Restarting \(3\) "
  run_berth 125 start $n-r
  assert "$output" =~ "is restarting"
  run_berth stop $n-r
  assert "$("$BERTH" inspect --format '{{.State.Restarting}}' $n-r)" == "false"
  assert "$(pgrep -f "__monitor $id" || true)" == "" "stop ended the monitor's wait"
  run_berth start $n-r
  for i in $(seq 100); do [ "$("$BERTH" inspect --format '{{.State.Restarting}}' $n-r)" = "true" ] && break; sleep 0.05; done
  run_berth rm -f $n-r
  assert "$(pgrep -f "__monitor $id" || true)" == "" "rm -f too"

  run_berth 125 run --rm --restart always $IMAGE true
  assert "$output" =~ "the --rm option conflicts with --restart"
  run_berth 125 run -d --restart sometimes $IMAGE true
  assert "$output" =~ "invalid restart policy"
  run_berth 125 run -d --restart always:3 $IMAGE true
  run_berth 125 start --all $n-x
  assert "$output" == "Error: either start all containers or the container(s) provided in the arguments"
  # --filter with names: only those that match; the name printed as given.
  run_berth create --name $n-f1 $IMAGE true
  run_berth start --filter restart-policy=always $n-f1
  assert "$output" == ""
  run_berth start --filter restart-policy=none $n-f1
  assert "$output" == "$n-f1"
  run_berth 125 start --filter restart-policy=fakepolicy $n-f1
  assert "$output" == "Error: fakepolicy invalid restart policy"
  run_berth rm -f $n-f1
  run_berth 125 ps --filter restart-policy=maybe
}

@test "ps: COMMAND shortened to 17 characters and ... unless --no-trunc, as podman's" {
  n=$(safename)
  run_berth create --name $n $IMAGE sh -c 'echo a long command line; sleep 1'
  run_berth ps -a --filter name=$n --format '{{.Command}}'
  assert "$output" == "sh -c echo a long..."
  run_berth ps -a --no-trunc --filter name=$n --format '{{.Command}}'
  assert "$output" == "sh -c echo a long command line; sleep 1"
  run_berth rm $n
}

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
  assert "$output" == "hello"
  run_berth rm $n
  run_berth 125 start no-such-container
}

@test "berth rm -f of a running container leaves no process; rm of a running one needs -f" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE testinit pause $n
  run_berth 2 rm $n
  assert "$output" =~ "cannot remove container"
  run_berth rm -f $n
  run pgrep -f "testinit pause $n"
  assert "$output" == ""
  run_berth ps -a -q
  assert "$output" == ""
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
  run_berth stop -t 0 $n
  run_berth 125 top $n
  assert "$output" =~ "only be used on running containers"
  run_berth rm $n
}

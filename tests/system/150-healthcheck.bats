#!/usr/bin/env bats   -*- bats -*-
#
# Health checks: --health-* flags, the image's HEALTHCHECK, `healthcheck run`, the state in ps,
# inspect, events and wait, the checks the monitor (or a foreground berth) runs on its timer,
# and --health-on-failure.

load helpers

setup() {
  CNAME=$(safename)
}

teardown() {
  "$BERTH" rm -f $CNAME $CNAME-2 >/dev/null 2>&1 || true
  "$BERTH" rmi -f $CNAME-img >/dev/null 2>&1 || true
}

health() { "$BERTH" inspect --format "{{.State.Health.$1}}" $CNAME; }
# The last log entry's field, through python (the template language has no negative index).
last_log() {
  "$BERTH" inspect --format '{{json .State.Health.Log}}' $CNAME |
    python3 -c "import json,sys; print(json.load(sys.stdin)[-1]['$1'])"
}

@test "healthcheck run: starting, failures counted up to --health-retries, then healthy; ps, inspect, events" {
  # No timer: every check here is one this test runs.
  run_berth run -d --name $CNAME --health-cmd 'echo out-$((1+1)); echo err >&2; test -e /tmp/ok' \
    --health-interval disable --health-retries 2 $IMAGE sleep 1000
  assert "$("$BERTH" ps --format '{{.Names}} {{.Status}}' --filter name=$CNAME)" =~ "^$CNAME Up .* \(starting\)$"
  assert "$(health Status)" == "starting"
  run_berth 1 healthcheck run $CNAME
  assert "$output" == "starting" "one failure of two allowed: still starting"
  assert "$(health FailingStreak)" == "1"
  assert "$(last_log ExitCode)" == "1"
  assert "$(last_log Output)" == "$(printf 'out-2\nerr')" "stdout and stderr of the check, last newline dropped"
  run_berth 1 healthcheck run $CNAME
  assert "$output" == "unhealthy"
  assert "$("$BERTH" ps --format '{{.Names}} {{.Status}}' --filter health=unhealthy)" =~ "^$CNAME Up .* \(unhealthy\)$"
  run_berth 0 healthcheck run --ignore-result $CNAME
  assert "$output" == "unhealthy" "--ignore-result: exit 0, same report"
  run_berth exec $CNAME touch /tmp/ok
  run_berth 0 healthcheck run $CNAME
  assert "$output" == "" "a passing check prints nothing"
  assert "$(health Status)" == "healthy"
  assert "$(health FailingStreak)" == "0"
  assert "$("$BERTH" inspect --format '{{.State.Healthcheck.Status}}' $CNAME)" == "healthy" "podman's name for it too"
  assert "$("$BERTH" ps -q --filter health=healthy --no-trunc)" == "$("$BERTH" inspect --format '{{.Id}}' $CNAME)"
  assert "$("$BERTH" ps -q --filter health=unhealthy)" == ""
  assert "$("$BERTH" inspect --format '{{.Config.Healthcheck.Retries}} {{.Config.Healthcheck.Interval}} {{.Config.HealthcheckOnFailureAction}}' $CNAME)" \
    == "2 0 none"
  run_berth events --stream=false --filter container=$CNAME --filter event=health_status --format '{{.HealthStatus}}'
  assert "$(echo $output)" == "starting unhealthy unhealthy healthy"
  run_berth events --stream=false --filter container=$CNAME --filter event=health_status
  assert "${lines[-1]}" =~ " container health_status [0-9a-f]{64} \(image=.*, name=$CNAME, health_status=healthy\)$"
}

@test "the monitor runs the checks on its timer; wait --condition healthy|unhealthy; no process left behind" {
  run_berth run -d --name $CNAME --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 1 \
    $IMAGE sh -c 'sleep 1; touch /tmp/ok; exec sleep 1000'
  run_berth wait --condition healthy $CNAME
  assert "$(health Status)" == "healthy"
  run_berth exec $CNAME rm /tmp/ok
  run_berth wait --condition unhealthy $CNAME
  assert "$(last_log ExitCode)" == "1"
  n=$("$BERTH" inspect --format '{{len .State.Health.Log}}' $CNAME)
  sleep 2.2
  assert "$("$BERTH" inspect --format '{{len .State.Health.Log}}' $CNAME)" -gt "$n" "still checking, once a second"
  # The checks are children of the monitor: none may linger as zombies.
  id=$("$BERTH" inspect --format '{{.Id}}' $CNAME)
  mon=$(pgrep -f "__monitor $id")
  assert "$(ps -o stat= --ppid $mon | grep -c Z || true)" == "0" "no zombie checks under the monitor"
  run_berth rm -f $CNAME
  sleep 0.3
  assert "$(pgrep -f "healthcheck run $id" || true)" == "" "no check outlives its container"
}

@test "a foreground container's berth runs its checks too; a restart starts over as starting" {
  "$BERTH" run --name $CNAME --health-cmd 'test -e /tmp/ok' --health-interval 1s \
    $IMAGE sh -c 'touch /tmp/ok; exec sleep 1000' >/dev/null 2>&1 &
  # the background berth may not have recorded it yet (a loaded machine)
  for i in $(seq 100); do "$BERTH" container exists $CNAME && break; sleep 0.1; done
  run_berth wait --condition healthy $CNAME
  run_berth stop -t 0 $CNAME
  wait
  run_berth start $CNAME
  assert "$(health Status)" =~ "^(starting|healthy)$" "the old result went with the old run"
  run_berth wait --condition healthy $CNAME
}

@test "--health-start-period: failures while starting do not count; --health-timeout kills a slow check" {
  run_berth run -d --name $CNAME --health-cmd false --health-interval disable --health-retries 1 \
    --health-start-period 1m $IMAGE sleep 1000
  run_berth 1 healthcheck run $CNAME
  assert "$output" == "starting"
  run_berth 1 healthcheck run $CNAME
  assert "$(health Status)" == "starting"
  assert "$(health FailingStreak)" == "0" "within the start period nothing counts"
  run_berth run -d --name $CNAME-2 --health-cmd 'sleep 29.71' --health-timeout 1s --health-interval disable $IMAGE sleep 1000
  SECONDS=0
  run_berth 1 healthcheck run $CNAME-2
  assert "$SECONDS" -le 5 "the check was killed after its timeout, not after 30 s"
  out=$("$BERTH" inspect --format '{{json .State.Health.Log}}' $CNAME-2)
  assert "$out" =~ '"ExitCode":-1' "a timed-out check reports -1"
  assert "$out" =~ "exceeded timeout of 1s"
  assert "$(pgrep -fx 'sleep 29.71' || true)" == "" "the slow check is gone"
}

@test "--health-max-log-count and --health-max-log-size bound what is kept" {
  run_berth run -d --name $CNAME --health-cmd 'echo 0123456789' --health-interval disable \
    --health-max-log-count 2 --health-max-log-size 4 $IMAGE sleep 1000
  for i in 1 2 3 4; do run_berth healthcheck run $CNAME; done
  assert "$("$BERTH" inspect --format '{{len .State.Health.Log}}' $CNAME)" == "2"
  assert "$(last_log Output)" == "0123"
}

@test "--health-on-failure kill, stop, restart and none" {
  for policy in none kill stop restart; do
    # Its command removes the mark, so a restarted container is healthy again.
    run_berth run -d --name $CNAME --health-cmd 'test ! -e /tmp/bad' --health-interval disable \
      --health-retries 1 --health-on-failure $policy $IMAGE \
      sh -c 'trap "exit 0" TERM; rm -f /tmp/bad; while :; do sleep 0.1; done'
    run_berth healthcheck run $CNAME
    run_berth exec $CNAME touch /tmp/bad
    run_berth 1 healthcheck run $CNAME
    assert "$output" == "unhealthy"
    state=$("$BERTH" inspect --format '{{.State.Status}} {{.Config.HealthcheckOnFailureAction}}' $CNAME)
    case $policy in
      none)
        assert "$state" == "running none"
        run_berth 1 healthcheck run $CNAME ;;
      restart)
        assert "$state" == "running restart" "restarted by its monitor before healthcheck run returned"
        assert "$("$BERTH" inspect --format '{{.RestartCount}}' $CNAME)" == "1"
        run_berth healthcheck run $CNAME ;;
      *)
        assert "$state" == "exited $policy" ;;
    esac
    run_berth rm -f $CNAME
  done
}

@test "the image's HEALTHCHECK (commit --change), overridden by flags, disabled by --no-healthcheck or none" {
  run_berth create --name $CNAME-2 $IMAGE
  run_berth commit -q --change 'HEALTHCHECK --interval=5m --retries=4 --start-period=2s CMD test -d /etc' $CNAME-2 $CNAME-img
  assert "$("$BERTH" image inspect --format '{{json .Config.Healthcheck}}' $CNAME-img)" == \
    '{"Interval":300000000000,"Retries":4,"StartPeriod":2000000000,"Test":["CMD-SHELL","test -d /etc"]}'
  run_berth run -d --name $CNAME --health-retries 7 $CNAME-img sleep 1000
  assert "$("$BERTH" inspect --format '{{.Config.Healthcheck.Retries}} {{.Config.Healthcheck.Interval}} {{.Config.Healthcheck.Timeout}}' $CNAME)" \
    == "7 300000000000 30000000000" "the flag replaces the image's value; the rest comes from the image or the default"
  run_berth wait --condition healthy $CNAME
  run_berth rm -f $CNAME
  run_berth run -d --name $CNAME --no-healthcheck $CNAME-img sleep 1000
  assert "$("$BERTH" inspect --format '{{json .Config.Healthcheck}}' $CNAME)" == "null"
  run_berth 125 healthcheck run $CNAME
  assert "$output" == "Error: container $CNAME has no defined healthcheck"
  run_berth rm -f $CNAME
  run_berth run -d --name $CNAME --health-cmd none $CNAME-img sleep 1000
  assert "$("$BERTH" ps --format '{{.Status}}' --filter name=$CNAME)" !~ "\(" "no health in its status"
  assert "$("$BERTH" ps -q --filter health=none --filter name=$CNAME)" != ""
  run_berth rm -f $CNAME
  # Exec form: ["CMD", ...] runs without a shell.
  run_berth run -d --name $CNAME --health-cmd '["test", "-d", "/etc"]' --health-interval disable $IMAGE sleep 1000
  assert "$("$BERTH" inspect --format '{{json .Config.Healthcheck.Test}}' $CNAME)" == '["CMD","test","-d","/etc"]'
  run_berth healthcheck run $CNAME
  run_berth 125 commit -q --change 'HEALTHCHECK --bogus=1 CMD true' $CNAME-2 $CNAME-bad
  assert "$output" =~ "unknown option --bogus"
  run_berth 125 commit -q --change 'HEALTHCHECK --interval=5m' $CNAME-2 $CNAME-bad
  assert "$output" =~ "expected CMD or NONE"
  run_berth 1 image exists $CNAME-bad
}

@test "health flags: bad values are refused before anything is created" {
  before=$(store_snapshot)
  run_berth 125 run --rm --health-on-failure=kill $IMAGE true
  assert "$output" == "Error: cannot set on-failure action to kill without a health check"
  run_berth 125 run --rm --health-on-failure=bogus --health-cmd true $IMAGE true
  assert "$output" =~ "invalid --health-on-failure \"bogus\""
  run_berth 125 run --rm --health-cmd true --health-interval 500ms $IMAGE true
  assert "$output" =~ "must be at least 1 second"
  run_berth 125 run --rm --health-cmd true --health-interval soon $IMAGE true
  assert "$output" =~ "invalid --health-interval \"soon\""
  run_berth 125 run --rm --health-cmd true --health-timeout 0s $IMAGE true
  assert "$output" =~ "invalid --health-timeout"
  run_berth 125 run --rm --health-cmd true --health-start-period -1s $IMAGE true
  assert "$output" =~ "invalid --health-start-period"
  run_berth 125 run --rm --health-cmd true --health-retries 0 $IMAGE true
  assert "$output" =~ "must be greater than 0"
  run_berth 125 run --rm --health-cmd '' $IMAGE true
  assert "$output" =~ "non-empty command"
  run_berth 125 run --rm --health-cmd '["a", 1]' $IMAGE true
  assert "$output" =~ "not a JSON array of strings"
  run_berth 125 run --rm --health-cmd true --health-max-log-count -1 $IMAGE true
  run_berth 125 run --rm --sdnotify=healthy $IMAGE true
  assert "$output" =~ "--sdnotify=healthy needs a health check"
  assert "$(store_snapshot)" == "$before" "nothing was created"
  run_berth 125 healthcheck run no-such-container
  assert "$output" =~ "no such container"
  run_berth create --name $CNAME --health-cmd true $IMAGE true
  run_berth 125 healthcheck run $CNAME
  assert "$output" == "Error: container $CNAME is not running"
  run_berth 125 healthcheck
}

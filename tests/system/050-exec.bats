#!/usr/bin/env bats   -*- bats -*-
#
# exec: a process joins a running container's namespaces with the same confinement.

load helpers

setup() {
  CNAME=$(safename)
  run_berth run -d --name $CNAME $IMAGE testinit pause
}

teardown() {
  "$BERTH" rm -f $CNAME >/dev/null 2>&1 || true
}

@test "berth exec: the container's namespaces, capabilities and seccomp" {
  run_berth exec $CNAME testinit hostname
  assert "$output" == "$("$BERTH" inspect --format '{{.Id}}' $CNAME | cut -c1-12)"
  run_berth exec $CNAME testinit caps
  assert "$output" == "00000000800405fb"
  run_berth exec $CNAME testinit seccomp
  assert "$output" == "2"
  run_berth exec $CNAME sh -c 'cat /proc/1/cmdline | tr "\0" " "'
  assert "$output" == "testinit pause "
  run_berth exec $CNAME testinit fds
  assert "$output" == $'0\n1\n2'
  run_berth exec $CNAME testinit syscall unshare
  assert "$output" == "Operation not permitted"
  # berth itself is outside the container's pid namespace: no /proc entry leads to its binary
  run_berth exec $CNAME sh -c 'for p in /proc/[0-9]*; do readlink $p/exe; done'
  assert "$output" !~ "berth"
}

@test "berth exec: -u, -w, -e and exit codes 0 / N / 126 / 127 / 125 (a missing workdir is 127, as podman)" {
  run_berth exec -u u -w /tmp -e X=1 $CNAME sh -c 'echo $(id -u) $(pwd) $X'
  assert "$output" == "1000 /tmp 1"
  run_berth 7 exec $CNAME sh -c 'exit 7'
  run_berth 127 exec $CNAME /no/such/cmd
  run_berth 126 exec $CNAME /etc
  run_berth 125 exec $CNAME
  run_berth 125 exec no-such-container true
  run_berth 127 exec -w /no/such/dir $CNAME true
  assert "$output" =~ "workdir /no/such/dir: No such file or directory"
  run_berth stop -t 0 $CNAME
  run_berth 125 exec $CNAME true
  assert "$output" =~ "can only create exec sessions on running containers"
}

@test "berth exec -i pipes stdin; -t gives a terminal; -d runs in the background" {
  run bash -c "echo via-stdin | $BERTH exec -i $CNAME testinit cat"
  assert "$output" == "via-stdin"
  if command -v script >/dev/null; then
    run script -qec "$BERTH exec -t $CNAME sh -c 'tty'" /dev/null
    assert "$output" =~ "/dev/pts/"
  fi
  run_berth exec -d $CNAME sh -c 'echo background > /tmp/bg'
  for i in $(seq 30); do "$BERTH" exec $CNAME test -e /tmp/bg && break; sleep 0.1; done
  run_berth exec $CNAME cat /tmp/bg
  assert "$output" == "background"
}

@test "security: CVE-2019-5736, the container never reaches berth's binary through /proc/self/exe" {
  # A copy of berth, so that a failed protection damages only the copy.
  victim=$BATS_TEST_TMPDIR/berth-victim
  cp "$(command -v "$BERTH")" $victim
  chmod 755 $BATS_TEST_TMPDIR $victim
  sum=$(sha256sum < $victim)
  # Executing /proc/self/exe (directly, or as a script's interpreter) reaches only the sealed
  # helper that starts every container command, never berth.
  run_berth exec $CNAME sh -c 'printf "#!/proc/self/exe\n" > /evil; chmod +x /evil'
  for cmd in /proc/self/exe /evil; do
    run -127 timeout 30 $victim exec $CNAME $cmd version
    assert "$status" -ne 0 "$cmd did not run berth"
    assert "$output" !~ "berth version" "$cmd did not run berth"
    assert "$output" =~ "berth-exec: berth's helper" "$cmd reached the sealed helper"
  done
  run -127 timeout 30 $victim run --rm $IMAGE /proc/self/exe version
  assert "$output" =~ "berth-exec: berth's helper"
  # An attacker in the container grabs every /proc/PID/exe it can while berth execs into the
  # container, then tries to write them: nothing it reached may be written.
  "$BERTH" exec -d $CNAME sh -c 'testinit exe-race 4 > /race.out'
  for i in $(seq 1 40); do $victim exec $CNAME /evil >/dev/null 2>&1 || true; $victim exec $CNAME true; done
  sleep 4
  run_berth exec $CNAME sh -c 'sleep 2; cat /race.out'
  assert "$output" =~ "seen " "the attacker reached the processes berth started"
  assert "$output" !~ "WROTE" "no binary reached from the container could be written"
  assert "$(sha256sum < $victim)" == "$sum" "berth's binary is unchanged"
}

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

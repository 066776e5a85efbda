#!/usr/bin/env bats   -*- bats -*-
#
# The foreground run path and its isolation defaults (the full lifecycle comes with issue 3).

load helpers

@test "berth run: image config and flags combine as docker and podman do" {
  run_berth run --rm $IMAGE sh -c 'echo $PATH; echo $HOME; pwd; id -u'
  assert "${lines[0]}" == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  assert "${lines[1]}" == "/root"
  assert "${lines[2]}" == "/"
  assert "${lines[3]}" == "0"
  run_berth run --rm -e FOO=bar -w /var/data $IMAGE sh -c 'echo $FOO; pwd'
  assert "$output" == $'bar\n/var/data'
  run_berth run --rm --entrypoint testinit $IMAGE echo via entrypoint
  assert "$output" == "via entrypoint"
  run_berth run --rm -u u $IMAGE sh -c 'id -u; id -g; id -G'
  assert "${lines[0]}" == "1000"
  assert "${lines[2]}" =~ "1234" "supplementary group from the image's /etc/group"
  run_berth run --rm -u 1000:1234 $IMAGE sh -c 'id -u; id -g'
  assert "$output" == $'1000\n1234'
  run_berth 125 run --rm -u nosuchuser $IMAGE true
  assert "$output" =~ "unable to find user nosuchuser"
  run_berth run --rm --hostname myhost $IMAGE hostname
  assert "$output" == "myhost"
}

@test "berth run: stdin is /dev/null unless -i" {
  run bash -c "echo piped | $BERTH run --rm -i $IMAGE testinit cat"
  assert "$output" == "piped"
  run bash -c "echo piped | $BERTH run --rm $IMAGE testinit cat"
  assert "$output" == ""
}

@test "berth run --rm leaves no container; without --rm ps -a shows it exited" {
  n=$(safename)
  run_berth run --rm $IMAGE true
  run_berth ps -a -q
  assert "$output" == ""
  assert "$(ls -A $BERTH_ROOT/containers)" == "" "out of the store when berth returns"
  assert "$(tmp_entries)" == "" "its files, deleted after berth returned, are gone too"
  # --rm: the upper dir need not survive a crash, so overlay does not sync it (podman's volatile).
  run_berth run --rm $IMAGE grep ' / ' /proc/mounts
  assert "$output" =~ "volatile" "--rm: a volatile overlay"
  run_berth run --name $n $IMAGE grep ' / ' /proc/mounts
  assert "$output" !~ "volatile" "without --rm the container's changes are synced"
  run_berth rm $n
  # The output of a --rm run reaches a pipe and ends with berth (no deleter holds the pipe).
  assert "$(timeout 10 "$BERTH" run --rm $IMAGE echo through-a-pipe | cat)" == "through-a-pipe"
  run_berth 3 run --name $n $IMAGE sh -c 'exit 3'
  run_berth ps -a --format '{{.Names}} {{.Status}}'
  assert "$output" =~ "^$n Exited \(3\) "
  run_berth 125 run --name $n $IMAGE true
  assert "$output" =~ "already in use"
  run_berth rm $n
  run_berth 1 rm $n
  assert "$output" =~ "no such container"
}

@test "berth run: volumes, read-only root, bad volume sources" {
  d=$BATS_TEST_TMPDIR/vol
  mkdir -p $d && echo host > $d/f
  run_berth run --rm -v $d:/mnt/v $IMAGE sh -c 'cat /mnt/v/f; echo ctr > /mnt/v/g'
  assert "$output" == "host"
  assert "$(cat $d/g)" == "ctr"
  run_berth 1 run --rm -v $d:/mnt/v:ro $IMAGE sh -c 'echo x > /mnt/v/h'
  run_berth 1 run --rm --read-only $IMAGE touch /newfile
  run_berth 125 run --rm -v /no/such/dir:/mnt $IMAGE true
  assert "$output" =~ "no such file or directory"
  run_berth 125 run --rm -v ./relative:/mnt $IMAGE true
  assert "$output" =~ "a host directory must be an absolute path" "a relative path is neither a volume name nor a host path"
}

@test "security: CapEff is podman's default set; Seccomp 2; NoNewPrivs only when asked" {
  run_berth run --rm $IMAGE testinit caps
  assert "$output" == "00000000800405fb"
  run_berth run --rm $IMAGE testinit seccomp
  assert "$output" == "2"
  run_berth run --rm $IMAGE testinit nnp
  assert "$output" == "0"
  run_berth run --rm --security-opt no-new-privileges $IMAGE testinit nnp
  assert "$output" == "1"
  run_berth run --rm --cap-drop all --cap-add net_raw $IMAGE testinit caps
  assert "$output" == "0000000000002000"
  run_berth run --rm --security-opt seccomp=unconfined $IMAGE testinit seccomp
  assert "$output" == "0"
  run_berth run --rm -u u $IMAGE grep CapInh /proc/self/status
  assert "$output" =~ "0000000000000000"
  run_berth 125 run --rm --cap-add bogus $IMAGE true
  assert "$output" =~ "unknown capability"
}

@test "security: mount, unshare, keyctl, kexec and module loading fail" {
  for s in mount unshare keyctl kexec init_module; do
    run_berth run --rm $IMAGE testinit syscall $s
    assert "$output" == "Operation not permitted" "$s is refused"
  done
}

@test "security: the compiled default seccomp filter is cached in RUNROOT; a foreign or damaged cache is replaced" {
  cache=$BERTH_RUNROOT/seccomp-default.bpf
  rm -f $cache
  run_berth run --rm $IMAGE true
  [ -f $cache ]
  assert "$(head -n 1 $cache)" =~ "^berth-seccomp-v1 [0-9]+ [0-9]+ [0-9.]+$" "keyed by the binary that wrote it"
  good=$(od -An -tx1 $cache | tr -d ' \n')
  check() {
    run_berth run --rm $IMAGE sh -c 'grep ^Seccomp: /proc/self/status; testinit syscall unshare'
    assert "$output" =~ "Seccomp:.2"$'\n'"Operation not permitted" "$1: the default filter applies"
    assert "$(od -An -tx1 $cache | tr -d ' \n')" == "$good" "$1: the cache is the compiled filter again"
  }
  # another binary's filter (an allow-everything one would pass if it were read)
  { echo "berth-seccomp-v1 1 2 3.4"; printf '\x06\x00\x00\x00\x00\x00\xff\x7f'; } > $cache
  check "another binary's cache"
  # this binary's key, but a truncated program
  { head -n 1 $cache; printf '\x06\x00\x00'; } > $cache.tmp && mv $cache.tmp $cache
  check "a damaged cache"
  ln -sf /dev/null $cache
  check "a symlink"
}

@test "security: host processes hidden, masked and read-only /proc paths, only fds 0-2" {
  run_berth run --rm $IMAGE sh -c 'set -- /proc/[0-9]*; echo $# $1'
  assert "$output" == "1 /proc/1" "only the container's own process, as pid 1"
  run_berth run --rm $IMAGE sh -c 'for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f $(cat $f | wc -c)"; done; ls /sys/firmware | wc -l'
  assert "$output" =~ "/proc/keys 0" "/proc/keys is masked"
  assert "$output" !~ "/proc/[a-z_]+ [1-9]" "every masked file reads empty"
  assert "${lines[-1]}" == "0" "/sys/firmware is masked"
  run_berth 1 run --rm $IMAGE sh -c 'echo 1 > /proc/sys/kernel/domainname'
  run_berth run --rm $IMAGE testinit fds
  assert "$output" == $'0\n1\n2'
}

@test "security: a symlink in a volume path cannot make a bind mount land outside the container" {
  n=$(safename)
  hostdir=$BATS_TEST_TMPDIR/hostdir
  vol=$BATS_TEST_TMPDIR/vol
  mkdir -p $hostdir $vol
  echo from-volume > $vol/f
  # The image has /mnt/v -> <absolute path of hostdir>, and that path also inside the image.
  w=$BATS_TEST_TMPDIR/img
  mkdir -p $w/mnt $w/${hostdir#/}
  ln -s $hostdir $w/mnt/v
  cp "$BERTH_TEST_IMAGES/rootfs.tar" $BATS_TEST_TMPDIR/evil.tar
  tar -C $w -rf $BATS_TEST_TMPDIR/evil.tar mnt ${hostdir#/}
  run_berth import "$BATS_TEST_TMPDIR/evil.tar" $n
  run_berth run --rm -v $vol:/mnt/v $n sh -c "cat /mnt/v/f; cat $hostdir/f; touch /mnt/v/written"
  assert "$output" == $'from-volume\nfrom-volume' "the mount landed inside the container's root"
  assert "$(ls -A $hostdir)" == "" "nothing reached the host directory"
  assert "$(ls $vol)" == $'f\nwritten'
  run_berth rmi $n
}

@test "security: --security-opt seccomp=PROFILE.json in Docker's format" {
  p=$BATS_TEST_TMPDIR/profile.json
  cat > $p <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
   {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
   {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
   {"names": ["no_such_syscall_anywhere"], "action": "SCMP_ACT_ERRNO"}]}
JSON
  run_berth 1 run --rm --security-opt seccomp=$p $IMAGE mkdir /x
  assert "$output" =~ "Permission denied" "errnoRet 13 is EACCES"
  run_berth run --rm --security-opt seccomp=$p $IMAGE sh -c 'chmod 600 /etc/hosts && echo allowed; testinit seccomp'
  assert "$output" == $'allowed\n2' "a rule for CAP_SYS_ADMIN holders does not apply"
  # a profile that denies execveat (older profiles do): the command still starts
  echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execveat"], "action": "SCMP_ACT_ERRNO"}]}' > $BATS_TEST_TMPDIR/noexecveat.json
  run_berth run --rm --security-opt seccomp=$BATS_TEST_TMPDIR/noexecveat.json $IMAGE testinit echo started
  assert "$output" == "started"
  echo '{not json' > $BATS_TEST_TMPDIR/bad.json
  run_berth 125 run --rm --security-opt seccomp=$BATS_TEST_TMPDIR/bad.json $IMAGE true
  assert "$output" =~ "not valid JSON"
  echo '{"defaultAction": "SCMP_ACT_NOPE"}' > $BATS_TEST_TMPDIR/bad2.json
  run_berth 125 run --rm --security-opt seccomp=$BATS_TEST_TMPDIR/bad2.json $IMAGE true
  assert "$output" =~ "unknown action"
  run_berth 125 run --rm --security-opt seccomp=/no/such/profile.json $IMAGE true
  run_berth ps -a -q
  assert "$output" == ""
}

@test "berth run: a private network namespace with a working loopback" {
  run_berth run --rm $IMAGE sh -c 'ip -o link | cut -d: -f2 | tr -d " "'
  assert "$output" == "lo" "only the loopback interface"
  run_berth run --rm $IMAGE sh -c 'nc -l -p 8080 -e echo hi-over-lo & sleep 0.3; nc 127.0.0.1 8080'
  assert "$output" == "hi-over-lo"
  run_berth run --rm --network none $IMAGE sh -c 'ip link show lo | grep -c UP'
  assert "$output" == "1"
}

@test "security: --privileged and --security-opt mask=/unmask= turn the defaults off explicitly" {
  run_berth run --rm --privileged $IMAGE sh -c 'testinit seccomp; grep CapEff /proc/self/status'
  assert "${lines[0]}" == "0" "no seccomp filter"
  assert "${lines[1]}" !~ "00000000800405fb" "more than the default capabilities"
  run_berth run --rm --privileged $IMAGE sh -c 'cat /proc/keys >/dev/null 2>&1; ls /sys/firmware | wc -l'
  run_berth run --rm --security-opt unmask=/proc/keys $IMAGE sh -c 'grep -c " /proc/keys " /proc/mounts || true'
  assert "$output" == "0" "/proc/keys is no longer masked"
  run_berth run --rm --security-opt mask=/etc/hostname $IMAGE cat /etc/hostname
  assert "$output" == "" "an extra masked path reads empty"
  run_berth run --rm --security-opt unmask=ALL $IMAGE sh -c 'grep -cE " /proc/(keys|sys) " /proc/mounts || true'
  assert "$output" == "0"
  run_berth 125 run --rm --security-opt bogus=1 $IMAGE true
  assert "$output" =~ "invalid --security-opt"
}

@test "run: /run/.containerenv, as podman's (empty; filled with --privileged), not a change of the container" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'test -f /run/.containerenv && wc -c < /run/.containerenv'
  assert "$output" == "0" "present and empty"
  run_berth diff $n
  assert "$output" == "" "the mountpoint is no change of the container"
  run_berth rm $n
  run_berth run --rm --privileged --name $n $IMAGE cat /run/.containerenv
  assert "$output" =~ "name=\"$n\"" "--privileged: the container's name"
  assert "$output" =~ 'engine="berth-' "and the engine"
}

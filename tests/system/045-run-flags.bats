#!/usr/bin/env bats   -*- bats -*-
#
# run/create flags scripts use: env files, tmpfs and mounts, groups, cidfile, replace; ps
# filters; rename, restart, container prune.

load helpers

@test "berth run --env-file, --env-host and -e: later wins" {
  f=$BATS_TEST_TMPDIR/env
  printf 'A=from-file\n# a comment\n\nB=two words\nHOSTVAL\n' > $f
  HOSTVAL=hv FOO=host-foo run_berth run --rm --env-host --env-file $f -e A=from-flag $IMAGE sh -c 'echo "$A|$B|$FOO|$HOSTVAL"'
  assert "$output" == "from-flag|two words|host-foo|hv"
  run_berth 125 run --rm --env-file /no/such/file $IMAGE true
  assert "$output" =~ "/no/such/file"
}

@test "berth run --tmpfs and --mount: tmpfs and bind mounts" {
  d=$BATS_TEST_TMPDIR/m
  mkdir -p $d && echo bound > $d/f
  run_berth run --rm --tmpfs /scratch:size=1m,mode=1777 --mount type=tmpfs,target=/t2 \
      --mount type=bind,source=$d,target=/b,ro $IMAGE sh -c 'grep -E " /(scratch|t2|b) " /proc/mounts | cut -d" " -f2,3; cat /b/f'
  assert "$output" =~ "/scratch tmpfs"
  assert "$output" =~ "/t2 tmpfs"
  assert "$output" =~ "bound"
  run_berth 1 run --rm --mount type=bind,source=$d,target=/b,ro $IMAGE touch /b/x
  run_berth 125 run --rm --mount type=nfs,target=/x $IMAGE true
  assert "$output" =~ "type must be bind, volume or tmpfs"
  run_berth 125 run --rm --tmpfs relative $IMAGE true
  run_berth 125 run --rm --tmpfs /x:bogus-option $IMAGE true
}

@test "berth run --group-add: names from the image's /etc/group, and numbers" {
  run_berth run --rm -u u --group-add g --group-add 4242 $IMAGE id -G
  assert "$output" == "1000 1234 4242"
  run_berth 125 run --rm --group-add nosuchgroup $IMAGE true
  assert "$output" =~ "unable to find group nosuchgroup"
}

@test "berth run --cidfile: written once, an existing file is refused; --replace" {
  n=$(safename)
  cid=$BATS_TEST_TMPDIR/cid
  run_berth run --cidfile $cid --name $n $IMAGE true
  assert "$(cat $cid)" =~ "^[0-9a-f]{64}$"
  run_berth 125 run --rm --cidfile $cid $IMAGE true
  assert "$output" =~ "container id file exists"
  run_berth 125 run --rm --cidfile /no/such/dir/cid $IMAGE true
  run_berth ps -a -q --no-trunc
  assert "$output" == "$(cat $cid)" "no container left by the refused runs"
  run_berth 125 run --name $n $IMAGE true
  run_berth run --replace --name $n $IMAGE echo replaced
  assert "$output" == "replaced"
  run_berth ps -a -q --no-trunc
  assert "$output" != "$(cat $cid)" "the old container was replaced"
  run_berth rm $n
}

@test "berth ps --filter: status, name, id, label, ancestor, exited; --size" {
  n=$(safename)
  run_berth run --name $n-a -l tier=web $IMAGE true
  run_berth 3 run --name $n-b $IMAGE sh -c 'exit 3'
  run_berth run -d --name $n-c $IMAGE testinit pause
  run_berth ps --format '{{.Names}}'
  assert "$output" == "$n-c" "running only, by default"
  run_berth ps --filter status=exited --format '{{.Names}}'
  assert "$output" =~ "$n-a"
  assert "$output" =~ "$n-b"
  run_berth ps -a --filter exited=3 --format '{{.Names}}'
  assert "$output" == "$n-b"
  run_berth ps -a --filter label=tier=web --format '{{.Names}}'
  assert "$output" == "$n-a"
  run_berth ps -a --filter name="$n-[ab]" --filter status=exited -q
  assert "${#lines[@]}" == 2
  run_berth ps -a --filter ancestor=$IMAGE -q
  assert "${#lines[@]}" == 3
  id=$("$BERTH" inspect --format '{{.Id}}' $n-c)
  run_berth ps --filter id=${id:0:8} --format '{{.Names}}'
  assert "$output" == "$n-c"
  run_berth ps -a -n 1 --format '{{.Names}}'
  assert "$output" == "$n-c"
  run_berth ps -l --format '{{.Names}}'
  assert "$output" == "$n-c"
  run_berth ps --size --format '{{.Size}}'
  assert "$output" =~ "\(virtual 2\.[0-9]+MB\)"
  run_berth 125 ps --filter bogus=1
  run_berth 125 ps --filter status=sleepy
  run_berth rm -f $n-a $n-b $n-c
}

@test "berth rename, restart and container prune" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE testinit pause
  run_berth rename $n $n-new
  run_berth ps --format '{{.Names}}'
  assert "$output" == "$n-new"
  run_berth 125 rename $n-new 'bad name!'
  pid1=$("$BERTH" inspect --format '{{.State.Pid}}' $n-new)
  run_berth restart -t 0 $n-new
  pid2=$("$BERTH" inspect --format '{{.State.Pid}}' $n-new)
  assert "$pid2" != "$pid1" "a new process"
  run_berth ps --format '{{.Names}} {{.State}}'
  assert "$output" == "$n-new running"
  run_berth run --name $n-done $IMAGE true
  run_berth container prune -f
  assert "$output" =~ "^[0-9a-f]{64}$"
  run_berth ps -a --format '{{.Names}}'
  assert "$output" == "$n-new" "prune kept the running container"
  run_berth rm -f $n-new
}

@test "container names: found and claimed through the names index; stale, missing and renamed entries" {
  n=$(safename)
  run_berth create --name $n $IMAGE true
  id=$output
  [ -L "$BERTH_ROOT/container-names/$n" ]
  assert "$(readlink "$BERTH_ROOT/container-names/$n")" == "$id"
  run_berth inspect --format '{{.Id}}' $n
  assert "$output" == "$id"
  run_berth inspect --format '{{.Name}}' ${id:0:10}
  assert "$output" == "$n" "an id prefix still works"
  # renamed: the old name is free and gone from the index
  run_berth rename $n $n-b
  [ ! -e "$BERTH_ROOT/container-names/$n" ]
  run_berth 1 container exists $n
  run_berth create --name $n $IMAGE true
  id2=$output
  run_berth 125 create --name $n-b $IMAGE true
  assert "$output" =~ "already in use by $id"
  run_berth 125 rename $n $n-b
  # a stale entry (its container is gone, as after a crash) does not hold the name
  ln -s 0000000000000000000000000000000000000000000000000000000000000000 "$BERTH_ROOT/container-names/$n-stale"
  run_berth create --name $n-stale $IMAGE true
  assert "$(readlink "$BERTH_ROOT/container-names/$n-stale")" == "$output"
  # a store without the index (made before it): names still resolve, the next writer rebuilds it
  rm -rf "$BERTH_ROOT/container-names"
  run_berth inspect --format '{{.Id}}' $n-b
  assert "$output" == "$id"
  run_berth 125 create --name $n-b $IMAGE true
  assert "$output" =~ "already in use by $id" "rebuilt from the records before the claim"
  assert "$(readlink "$BERTH_ROOT/container-names/$n")" == "$id2"
  # removal frees the name
  run_berth rm $n $n-b $n-stale
  assert "$(ls "$BERTH_ROOT/container-names")" == ""
  run_berth ps -a -q
  assert "$output" == ""
}

@test "berth run --memory, --pids-limit, --cpus: limits in the container's cgroups" {
  if is_rootless; then
    run_berth run --rm --memory 64m $IMAGE testinit echo ran
    assert "$output" =~ "ignored"
    assert "$output" =~ "ran" "the container runs anyway"
    n=$(safename)
    run_berth run -d --name $n --memory 64m $IMAGE testinit pause
    assert "$output" =~ "WARN.*ignored" "-d: the monitor's warning reaches the caller"
    run_berth rm -f $n
    return
  fi
  n=$(safename)
  run_berth run -d --name $n --memory 64m --pids-limit 20 --cpus 0.5 $IMAGE testinit pause
  pid=$("$BERTH" inspect --format '{{.State.Pid}}' $n)
  read_limit() {  # controller v1-file v2-file
    local path
    path=$(grep -E "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/$pid/cgroup | cut -d: -f3)
    if [ -n "$path" ] && [ -e /sys/fs/cgroup/$1$path/$2 ]; then cat /sys/fs/cgroup/$1$path/$2; return; fi
    path=$(grep -E "^0::" /proc/$pid/cgroup | cut -d: -f3)
    for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
      [ -e $m$path/$3 ] && { cat $m$path/$3; return; }
    done
  }
  assert "$(read_limit memory memory.limit_in_bytes memory.max)" == "67108864"
  assert "$(read_limit pids pids.max pids.max)" == "20"
  assert "$(read_limit cpu cpu.cfs_quota_us cpu.max)" =~ "^50000"
  # the pids limit holds inside: 30 background sleeps cannot all start
  run_berth '?' exec $n sh -c 'for i in $(seq 30); do sleep 5 & done 2>&1; wait' 
  assert "$output" =~ "(fork|Resource temporarily unavailable|can't fork)"
  run_berth rm -f $n
  run_berth 125 run --rm --memory 1k $IMAGE true
  assert "$output" =~ "minimum memory limit"
  run_berth 125 run --rm --memory lots $IMAGE true
  run_berth 125 run --rm --cpus -1 $IMAGE true
}

@test "berth run --memory, --pids-limit on a cgroup v2 host: the limits in berth/, or a warning per controller v2 lacks" {
  skip_if_rootless "mounts a cgroup2 hierarchy"
  # A host whose /sys/fs/cgroup is cgroup2 (berth decides by statfs, as runc and crun): made
  # here in a mount and cgroup namespace of the test's own. On a hybrid host (this sandbox) the
  # v2 hierarchy has none of the controllers; on a v2 host it has them.
  cat > $BATS_TEST_TMPDIR/v2.sh <<'SH'
set -e
mount -t cgroup2 none /sys/fs/cgroup
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
"$BERTH" run -d --name "$1" --memory 64m --pids-limit 20 "$3" testinit pause > /dev/null 2> "$2/err"
pid=$("$BERTH" inspect --format '{{.State.Pid}}' "$1")
echo "controllers: $controllers"
echo "cgroup: $(cut -d: -f3 /proc/$pid/cgroup | grep berth || true)"
for f in memory.max pids.max; do
  p=/sys/fs/cgroup$(grep '^0::' /proc/$pid/cgroup | cut -d: -f3)/$f
  [ -e "$p" ] && echo "$f: $(cat $p)"
done
"$BERTH" rm -f "$1" > /dev/null
echo "left: $(ls /sys/fs/cgroup/berth 2>/dev/null | grep "berth-" || true)"
SH
  n=$(safename)
  run unshare --mount --cgroup sh $BATS_TEST_TMPDIR/v2.sh $n $BATS_TEST_TMPDIR $IMAGE
  echo "$output"; cat $BATS_TEST_TMPDIR/err
  assert "$status" == 0
  for c in memory pids; do
    if [[ "$output" =~ "controllers: ".*"$c" ]]; then
      [ $c = memory ] && assert "$output" =~ "memory.max: 67108864"
      [ $c = pids ] && assert "$output" =~ "pids.max: 20"
    else
      assert "$(cat $BATS_TEST_TMPDIR/err)" =~ "cgroup controller $c is not available here; its limit is ignored"
    fi
  done
  assert "$output" =~ "left: "$'\n'"?$" "no cgroup left behind"
  run_berth 1 container exists $n
}

@test "berth run --ulimit: limits the container; bad or unraisable limits are errors" {
  run_berth run --rm --ulimit nofile=100:200 $IMAGE sh -c 'ulimit -n; ulimit -Hn'
  assert "$output" == $'100\n200'
  run_berth 125 run --rm --ulimit bogus=1 $IMAGE true
  assert "$output" =~ "invalid ulimit type: bogus"
  run_berth 125 run --rm --ulimit nofile=200:100 $IMAGE true
  assert "$output" =~ "soft limit must be less than or equal to hard limit"
  run_berth ps -a -q
  assert "$output" == ""
}

@test "berth run --init: catatonit is PID 1, forwards signals and reaps" {
  [ -x /usr/bin/catatonit ] || [ -x /usr/libexec/podman/catatonit ] || skip "catatonit is not installed"
  n=$(safename)
  run_berth run --rm --init $IMAGE sh -c 'cat /proc/1/cmdline | tr "\0" " "'
  assert "$output" =~ "^/run/berth-init -- sh -c"
  run_berth run -d --init --name $n $IMAGE sleep 100
  start=$(date +%s)
  run_berth stop $n
  assert "$(( $(date +%s) - start ))" -lt 5 "SIGTERM reached sleep through the init: no 10 s timeout"
  run_berth inspect --format '{{.State.ExitCode}}' $n
  assert "$output" == "143"
  run_berth rm $n
}

@test "--sdnotify: NOTIFY_SOCKET never reaches the container; a socket pointing nowhere only warns" {
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(5)
while True: print(repr(s.recv(4096).decode()), flush=True)' $BATS_TEST_TMPDIR/n.sock > $BATS_TEST_TMPDIR/got 2>/dev/null &
  listener=$!
  for i in $(seq 50); do [ -S $BATS_TEST_TMPDIR/n.sock ] && break; sleep 0.1; done
  NOTIFY_SOCKET=$BATS_TEST_TMPDIR/n.sock run_berth run --rm --env-host $IMAGE sh -c 'echo "[$NOTIFY_SOCKET]"'
  assert "$output" == "[]" "conmon (the default): berth notifies, the container never sees the socket"
  NOTIFY_SOCKET=$BATS_TEST_TMPDIR/n.sock run_berth run --rm --sdnotify=container $IMAGE \
    sh -c 'echo "[$NOTIFY_SOCKET]"; /bin/testinit notify "READY=1
STATUS=from the container
MAINPID=1"'
  assert "$output" == "[/run/notify/notify.sock]"
  NOTIFY_SOCKET=$BATS_TEST_TMPDIR/n.sock run_berth run --rm --sdnotify=ignore $IMAGE sh -c 'echo "[$NOTIFY_SOCKET]"'
  assert "$output" == "[]"
  sleep 0.3
  kill $listener
  got=$(cat $BATS_TEST_TMPDIR/got)
  assert "$got" =~ "'MAINPID=[0-9]+\\\\nREADY=1\\\\n'" "conmon: READY=1 with berth's pid"
  assert "$got" =~ "MAINPID=[0-9]+\\\\nREADY=1\\\\nSTATUS=from the container" "container: relayed, MAINPID rewritten"
  assert "$got" !~ "MAINPID=1\\\\n" "the container's own MAINPID is dropped"
  assert "$(echo "$got" | grep -c READY)" == "2" "ignore: nothing sent"
  NOTIFY_SOCKET=$BATS_TEST_TMPDIR/nowhere run_berth run --rm $IMAGE true
  assert "$output" =~ "cannot notify systemd"
  run_berth 125 run --rm --sdnotify=bogus $IMAGE true
  assert "$output" =~ "invalid --sdnotify value"
}

@test "--log-driver: k8s-file (path=), none, passthrough; bad drivers and options refused" {
  n=$(safename)
  run_berth run --name $n-none --log-driver none $IMAGE echo to-the-terminal
  assert "$output" == "to-the-terminal" "none: output still reaches the caller"
  run_berth 125 logs $n-none
  assert "$output" =~ "'none' log driver"
  run_berth run --rm --log-driver passthrough $IMAGE sh -c 'readlink /proc/self/fd/1'
  assert "$output" =~ "^pipe:" "passthrough: the container writes to berth's own stdout (bats' pipe)"
  run_berth 125 run -d --log-driver passthrough $IMAGE true
  assert "$output" =~ "cannot be used with -d"
  run_berth run -d --name $n-path --log-opt path=$BATS_TEST_TMPDIR/custom.log $IMAGE echo custom
  run_berth wait $n-path
  assert "$(cat $BATS_TEST_TMPDIR/custom.log)" =~ "stdout F custom$"
  run_berth logs $n-path
  assert "$output" == "custom"
  run_berth 125 run --log-driver syslog $IMAGE true
  assert "$output" =~ "invalid log driver"
  run_berth 125 run --log-opt path=relative $IMAGE true
  run_berth 125 run --log-driver journald --log-opt path=/x $IMAGE true
  run_berth rm $n-none $n-path
}

@test "kill --cidfile, as podman's generated units use it; -i ignores what is gone" {
  cid=$BATS_TEST_TMPDIR/kill.cid
  run_berth run -d --cidfile $cid $IMAGE sleep 100
  id=$output
  run_berth kill --cidfile $cid
  assert "$output" == "$id" "the id read from the file"
  run_berth wait $id
  assert "$output" == "137"
  run_berth 125 kill --cidfile $BATS_TEST_TMPDIR/none.cid
  assert "$output" =~ "^Error: reading CIDFile"
  run_berth kill -i --cidfile $BATS_TEST_TMPDIR/none.cid
  run_berth rm $id
  run_berth kill -i $id
  assert "$output" == "" "-i: a container that is gone is no error"
}

@test "run --umask and --tz: the process's umask, the zone's /etc/localtime; bad values refused" {
  run_berth run --rm --umask 0027 $IMAGE sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
  assert "${lines[0]}" == "0027"
  assert "${lines[1]}" == "640" "files made with that umask"
  run_berth run --rm $IMAGE sh -c umask
  assert "$output" == "0022" "podman's default"
  run_berth run --rm --tz Asia/Tokyo $IMAGE date +%Z
  assert "$output" == "JST"
  run_berth run --rm --tz local $IMAGE cmp /etc/localtime /etc/localtime
  n=$(safename)
  run_berth create --name $n --umask 077 --tz Europe/Paris $IMAGE true
  run_berth 125 run --rm --umask 0999 $IMAGE true
  assert "$output" == "Error: invalid umask string 0999: an octal value up to 0777"
  run_berth 125 run --rm --tz Nowhere/Atlantis $IMAGE true
  assert "$output" == "Error: finding timezone: unknown time zone Nowhere/Atlantis"
  run_berth 125 run --rm --tz ../../etc/passwd $IMAGE true
  assert "$output" =~ "unknown time zone"
  run_berth rm $n
}

@test "run --timeout N: killed after N seconds, exit code -1 (255), as podman's; -d too" {
  n=$(safename)
  SECONDS=0
  run_berth 255 run --name $n --timeout 2 $IMAGE sleep 60
  assert "$SECONDS" -lt 10 "killed at the timeout, not after the sleep"
  assert "$("$BERTH" inspect --format '{{.State.Status}} {{.State.ExitCode}}' $n)" == "exited -1"
  run_berth run -d --name $n-d --timeout 1 $IMAGE sleep 60
  run_berth wait $n-d
  assert "$output" == "-1"
  run_berth run --rm --timeout 30 $IMAGE true
  run_berth 125 run --rm --timeout -3 $IMAGE true
  run_berth rm $n $n-d
}

@test "run --preserve-fds N: the caller's fds 3 .. 3+N-1 reach the container; others do not" {
  echo "through fd 4" > $BATS_TEST_TMPDIR/in
  run_berth run --rm -i --preserve-fds=2 $IMAGE sh -c 'cat <&4' 4<$BATS_TEST_TMPDIR/in
  assert "$output" == "through fd 4"
  run_berth 1 run --rm $IMAGE sh -c 'cat <&4' 4<$BATS_TEST_TMPDIR/in
  assert "$output" =~ "Bad file descriptor" "not without the flag"
  run_berth 125 run --rm --preserve-fds=9 $IMAGE true
  assert "$output" =~ "^Error: file descriptor [0-9]+ is not available"
  run_berth 125 run -d --preserve-fds=1 $IMAGE true
  assert "$output" =~ "needs a foreground run"
}

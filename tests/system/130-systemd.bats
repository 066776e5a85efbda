#!/usr/bin/env bats   -*- bats -*-
#
# berth as a systemd unit's main process, under a real systemd booted in its own namespaces
# (tests/helpers/systemd-in-namespace.sh): Type=notify with --sdnotify, systemctl stop,
# Restart=on-failure, the journal.

load helpers

SD_HELPER=$(cd "$(dirname "$BATS_TEST_FILENAME")/../helpers" && pwd)/systemd-in-namespace.sh

setup_file() {
  berth_setup_file
  is_rootless && return 0
  command -v nsenter >/dev/null && [ -x /lib/systemd/systemd ] || return 0
  # Everything the units use must be visible inside, where /tmp, /var/tmp and /run are fresh
  # tmpfs: a directory under /var/lib with a copy of berth and its own store.
  export SDT=$(mktemp -d /var/lib/berth-systemd-test.XXXXXX)
  cp "$BERTH" $SDT/berth
  export SDB="$SDT/berth --root $SDT/root --runroot $SDT/run"
  # (Commands that look at running containers run inside: their pids are that namespace's.)
  $SDB load -q -i "$BERTH_TEST_IMAGES/bb.tar" >/dev/null
  # systemd's cgroups go below a cgroup of this test's own (a cgroup namespace rooted there):
  # the host's hierarchies stay as they were for everything running beside this file.
  export SD_CGROUP=$(basename $SDT)
  local h
  for h in systemd unified; do [ -d /sys/fs/cgroup/$h ] && mkdir -p /sys/fs/cgroup/$h/$SD_CGROUP; done
  sh -c 'for h in systemd unified; do [ -d /sys/fs/cgroup/$h/$SD_CGROUP ] && echo $$ > /sys/fs/cgroup/$h/$SD_CGROUP/cgroup.procs; done
         exec setsid unshare --pid --fork --mount --net --uts --ipc --cgroup --mount-proc "$0"' "$SD_HELPER" > $SDT/sd.log 2>&1 &
  echo $! > $SDT/unshare.pid
  local i
  for i in $(seq 100); do
    SD=$(pgrep -P "$(cat $SDT/unshare.pid)" || true)
    [ -n "$SD" ] && nsenter -t "$SD" -m -p -n systemctl is-system-running --wait >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "$SD" > $SDT/sd.pid
}

teardown_file() {
  if [ -n "${SDT:-}" ]; then
    [ -s $SDT/sd.pid ] && kill -9 "$(cat $SDT/sd.pid)" 2>/dev/null
    sleep 0.3
    local h
    for h in systemd unified; do
      [ -d /sys/fs/cgroup/$h/$SD_CGROUP ] && find /sys/fs/cgroup/$h/$SD_CGROUP -depth -type d -exec rmdir {} \; 2>/dev/null
    done
    rm -rf "$SDT"
  fi
  return 0
}

setup() {
  skip_if_rootless "booting systemd needs root"
  [ -n "${SDT:-}" ] && [ -s $SDT/sd.pid ] || skip "no systemd to boot here (nsenter, /lib/systemd/systemd)"
  SD=$(cat $SDT/sd.pid)
  UNIT=$(safename)
}

teardown() {
  [ -n "${UNIT:-}" ] && [ -n "${SD:-}" ] && in_sd systemctl stop $UNIT >/dev/null 2>&1
  return 0
}

in_sd() { nsenter -t "$SD" -m -p -n "$@"; }

# unit NAME [Service] lines...: writes /etc/systemd/system/NAME.service inside and reloads.
unit() {
  local name=$1
  shift
  printf '[Service]\n%s\n' "$@" | in_sd sh -c "cat > /etc/systemd/system/$name.service && systemctl daemon-reload"
}

@test "Type=notify + --sdnotify=conmon: active once the container runs; stop leaves nothing behind" {
  # sleep as PID 1 ignores SIGTERM: berth, told to stop, sends it and then SIGKILL after the
  # container's stop timeout.
  unit $UNIT "Type=notify" "ExecStart=$SDB run --rm --stop-timeout 2 --name $UNIT bbtest sh -c 'echo hello-from-$UNIT; exec sleep 1000'"
  in_sd systemctl start $UNIT
  # systemctl start returned: READY=1 came, and by then the container runs.
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT)" == "running"
  assert "$(in_sd systemctl is-active $UNIT)" == "active"
  main=$(in_sd systemctl show -p MainPID --value $UNIT)
  assert "$(in_sd cat /proc/$main/cmdline | tr '\0' ' ')" =~ "berth --root" "MAINPID is berth's"
  for i in $(seq 50); do in_sd journalctl -u $UNIT --no-pager | grep -q hello-from-$UNIT && break; sleep 0.1; done
  assert "$(in_sd journalctl -u $UNIT --no-pager)" =~ "hello-from-$UNIT" "the container's output is in the journal"
  start=$(date +%s)
  in_sd systemctl stop $UNIT
  took=$(( $(date +%s) - start ))
  assert "$took" -ge 1 "the stop timeout was waited for"
  assert "$took" -le 6 "then SIGKILL, not systemd's 90 s"
  assert "$(in_sd systemctl is-active $UNIT)" != "active"
  assert "$(in_sd $SDB ps -a --format '{{.Names}}' | grep -c $UNIT)" == "0" "--rm removed it"
  assert "$(in_sd pgrep -f 'sleep 1000' || true)" == "" "no process is left"
}

@test "--sdnotify=container: the container's READY=1 (relayed) activates the unit, not its start" {
  unit $UNIT "Type=notify" \
    "ExecStart=$SDB run --rm --sdnotify=container --name $UNIT bbtest sh -c 'sleep 2; /bin/testinit notify READY=1; exec sleep 1001'"
  in_sd systemctl start --no-block $UNIT
  for i in $(seq 50); do [ "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT 2>/dev/null)" = running ] && break; sleep 0.1; done
  assert "$(in_sd systemctl is-active $UNIT)" == "activating" "running, but not ready yet"
  for i in $(seq 50); do [ "$(in_sd systemctl is-active $UNIT)" = active ] && break; sleep 0.1; done
  assert "$(in_sd systemctl is-active $UNIT)" == "active"
  in_sd systemctl stop $UNIT
  assert "$(in_sd pgrep -f 'sleep 1001' || true)" == ""
}

@test "--sdnotify=healthy: the unit is active once the first health check passes (foreground and -d)" {
  for mode in "" "-d"; do
    unit $UNIT "Type=notify" "ExecStart=$SDB run $mode --rm --sdnotify=healthy --health-cmd 'test -e /tmp/up' --health-interval 1s --name $UNIT bbtest sh -c 'sleep 2; touch /tmp/up; exec sleep 1004'"
    in_sd systemctl start --no-block $UNIT
    for i in $(seq 50); do [ "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT 2>/dev/null)" = running ] && break; sleep 0.1; done
    assert "$(in_sd systemctl is-active $UNIT)" == "activating" "running ($mode), but not healthy yet"
    for i in $(seq 100); do [ "$(in_sd systemctl is-active $UNIT)" = active ] && break; sleep 0.1; done
    assert "$(in_sd systemctl is-active $UNIT)" == "active" "healthy ($mode): READY=1"
    assert "$(in_sd $SDB inspect --format '{{.State.Health.Status}}' $UNIT)" == "healthy"
    in_sd systemctl stop $UNIT
    assert "$(in_sd pgrep -f 'sleep 1004' || true)" == "" "stopped ($mode)"
  done
}

@test "a container that cannot start: the unit fails with berth's error as its status text" {
  for mode in "" "-d"; do
    unit $UNIT "Type=notify" "ExecStart=$SDB run $mode --rm --name $UNIT bbtest /no/such/command"
    run in_sd systemctl start $UNIT
    assert "$status" != "0" "the start failed ($mode)"
    assert "$(in_sd systemctl show -p StatusText --value $UNIT)" =~ "^Error: .*/no/such/command" "STATUS= ($mode)"
    assert "$(in_sd systemctl show -p ExecMainStatus --value $UNIT)" == "127"
    in_sd systemctl reset-failed $UNIT 2>/dev/null || true
  done
}

@test "Type=notify + run -d: the monitor becomes the main process; stop stops the container" {
  unit $UNIT "Type=notify" "ExecStart=$SDB run -d --name $UNIT bbtest sleep 1002"
  in_sd systemctl start $UNIT
  assert "$(in_sd systemctl is-active $UNIT)" == "active"
  main=$(in_sd systemctl show -p MainPID --value $UNIT)
  assert "$(in_sd cat /proc/$main/cmdline | tr '\0' ' ')" =~ "__monitor" "MAINPID is the monitor"
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT)" == "running"
  in_sd systemctl stop $UNIT
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT)" == "exited"
  assert "$(in_sd pgrep -f 'sleep 1002' || true)" == ""
  in_sd $SDB rm $UNIT >/dev/null
}

@test "Restart=on-failure restarts a container that fails" {
  unit $UNIT "Type=notify" "Restart=on-failure" "RestartSec=200ms" \
    "ExecStart=$SDB run --rm bbtest sh -c 'sleep 0.3; exit 3'"
  in_sd systemctl start $UNIT
  for i in $(seq 100); do [ "$(in_sd systemctl show -p NRestarts --value $UNIT)" -ge 2 ] && break; sleep 0.1; done
  assert "$(in_sd systemctl show -p NRestarts --value $UNIT)" -ge 2
  assert "$(in_sd systemctl show -p ExecMainStatus --value $UNIT)" =~ "^(0|3)$"
}

@test "contrib/systemd/berth-restart.service starts the --restart=always containers" {
  src=$(cd "$(dirname "$BATS_TEST_FILENAME")/../../contrib/systemd" && pwd)/berth-restart.service
  in_sd $SDB create --name $UNIT-always --restart always bbtest sleep 1003 >/dev/null
  in_sd $SDB create --name $UNIT-plain bbtest sleep 1003 >/dev/null
  sed "s|/usr/local/bin/berth|$SDB|g" $src | in_sd sh -c "cat > /etc/systemd/system/$UNIT.service && systemctl daemon-reload"
  in_sd systemctl start $UNIT
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT-always)" == "running"
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT-plain)" == "created"
  in_sd systemctl stop $UNIT
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT-always)" == "exited" "ExecStop stops them"
  in_sd $SDB rm -f $UNIT-always $UNIT-plain >/dev/null
}

@test "generate systemd: a unit for an existing container, and a --new one that makes its own" {
  in_sd $SDB create --name $UNIT-old --stop-timeout 2 bbtest sleep 1004 >/dev/null
  in_sd $SDB generate systemd --name $UNIT-old | in_sd sh -c "cat > /etc/systemd/system/$UNIT-old.service && systemctl daemon-reload"
  in_sd systemctl start $UNIT-old
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT-old)" == "running"
  in_sd systemctl stop $UNIT-old
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT-old)" == "exited"
  in_sd $SDB rm $UNIT-old >/dev/null

  # --new: the container is made from its recorded command line (with a quoted argument that
  # must survive systemd's parsing), removed here, and made again by the unit.
  in_sd $SDB create --name $UNIT-new --stop-timeout 2 -e 'GREETING=hello $USER 100%' bbtest \
    sh -c 'echo "[$GREETING]"; exec sleep 1005' >/dev/null
  in_sd $SDB generate systemd --new --name $UNIT-new | in_sd sh -c "cat > /etc/systemd/system/$UNIT-new.service && systemctl daemon-reload"
  in_sd $SDB rm $UNIT-new >/dev/null
  in_sd systemctl start $UNIT-new
  assert "$(in_sd $SDB inspect --format '{{.State.Status}}' $UNIT-new)" == "running"
  for i in $(seq 30); do in_sd $SDB logs $UNIT-new 2>/dev/null | grep -q hello && break; sleep 0.1; done
  assert "$(in_sd $SDB logs $UNIT-new)" == '[hello $USER 100%]'
  in_sd systemctl stop $UNIT-new
  run in_sd $SDB container exists $UNIT-new
  assert "$status" == 1 "ExecStopPost removed it"
}

@test "a socket-activated unit passes its socket to a container that answers on it" {
  in_sd sh -c "printf '[Socket]\nListenStream=127.0.0.1:8099\n' > /etc/systemd/system/$UNIT.socket"
  unit $UNIT "ExecStart=$SDB run --rm bbtest /bin/testinit accept3"
  in_sd systemctl start $UNIT.socket
  got=$(in_sd python3 -c "import socket; s=socket.create_connection(('127.0.0.1',8099)); print(s.recv(100).decode().strip())")
  assert "$got" == "activated pid=1 fds=1"
  in_sd systemctl stop $UNIT.socket
}

@test "--log-driver journald: lines reach the journal with the container's fields" {
  unit $UNIT "ExecStart=$SDB run --rm --name $UNIT --log-driver journald --log-opt tag=$UNIT-tag bbtest sh -c 'echo out-line; echo err-line >&2'"
  in_sd systemctl start $UNIT
  for i in $(seq 50); do in_sd journalctl CONTAINER_NAME=$UNIT --no-pager -o cat 2>/dev/null | grep -q err-line && break; sleep 0.1; done
  assert "$(in_sd journalctl CONTAINER_NAME=$UNIT --no-pager -o cat)" == $'out-line\nerr-line'
  assert "$(in_sd journalctl -t $UNIT-tag -p err --no-pager -o cat)" == "err-line" "stderr is priority err"
}

@test "berth logs of a journald container reads the journal: stdout and stderr, -t, --tail, -f" {
  in_sd $SDB run -d --name $UNIT --log-driver journald bbtest sh -c 'echo one; echo two >&2; sleep 1; echo three; exec sleep 1007' >/dev/null
  for i in $(seq 50); do in_sd journalctl CONTAINER_NAME=$UNIT --no-pager -o cat 2>/dev/null | grep -q two && break; sleep 0.1; done
  assert "$(in_sd $SDB logs $UNIT 2>/dev/null)" == $'one' "stdout to stdout"
  assert "$(in_sd $SDB logs $UNIT 2>&1 >/dev/null)" == $'two' "stderr to stderr"
  # -f: what comes later too, until the container ends.
  in_sd sh -c "$SDB logs -f $UNIT > $SDT/follow.out 2>&1" &
  for i in $(seq 50); do grep -q three $SDT/follow.out 2>/dev/null && break; sleep 0.1; done
  in_sd $SDB stop -t 0 $UNIT >/dev/null
  wait
  assert "$(sort $SDT/follow.out | tr '\n' ' ')" == "one three two "
  assert "$(in_sd $SDB logs --tail 1 $UNIT)" == "three"
  assert "$(in_sd $SDB logs -t --tail 1 $UNIT)" =~ "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z three$"
  in_sd $SDB rm $UNIT >/dev/null
}

@test "Quadlet: a .container file becomes a unit that runs the container; a bad one is skipped" {
  mkdir -p $SDT/quadlet
  cat > $SDT/quadlet/$UNIT.container <<EOF2
[Unit]
Description=quadlet test

[Container]
Image=bbtest
Exec=sh -c 'echo "quadlet says \$GREETING"; exec sleep 1006'
Environment=GREETING=hello
Label=from=quadlet
PodmanArgs=--stop-timeout 1

[Service]
Restart=no
EOF2
  printf '[Container]\nExec=true\n' > $SDT/quadlet/$UNIT-noimage.container
  run in_sd env QUADLET_UNIT_DIRS=$SDT/quadlet $SDB systemd generate /etc/systemd/system
  assert "$output" =~ "skipping .*$UNIT-noimage.container: .*no Image key" "the bad file is named and skipped"
  assert "$output" =~ "1 unit\(s\) written"
  in_sd systemctl daemon-reload
  in_sd systemctl start $UNIT
  assert "$(in_sd $SDB inspect --format '{{.State.Status}} {{index .Config.Labels "from"}}' systemd-$UNIT)" == "running quadlet"
  for i in $(seq 30); do in_sd journalctl -u $UNIT --no-pager | grep -q "quadlet says hello" && break; sleep 0.1; done
  assert "$(in_sd $SDB logs systemd-$UNIT)" == "quadlet says hello"
  in_sd systemctl stop $UNIT
  run in_sd $SDB container exists systemd-$UNIT
  assert "$status" == 1 "stopped and removed"
}

@test "Quadlet: .kube, .volume and .network files become units; a .container requires the volume it names" {
  mkdir -p $SDT/quadlet2
  printf '[Volume]\nLabel=made-by=quadlet\n' > $SDT/quadlet2/$UNIT-data.volume
  printf '[Network]\nNetworkName=%s-front\nSubnet=10.89.77.0/24\n' $UNIT > $SDT/quadlet2/$UNIT-front.network
  printf '[Container]\nImage=bbtest\nExec=sleep 1008\nVolume=%s-data.volume:/data\n' $UNIT > $SDT/quadlet2/$UNIT-c.container
  cat > $SDT/quadlet2/$UNIT.yaml <<EOF2
apiVersion: v1
kind: Pod
metadata: {name: $UNIT-pod}
spec:
  containers:
  - {name: main, image: bbtest, command: [sh, -c, "echo played; exec sleep 1009"]}
EOF2
  printf '[Kube]\nYaml=%s.yaml\n' $UNIT > $SDT/quadlet2/$UNIT.kube
  run in_sd env QUADLET_UNIT_DIRS=$SDT/quadlet2 $SDB systemd generate /etc/systemd/system
  assert "$output" =~ "4 unit\(s\) written" ".container, .kube, .volume, .network"
  in_sd systemctl daemon-reload
  in_sd systemctl start $UNIT
  assert "$(in_sd $SDB pod ps --format '{{.Name}} {{.Status}}')" == "$UNIT-pod Running" "the .kube unit played the YAML"
  in_sd systemctl start $UNIT-c
  assert "$(in_sd $SDB volume inspect --format '{{.Labels}}' systemd-$UNIT-data)" =~ "made-by:quadlet" \
    "the container's unit required the .volume's, which made the volume"
  assert "$(in_sd $SDB inspect --format '{{range .Mounts}}{{.Name}}{{end}}' systemd-$UNIT-c)" == "systemd-$UNIT-data"
  in_sd systemctl start $UNIT-front-network
  assert "$(in_sd $SDB network inspect --format '{{range .Subnets}}{{.Subnet}}{{end}}' $UNIT-front)" == "10.89.77.0/24"
  in_sd systemctl stop $UNIT
  assert "$(in_sd $SDB pod ps -q)" == "" "stopping the .kube unit is kube down"
  in_sd systemctl stop $UNIT-c
  in_sd $SDB network rm $UNIT-front >/dev/null
}

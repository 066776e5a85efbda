#!/usr/bin/env bats   -*- bats -*-
#
# Behaviours Podman's own system tests (test/system at v4.3.1) expect of the command line, each
# checked here too so that .ci/run guards them without Podman's suite: repeated flags, Podman's
# global flags, ps/images --sort and --noheading, template pipelines, what rm/stop/kill print
# and exit with.

load helpers

setup() {
  NAME=$(safename)
}

teardown() {
  "$BERTH" rm -a -f -t 0 >/dev/null 2>&1 || true
}

@test "a repeated single-value flag keeps its last value, as pflag" {
  run_berth run --rm --name $NAME-x --name $NAME $IMAGE true
  run_berth create --name $NAME --tz=UTC --tz=Iceland $IMAGE true
  run_berth inspect --format '{{.Name}}' --format '{{.Id}}' $NAME
  assert "$output" =~ "^[0-9a-f]{64}$"
  run_berth rm $NAME
}

@test "podman's global flags: accepted; --noout silences stdout; bad values refused" {
  run_berth --storage-driver=overlay --cgroup-manager cgroupfs --events-backend file --runtime /bin/false ps -a
  assert "$output" =~ "^CONTAINER ID"
  run_berth --noout create --name $NAME $IMAGE true
  assert "$output" == ""
  run_berth --noout --log-level=error ps -a
  assert "$output" == ""
  run_berth --config /nowhere ps --noheading --filter name=$NAME
  assert "$output" =~ "The --config flag is ignored by berth"
  run_berth 125 --events-backend bogus ps
  assert "$output" =~ "^Error: --events-backend"
  run_berth 125 --cgroup-manager nope ps
  run_berth rm $NAME
}

@test "ps --sort, --noheading, --external; images --sort, --noheading" {
  run_berth create --name $NAME-b $IMAGE true
  run_berth create --name $NAME-a $IMAGE true
  run_berth create --name $NAME-c $IMAGE true
  run_berth ps -a --filter name=$NAME --format '{{.Names}}'
  assert "$(echo $output)" == "$NAME-c $NAME-a $NAME-b" "newest first by default"
  run_berth ps -a --filter name=$NAME --sort names --format '{{.Names}}'
  assert "$(echo $output)" == "$NAME-a $NAME-b $NAME-c"
  run_berth ps -a --filter name=$NAME --sort created --format '{{.Names}}'
  assert "$(echo $output)" == "$NAME-b $NAME-a $NAME-c" "--sort created: the oldest first, as podman's"
  run_berth ps --external --filter name=$NAME-a --noheading
  assert "${#lines[@]}" == 1 "no header line"
  assert "$output" =~ "$NAME-a"
  run_berth 125 ps --sort bogus
  assert "$output" =~ "invalid option for --sort"

  run_berth tag $IMAGE localhost/$NAME-zz:1 localhost/$NAME-aa:2
  run_berth images --sort repository --noheading
  assert "$output" !~ "REPOSITORY"
  aa=$(echo "$output" | grep -n "$NAME-aa" | cut -d: -f1)
  zz=$(echo "$output" | grep -n "$NAME-zz" | cut -d: -f1)
  assert "$aa" -lt "$zz" "sorted by repository"
  run_berth images --sort tag --format '{{.Repository}}:{{.Tag}}'
  assert "$(echo "$output" | grep $NAME | tr '\n' ' ')" == "localhost/$NAME-zz:1 localhost/$NAME-aa:2 "
  run_berth 125 images --sort bogus
  run_berth rmi localhost/$NAME-zz:1 localhost/$NAME-aa:2
  run_berth rm $NAME-a $NAME-b $NAME-c
}

@test "templates: a one-stage pipeline {{.ID | upper}}" {
  run_berth images --format '{{.ID| upper}}' $IMAGE
  assert "$output" =~ "^[0-9A-F]{12}$"
  run_berth 125 images --format '{{.ID | no such}}'
  # a table's columns parted by spaces align as with tabs
  run_berth images --format 'table {{.Repository}} {{.Tag}} {{.ID}}' $IMAGE
  assert "${lines[0]}" =~ "^REPOSITORY +TAG +IMAGE ID$"
}

@test "rm prints the name it was given; --force ignores a missing one; --depend" {
  run_berth create --name $NAME $IMAGE true
  run_berth rm $NAME
  assert "$output" == "$NAME"
  run_berth 1 rm $NAME
  assert "$output" == "Error: no container with name or ID \"$NAME\" found: no such container"
  run_berth rm --force $NAME
  assert "$output" == ""

  run_berth create --name $NAME $IMAGE true
  base=$output
  run_berth create --name $NAME-dep --network container:$NAME $IMAGE true
  dep=$output
  run_berth 125 rm $NAME
  assert "$output" =~ "^Error: container $base has dependent containers which must be removed before it: $dep"
  run_berth rm --depend $NAME
  assert "$(echo $output)" == "$dep $NAME" "the dependent first"
}

@test "stop, kill and pod kill: podman's exit codes and signal words" {
  run_berth 125 stop $NAME-none
  assert "$output" =~ "no such container"
  run_berth stop --ignore $NAME-none
  run_berth 125 kill -s 0 $NAME-none
  assert "$output" == "Error: invalid signal: 0"
  run_berth 125 kill -s -SIGBADSIG $NAME-none
  assert "$output" == "Error: invalid signal: SIGBADSIG"
  run_berth 125 kill -s 65 $NAME-none
  assert "$output" == "Error: valid signals are 1 through 64"
  run_berth 125 pod kill -s BAD $NAME-nopod
  assert "$output" == "Error: invalid signal: BAD"
  run_berth 125 pod kill $NAME-nopod

  # A leading dash on a signal, as podman's kill -s -HUP
  run_berth run -d --name $NAME $IMAGE sh -c 'trap "echo got-hup" HUP; while :; do sleep 0.1; done'
  sleep 0.3
  run_berth kill -s -HUP $NAME
  for i in $(seq 50); do "$BERTH" logs $NAME | grep -q got-hup && break; sleep 0.1; done
  run_berth logs $NAME
  assert "$output" =~ "got-hup"
  run_berth stop --timeout=0 $NAME
  run_berth rm $NAME
}

@test "rmi --ignore and rmi --force of a missing image: no error; untag of a name it lacks: tag not known" {
  run_berth rmi --ignore $NAME-none
  assert "$output" == ""
  run_berth image rm --force $NAME-none
  assert "$output" == ""
  run_berth 1 rmi $NAME-none
  assert "$output" =~ "image not known"
  run_berth tag $IMAGE localhost/$NAME:1
  run_berth 125 untag localhost/$NAME:1 registry.example/$NAME:2
  assert "$output" == "Error: registry.example/$NAME:2: tag not known"
  run_berth images --noheading --filter after=$IMAGE --format '{{.ID}}'
  run_berth rmi localhost/$NAME:1
}

@test "run flags from podman's scripts: --memory=0, --kernel-memory, --runtime, -p with host, no-new-privileges=false" {
  run_berth run --rm --memory=0 $IMAGE echo hello
  assert "$output" == "hello" "0 is no limit"
  run_berth run --rm --kernel-memory 100 --runtime /usr/bin/crun $IMAGE true
  assert "$output" =~ "The --kernel-memory flag is no longer supported. This flag is a noop."
  run_berth run --rm -p 8080 --net=host $IMAGE echo ok
  assert "$output" =~ "Port mappings have been discarded"
  assert "${lines[-1]}" == "ok"
  run_berth run --rm --security-opt no-new-privileges $IMAGE grep NoNewPrivs /proc/self/status
  assert "$output" =~ "NoNewPrivs:.1"
  run_berth run --rm --security-opt no-new-privileges=false $IMAGE grep NoNewPrivs /proc/self/status
  assert "$output" =~ "NoNewPrivs:.0"
  run_berth 125 run --rm --log-opt max-size=lots $IMAGE true
}

@test "run --rmi removes the image after a --rm run; --conmon-pidfile names the supervising process" {
  run_berth build -t localhost/$NAME-rmi - <<<"FROM $IMAGE
RUN echo x > /x"
  run_berth run --rm --rmi localhost/$NAME-rmi cat /x
  assert "$output" == "x"
  run_berth 1 image exists localhost/$NAME-rmi
  run_berth 125 run --rmi $IMAGE true
  assert "$output" =~ "does not work without --rm"

  run_berth run -d --name $NAME --conmon-pidfile $BATS_TEST_TMPDIR/pid $IMAGE sleep 100
  pid=$(cat $BATS_TEST_TMPDIR/pid)
  assert "$(tr '\0' ' ' < /proc/$pid/cmdline)" =~ "__monitor" "the pid of the container's monitor"
  run_berth inspect --format '{{.ImageDigest}} {{.HostConfig.LogConfig.Type}}' $NAME
  assert "$output" =~ "^sha256:[0-9a-f]{64} k8s-file$"
  run_berth rm -f $NAME
  run_berth run -d --rm --name $NAME --log-opt max-size=5.097m $IMAGE sleep 100
  run_berth inspect --format '{{.HostConfig.LogConfig.Size}}' $NAME
  assert "$output" == "5.097MB"
  run_berth rm -f -t 0 $NAME
}

@test "cp: a relative container path is relative to the working directory; --pause accepted" {
  run_berth run -d --name $NAME --workdir /var/data $IMAGE sh -c 'mkdir -p /var/data/sub; sleep 100'
  echo "relative" > $BATS_TEST_TMPDIR/f
  for i in $(seq 50); do "$BERTH" exec $NAME test -d /var/data/sub && break; sleep 0.1; done
  run_berth cp $BATS_TEST_TMPDIR/f $NAME:.
  run_berth cp --pause=false $BATS_TEST_TMPDIR/f $NAME:sub/g
  run_berth exec $NAME cat /var/data/f /var/data/sub/g
  assert "$(echo $output)" == "relative relative"
  run_berth cp $NAME:sub/g $BATS_TEST_TMPDIR/back
  assert "$(cat $BATS_TEST_TMPDIR/back)" == "relative"
  run_berth diff --latest
  assert "$output" =~ "A /var/data/f"
  run_berth 125 diff --latest $NAME
  run_berth container exists --external $NAME
  run_berth rm -f -t 0 $NAME
}

@test "volumes: prune asks first and names them; name filters are regexes; rm -f of a missing one; duplicate destinations" {
  run_berth volume create $NAME-1
  run_berth volume create $NAME-2
  run_berth volume prune <<< N
  assert "${lines[0]}" =~ "^WARNING! This will remove all volumes not used by at least one container"
  assert "$output" =~ "$NAME-1"
  run_berth volume exists $NAME-1
  run_berth volume ls --filter "name=$NAME-1.*" --format '{{.Name}}'
  assert "$output" == "$NAME-1"
  run_berth volume rm $NAME-1 $NAME-2
  run_berth volume rm --force $NAME-none
  assert "$output" == ""

  mkdir -p $BATS_TEST_TMPDIR/a $BATS_TEST_TMPDIR/b
  run_berth run --rm -v $BATS_TEST_TMPDIR/a:/v -v $BATS_TEST_TMPDIR/a:/v $IMAGE true
  run_berth 125 run --rm -v $BATS_TEST_TMPDIR/a:/v -v $BATS_TEST_TMPDIR/b:/v $IMAGE true
  assert "$output" == "Error: /v: duplicate mount destination"
  run_berth run --rm --tmpfs /t --tmpfs /t $IMAGE true
  run_berth 125 run --rm -v $BATS_TEST_TMPDIR/a:/t --tmpfs /t $IMAGE true
  assert "$output" == "Error: /t: duplicate mount destination"
}

@test "generate systemd -e: Environment= lines, a bare name from the caller's environment" {
  run_berth create --name $NAME $IMAGE sleep 1
  FROMHOST=here run_berth generate systemd --new -e FROMHOST -e "A=b c" -e UNSET_$RANDOM $NAME
  assert "$output" =~ "Environment=FROMHOST=here"
  assert "$output" =~ 'Environment="A=b c"'
  assert "$(echo "$output" | grep -c '^Environment=UNSET')" == "0"
  run_berth rm $NAME
}

@test "start of a command that cannot run: 125; load of garbage: podman's words; save by ID: no name" {
  run_berth create --name $NAME $IMAGE /no/such/command
  run_berth 125 start $NAME
  assert "$output" =~ "/no/such/command"
  run_berth rm $NAME

  head -c 4096 /dev/urandom > $BATS_TEST_TMPDIR/garbage
  run_berth 125 load -i $BATS_TEST_TMPDIR/garbage
  assert "$output" =~ "payload does not match any of the supported image formats:"

  id=$("$BERTH" images -q --no-trunc $IMAGE)
  run_berth save --uncompressed -o $BATS_TEST_TMPDIR/byid.tar $id
  run tar -xOf $BATS_TEST_TMPDIR/byid.tar manifest.json
  assert "$output" =~ '"RepoTags":\[\]'
}

@test "cp: podman's words for what is missing or of the wrong kind" {
  run_berth run -d --name $NAME $IMAGE sleep 100
  echo x > $BATS_TEST_TMPDIR/f
  run_berth 125 cp $BATS_TEST_TMPDIR/none $NAME:/tmp
  assert "$output" == "Error: \"$BATS_TEST_TMPDIR/none\" could not be found on the host"
  run_berth 125 cp $BATS_TEST_TMPDIR/f $NAME:/IdoNotExist/
  assert "$output" == "Error: \"/IdoNotExist/\" could not be found on container $NAME: no such file or directory"
  run_berth 125 cp $NAME:/tmp/nothing $BATS_TEST_TMPDIR/
  assert "$output" == "Error: \"/tmp/nothing\" could not be found on container $NAME: no such file or directory"
  run_berth 125 cp $NAME:/etc/passwd /dev/null
  assert "$output" == "Error: invalid destination: \"/dev/null\" must be a directory or a regular file"
  run_berth 125 cp $NAME:/etc $BATS_TEST_TMPDIR/f
  assert "$output" == "Error: destination must be a directory when copying a directory"
  run_berth 125 cp - $NAME:/tmp/nodir < /dev/null
  assert "$output" == "Error: destination must be a directory when copying from stdin"
  run_berth rm -f -t 0 $NAME
}

@test "podman's defaults and words: TERM=xterm, exec permission denied, no log path without a file" {
  run_berth run --rm $IMAGE sh -c 'echo $TERM'
  assert "$output" == "xterm"
  run_berth run --rm -e TERM=dumb $IMAGE sh -c 'echo $TERM'
  assert "$output" == "dumb"
  run_berth 126 run --rm $IMAGE /etc
  assert "$output" =~ "^Error: exec /etc: .*ermission denied"
  run_berth create --name $NAME --log-driver none $IMAGE true
  run_berth inspect --format '[{{.HostConfig.LogConfig.Path}}]' $NAME
  assert "$output" == "[]"
  run_berth rm $NAME
}

@test "run --unsetenv and --unsetenv-all, as podman's" {
  run_berth run --rm --unsetenv TERM $IMAGE env
  assert "$output" =~ "container=berth"
  assert "$output" !~ "TERM"
  run_berth run --rm --unsetenv-all $IMAGE /bin/env
  for v in TERM container PATH; do
    assert "$output" !~ "$v" "$v left out"
  done
  run_berth run --rm --unsetenv-all --env TERM=abc $IMAGE /bin/env
  assert "$output" =~ "TERM=abc"
}

@test "containers.conf: the [containers] defaults apply under the flags; unknown keys pass; bad values are one error" {
  local d=$BATS_TEST_TMPDIR
  mkdir -p $d/vol
  echo from-host > $d/vol/f
  cat > $d/containers.conf <<EOF
[containers]
env = ["FROM_CONF=1", "PATH=/conf/bin"]
default_capabilities = ["CHOWN", "NET_RAW"]
default_ulimits = ["nofile=500:600"]
volumes = ["$d/vol:/confvol:ro"]
umask = "0077"
init = true
pids_limit = 77
dns_servers = ["192.0.2.53"]
tz = "UTC"
a_key_berth_does_not_know = "fine"
[engine]
num_locks = 2048
events_logger = "file"
image_default_transport = "docker://"
[network]
default_network = "podman"
EOF
  export CONTAINERS_CONF=$d/containers.conf
  run_berth run --rm $IMAGE sh -c 'echo $FROM_CONF $PATH; grep CapEff /proc/self/status; ulimit -n; cat /confvol/f; umask; grep nameserver /etc/resolv.conf; cat /proc/1/comm; true'
  assert "$output" == "1 /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CapEff:	0000000000002001
500
from-host
0077
nameserver 192.0.2.53
berth-init" "conf env under the image's PATH; CHOWN and NET_RAW only; its ulimit, volume, umask, dns and init"
  run_berth create --name $NAME $IMAGE true
  run_berth inspect --format '{{.HostConfig.PidsLimit}}' $NAME
  if is_rootless; then
    assert "$output" == 0 "rootless: no cgroup to apply it in, so the file's limit is left out (as podman on cgroups v1)"
  else
    assert "$output" == 77
  fi
  # the flags win over the file
  mkdir -p $d/mine
  echo from-flag > $d/mine/f
  run_berth run --rm --cap-drop chown --cap-add sys_admin --init=false --ulimit nofile=100:100 --umask 0022 \
    -e FROM_CONF=2 -v $d/mine:/confvol $IMAGE sh -c 'echo $FROM_CONF; grep CapEff /proc/self/status; ulimit -n; umask; cat /proc/1/comm /confvol/f; true'
  assert "$output" == "2
CapEff:	0000000000202000
100
0022
sh
from-flag"
  printf '[containers]\ninit = "yes"\n' > $d/bad.conf
  CONTAINERS_CONF=$d/bad.conf run_berth 125 run --rm $IMAGE true
  assert "$output" == "Error: $d/bad.conf: [containers] init must be true or false"
  printf '[containers\n' > $d/bad.conf
  CONTAINERS_CONF=$d/bad.conf run_berth 125 run --rm $IMAGE true
  assert "$output" =~ "^Error: $d/bad.conf: line 1: "
  CONTAINERS_CONF=$d/missing.conf run_berth 125 create $IMAGE true
  assert "$output" =~ "missing.conf: No such file or directory"
  unset CONTAINERS_CONF
  if is_rootless; then
    # rootless: the user's own file too ($XDG_CONFIG_HOME/containers, then its .d)
    mkdir -p $d/xdg/containers/containers.conf.d
    printf '[containers]\nenv = ["WHERE=user"]\n' > $d/xdg/containers/containers.conf
    printf '[containers]\nenv = ["WHERE=dropin"]\n' > $d/xdg/containers/containers.conf.d/10-x.conf
    XDG_CONFIG_HOME=$d/xdg run_berth run --rm $IMAGE sh -c 'echo $WHERE'
    assert "$output" == "dropin"
  fi
}

@test "logs of several containers: their lines merged in time order, each after its short id (-n: its name); -f follows all" {
  run_berth run -d --name $NAME-1 $IMAGE sh -c 'echo a; sleep 1.5; echo d; sleep 0.5'
  local c1=${output:0:12}
  run_berth run -d --name $NAME-2 $IMAGE sh -c 'sleep 0.5; echo b; sleep 0.5; echo c; sleep 1'
  local c2=${output:0:12}
  run_berth logs -f $NAME-1 $NAME-2
  assert "$output" == "$c1 a
$c2 b
$c2 c
$c1 d" "both followed to their ends, lines in the order they were written"
  run_berth logs -n --tail 1 $NAME-2 $NAME-1
  assert "$output" == "$NAME-2 c
$NAME-1 d" "--tail per container, then merged in time order; -n names them"
  run_berth logs $NAME-1
  assert "$output" == "a
d" "one container: no prefix"
  run_berth 125 logs $NAME-1 nosuch-$NAME
  assert "$output" =~ "no such container"
}

@test "stop: while it waits for the container, inspect says stopping; kill ends it with 137" {
  run_berth run -d --name $NAME $IMAGE sh -c "trap 'echo got-term' TERM; echo READY; while :; do sleep 0.2; done"
  local i
  for i in $(seq 50); do "$BERTH" logs $NAME | grep -q READY && break; sleep 0.1; done
  "$BERTH" stop -t 20 $NAME 3>&- &
  local stopper=$!
  for i in $(seq 50); do "$BERTH" logs $NAME | grep -q got-term && break; sleep 0.1; done
  run_berth inspect --format '{{.State.Status}} {{.State.Running}}' $NAME
  assert "$output" == "stopping false"
  run_berth ps -a --format '{{.Names}}'
  assert "$output" =~ "$NAME" "other commands go on while stop waits"
  run_berth kill $NAME
  run_berth wait $NAME
  assert "$output" == 137
  wait $stopper
  run_berth inspect --format '{{.State.Status}}' $NAME
  assert "$output" == "exited"
}

@test "run -w: a workdir the flag names must exist (126, podman's words); the image's WORKDIR is made; one a volume gives is fine" {
  run_berth 126 run --rm --workdir /i/do/not/exist $IMAGE pwd
  assert "$output" == 'Error: workdir "/i/do/not/exist" does not exist on container'
  mkdir -p $BATS_TEST_TMPDIR/v
  echo inside > $BATS_TEST_TMPDIR/v/content
  run_berth run --rm --workdir /NotOnTheImage -v $BATS_TEST_TMPDIR/v:/NotOnTheImage $IMAGE cat content
  assert "$output" == "inside"
  run_berth run --rm --workdir /NotOnTheImage2 -v $BATS_TEST_TMPDIR/v/content:/NotOnTheImage2/foo $IMAGE cat foo
  assert "$output" == "inside" "the mount point's parent exists by the time the workdir is entered"
  printf 'FROM %s\nWORKDIR /made/by/image\n' $IMAGE | "$BERTH" build -q -t $NAME-wd - >/dev/null
  run_berth run --rm $NAME-wd pwd
  assert "$output" == "/made/by/image"
  run_berth rmi $NAME-wd
}

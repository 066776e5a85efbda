#!/usr/bin/env bats   -*- bats -*-
#
# Pods: an infra container holding the namespaces, members that share them; create, ps,
# inspect, start, stop, kill, rm, prune; as root and rootless.

load helpers

setup() {
  POD=$(safename)
}

teardown() {
  "$BERTH" pod rm -a -f -t 0 >/dev/null 2>&1 || true
  "$BERTH" rm -a -f -t 0 >/dev/null 2>&1 || true
}

@test "pod: members share localhost, hostname and IPC through the infra container" {
  run_berth pod create --name $POD --label tier=web
  podid=$output
  assert "$podid" =~ "^[0-9a-f]{64}$" "create prints the pod's id"
  run_berth pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
  assert "$output" == "$POD Created 1" "a new pod: its infra container, created"
  run_berth ps -a --format '{{.Names}} {{.Image}} {{.Command}}'
  assert "$output" == "${podid:0:12}-infra localhost/berth-infra:latest /catatonit -P" "the infra container"
  run_berth run -d --pod $POD --name ${POD}-srv $IMAGE sh -c 'echo hello | nc -l -p 8080; sleep 100'
  run_berth pod ps --format '{{.Status}} {{.ContainerNames}}'
  assert "$output" == "Running ${podid:0:12}-infra,${POD}-srv" "running member and infra"
  for i in $(seq 50); do
    "$BERTH" exec ${POD}-srv netstat -ltn 2>/dev/null | grep -q ':8080 ' && break
    sleep 0.1
  done
  run_berth run --rm --pod $POD $IMAGE sh -c 'hostname; nc 127.0.0.1 8080 </dev/null; readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts'
  assert "${lines[0]}" == "$POD" "the pod's hostname"
  assert "${lines[1]}" == "hello" "localhost reaches the other member"
  mine="${lines[2]} ${lines[3]}"
  run_berth exec ${POD}-srv sh -c 'readlink /proc/self/ns/ipc; readlink /proc/self/ns/uts'
  assert "${lines[0]} ${lines[1]}" == "$mine" "the same IPC and UTS namespaces"
  run_berth pod inspect --format '{{.Name}} {{.State}} {{.NumContainers}} {{.Labels.tier}} {{.Hostname}}' $POD
  assert "$output" == "$POD Running 2 web $POD"
  run_berth pod inspect $POD
  assert "$(echo "$output" | jq -r '.SharedNamespaces | join(",")')" == "ipc,net,uts"
  run_berth ps --pod --format '{{.Names}} {{.Pod}} {{.PodName}}'
  assert "$output" =~ "${POD}-srv ${podid:0:12} $POD" "ps --pod names the pod"
  run_berth ps --filter pod=$POD --filter name=srv --format '{{.Names}}'
  assert "$output" == "${POD}-srv" "ps --filter pod=NAME"
  run_berth pod top $POD pid args
  assert "$output" =~ "/catatonit -P" "pod top: the infra's process"
  assert "$output" =~ "sleep 100" "and the member's"
  run_berth pod exists $POD
  run_berth 1 pod exists nosuchpod
}

@test "pod stop, start, kill, rm: all members and the infra; rm -f leaves nothing" {
  run_berth pod create --name $POD
  run_berth run -d --pod $POD --name ${POD}-a $IMAGE sleep 100
  run_berth run -d --pod $POD --name ${POD}-b $IMAGE sleep 100
  run_berth pod stop -t 0 $POD
  run_berth ps -a --filter status=running -q
  assert "$output" == "" "pod stop stopped every container"
  run_berth pod ps --format '{{.Status}}'
  assert "$output" == "Exited"
  run_berth pod start $POD
  run_berth ps -q
  assert "${#lines[@]}" == 3 "pod start started the infra and both members"
  run_berth pod kill $POD
  run_berth ps -q
  assert "$output" == "" "pod kill"
  run_berth pod start $POD
  run_berth 2 pod rm $POD
  assert "$output" =~ "cannot be removed without force"
  run_berth pod rm -f -t 0 $POD
  run_berth ps -a -q
  assert "$output" == "" "pod rm -f removed every container"
  run_berth pod ps -q
  assert "$output" == "" "and the pod"
  run_berth 1 pod rm nosuchpod
  assert "$output" == "Error: no pod with name or ID nosuchpod found: no such pod"
  run_berth pod rm --ignore nosuchpod
}

@test "run --pod new:NAME makes the pod; starting a member starts its infra; prune" {
  run_berth create --pod new:$POD --name ${POD}-c $IMAGE sleep 100
  run_berth pod ps --format '{{.Name}} {{.NumberOfContainers}}'
  assert "$output" == "$POD 2"
  run_berth start ${POD}-c
  run_berth pod ps --format '{{.Status}}'
  assert "$output" == "Running" "the infra was started with the member"
  run_berth stop -t 0 -a
  run_berth pod prune -f
  run_berth pod ps -q
  assert "$output" == "" "prune removed the stopped pod"
  run_berth ps -a -q
  assert "$output" == "" "and its containers"
}

@test "pod --exit-policy stop: the infra stops with the last member; continue keeps it" {
  run_berth pod create --exit-policy stop --name $POD
  run_berth run --pod $POD $IMAGE true
  run_berth pod ps --format '{{.Status}}'
  assert "$output" == "Exited" "the infra stopped after the only member exited"
  run_berth pod inspect --format '{{.ExitPolicy}}' $POD
  assert "$output" == "stop"
  run_berth pod create --name ${POD}c
  run_berth run --pod ${POD}c $IMAGE echo from-member
  run_berth pod ps --filter name=${POD}c --format '{{.Status}}'
  assert "$output" == "Degraded" "continue: the infra runs on"
  run_berth pod logs ${POD}c
  assert "$output" == "from-member" "pod logs: the members' logs"
}

@test "pod: bad input is one Error line, exit 125, nothing made" {
  run_berth pod create --name $POD
  run_berth 125 pod create --name $POD
  assert "$output" == "Error: $POD: pod already exists"
  run_berth 125 pod create --share cgroup,net ${POD}x
  assert "$output" =~ "^Error: invalid kernel namespace to share: cgroup"
  run_berth 125 pod create --exit-policy sometimes ${POD}y
  assert "$output" =~ "^Error: invalid pod exit policy"
  run_berth 125 pod create --infra=false -p 8080:80 ${POD}z
  assert "$output" =~ "^Error: you must have an infra container"
  run_berth 125 run --rm --pod $POD -p 8080:80 $IMAGE true
  assert "$output" =~ "published or exposed ports must be defined when the pod is created"
  run_berth 125 run --rm --pod nosuchpod $IMAGE true
  assert "$output" == "Error: no pod with name or ID nosuchpod found: no such pod"
  run_berth pod ps --format '{{.Name}}'
  assert "$output" == "$POD" "only the first pod exists"
  run_berth pod create --replace --name $POD
  run_berth pod ps -q
  assert "${#lines[@]}" == 1 "--replace: still one pod"
  infra=$("$BERTH" pod inspect --format '{{.InfraContainerID}}' $POD)
  run_berth 125 rm -f $infra
  assert "$output" == "Error: container $infra is the infra container of pod $POD and cannot be removed without removing the pod"
  run_berth rm -a -f
  run_berth container prune -f
  run_berth ps -a -q --no-trunc
  assert "$output" == "$infra" "rm -a and container prune leave a pod's infra container"
}

@test "pod create: of parallel creates of one name, one wins and nothing of the others is left" {
  for i in 1 2 3 4 5 6; do "$BERTH" pod create --name $POD >/dev/null 2>$BATS_TEST_TMPDIR/err.$i & done
  wait
  run_berth pod ps --format '{{.Name}}'
  assert "$output" == "$POD" "one pod of that name"
  run_berth ps -a -q
  assert "${#lines[@]}" == 1 "one infra container: the losers took theirs back out"
  assert "$(cat $BATS_TEST_TMPDIR/err.* | sort -u)" == "Error: $POD: pod already exists"
}

@test "pod --share +pid: members see each other's processes, the infra is their init" {
  run_berth pod create --name $POD --share +pid
  run_berth pod inspect --format '{{.SharedNamespaces}}' $POD
  assert "$output" == "[ipc net pid uts]" "the defaults and pid"
  run_berth run -d --pod $POD --name ${POD}-a $IMAGE sleep 1000
  run_berth run --rm --pod $POD $IMAGE ps -o pid,args
  assert "$output" =~ "1 /catatonit -P" "the infra is pid 1 of the pod"
  assert "$output" =~ "sleep 1000" "the other member's process is seen"
  run_berth exec ${POD}-a sh -c 'kill -0 1 && echo init-seen'
  assert "$output" == "init-seen"
  # a member that ends takes its other processes with it (its own cgroup; rootless: none)
  if ! is_rootless; then
    run_berth run --pod $POD $IMAGE sh -c 'sleep 900 & echo started'
    run_berth exec ${POD}-a ps -o args
    assert "$output" !~ "sleep 900" "the ended member's background process is gone"
  fi
  run_berth stop -t 0 ${POD}-a
  run_berth start ${POD}-a
  run_berth exec ${POD}-a ps -o args
  assert "$output" =~ "sleep 1000" "a restarted member joins the pod's pid namespace again"
  run_berth pod create --name ${POD}-none --share none
  run_berth pod inspect --format '{{.SharedNamespaces}}' ${POD}-none
  assert "$output" == "[]"
  run_berth 125 pod create --name ${POD}-bad --share pid,mnt
  assert "$output" == "Error: invalid kernel namespace to share: mnt: only net, uts, ipc and pid can be shared"
}

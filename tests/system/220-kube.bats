#!/usr/bin/env bats   -*- bats -*-
#
# kube generate / play / down: Kubernetes YAML from containers and pods, valid against the
# Kubernetes API schemas (tests/helpers/kube-validate.py, Debian's python3-kubernetes), and
# played back as pods. Published ports: run only through tests/system/in-netns.sh (a network
# namespace of the test's own; traffic to 127.0.0.1 only).

load helpers

VALIDATE="/usr/bin/python3 $BATS_TEST_DIRNAME/../helpers/kube-validate.py"

setup_file() {
  berth_setup_file
  if [ "${BERTH_TEST_NETNS:-}" != 1 ]; then
    skip "kube tests publish ports: run them in a namespace of their own: tests/system/in-netns.sh bats $BATS_TEST_FILENAME"
  fi
}

setup() {
  POD=$(safename)
  DIR=$BATS_TEST_TMPDIR
  NET=bridge  # -p needs a network that publishes; rootless, berth's is pasta
  if is_rootless; then NET=pasta; fi
}

teardown() {
  "$BERTH" pod rm -a -f -t 0 >/dev/null 2>&1 || true
  "$BERTH" rm -a -f -t 0 >/dev/null 2>&1 || true
  "$BERTH" volume rm -a -f >/dev/null 2>&1 || true
}

validate() {
  /usr/bin/python3 -c 'import kubernetes' 2>/dev/null || skip "python3-kubernetes (the schemas) is not installed"
  run $VALIDATE "$1"
  echo "$output"
  assert "$status" == 0 "valid Kubernetes: $output"
}

# field FILE KIND PYTHON-EXPR: a value of the document of that kind (d), via PyYAML.
field() {
  /usr/bin/python3 -c "import sys, yaml, json
d = [x for x in yaml.safe_load_all(open('$1')) if x and x['kind'] == '$2'][0]
v = $3
print(v if isinstance(v, str) else json.dumps(v))"
}

# The port is served (up to 5 s): the first line a connection to it gets (bash's /dev/tcp: no
# nc on the host).
port_says() {
  local i out
  for i in $(seq 50); do
    out=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -n 1 <&3" 2>/dev/null) && [ -n "$out" ] &&
      { echo "$out"; return 0; }
    sleep 0.1
  done
  return 1
}

# What the test compares before and after a round trip: from inspect and from inside.
describe() {
  "$BERTH" inspect --format '{{.Path}} {{json .Args}} {{.Config.WorkingDir}} {{json .Config.Healthcheck}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' $1
  "$BERTH" inspect --format '{{range .Config.Env}}{{.}} {{end}}' $1 | tr ' ' '\n' | sort | tr '\n' ' '
  echo
  "$BERTH" inspect --format '{{range .Mounts}}{{.Type}}:{{.Name}}:{{.Destination}}:{{.RW}} {{end}}' $1 |
    sed "s/volume:[0-9a-f]\{64\}:/volume:ANON:/g"
  "$BERTH" exec $1 sh -c 'grep CapEff /proc/self/status; hostname; ls /data'
}

@test "kube generate: a pod of two containers as valid Kubernetes: Pod, Service, Deployment" {
  mkdir -p $DIR/host
  run_berth volume create ${POD}-data
  run_berth pod create --name $POD --network $NET -p 18080:80 --label tier=web
  run_berth run -d --pod $POD --name ${POD}-srv -v ${POD}-data:/data -v $DIR/host:/host:ro --tmpfs /scratch:size=1m \
    -e FOO=bar --health-cmd 'test -d /data' --health-interval 5s --memory 64m --cpus 0.5 --cap-add NET_ADMIN \
    --cap-drop CHOWN -w /data -u 1000:1000 --read-only $IMAGE sleep 1000
  run_berth run -d --pod $POD --name ${POD}-side -v /anon $IMAGE sleep 999
  run_berth kube generate --service $POD
  echo "$output" > $DIR/pod.yaml
  assert "${lines[0]}" == "# Save the output of this file and use kubectl create -f to import" "podman's header"
  validate $DIR/pod.yaml
  assert "$(field $DIR/pod.yaml Service "d['spec']['ports']")" == '[{"name": "80", "port": 80, "targetPort": 80}]'
  assert "$(field $DIR/pod.yaml Service "d['spec']['selector']['app']")" == "$POD" "the Service selects the pod"
  assert "$(field $DIR/pod.yaml Pod "[c['name'] for c in d['spec']['containers']]")" == '["srv", "side"]' \
    "the members, without the pod's prefix, in creation order; no infra"
  local srv="[c for c in d['spec']['containers'] if c['name'] == 'srv'][0]"
  assert "$(field $DIR/pod.yaml Pod "$srv['ports']")" == '[{"containerPort": 80, "hostPort": 18080}]' "the pod's port"
  assert "$(field $DIR/pod.yaml Pod "$srv['command']")" == '["sleep", "1000"]'
  assert "$(field $DIR/pod.yaml Pod "$srv['env']")" == '[{"name": "FOO", "value": "bar"}]'
  assert "$(field $DIR/pod.yaml Pod "$srv['resources']")" == '{"limits": {"cpu": "500m", "memory": "64Mi"}}'
  assert "$(field $DIR/pod.yaml Pod "$srv['securityContext']")" == \
    '{"capabilities": {"add": ["CAP_NET_ADMIN"], "drop": ["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_MKNOD", "CAP_NET_RAW"]}, "readOnlyRootFilesystem": true, "runAsGroup": 1000, "runAsUser": 1000}'
  assert "$(field $DIR/pod.yaml Pod "$srv['livenessProbe']")" == \
    '{"exec": {"command": ["/bin/sh", "-c", "test -d /data"]}, "failureThreshold": 3, "periodSeconds": 5, "timeoutSeconds": 30}'
  assert "$(field $DIR/pod.yaml Pod "sorted(list(v.keys() - {'name'})[0] for v in d['spec']['volumes'])")" == \
    '["emptyDir", "emptyDir", "hostPath", "persistentVolumeClaim"]' "claim, hostPath, tmpfs and anonymous volumes"
  assert "$(field $DIR/pod.yaml Pod "[v['persistentVolumeClaim']['claimName'] for v in d['spec']['volumes'] if 'persistentVolumeClaim' in v]")" == "[\"${POD}-data\"]"
  assert "$(field $DIR/pod.yaml Pod "[v['emptyDir'] for v in d['spec']['volumes'] if 'emptyDir' in v]")" == '[{"medium": "Memory", "sizeLimit": "1m"}, {}]'
  assert "$(field $DIR/pod.yaml Pod "d['metadata']['labels']")" == "{\"app\": \"$POD\", \"tier\": \"web\"}"

  run_berth kube generate --type deployment --replicas 2 -f $DIR/dep.yaml $POD
  assert "$output" == "" "-f: the YAML goes to the file"
  validate $DIR/dep.yaml
  assert "$(field $DIR/dep.yaml Deployment "[d['spec']['replicas'], d['spec']['template']['spec']['restartPolicy']]")" == '[2, "Always"]'
  run_berth generate kube ${POD}-side
  echo "$output" > $DIR/ctr.yaml
  validate $DIR/ctr.yaml
  assert "$(field $DIR/ctr.yaml Pod "d['metadata']['name']")" == "${POD}-side-pod" "a lone container: a pod named after it"
  run_berth 125 kube generate --type job $POD
  assert "$output" == 'Error: invalid type "job": pod or deployment'
  run_berth 125 kube generate nosuchthing
  assert "${#lines[@]}" == 1 "one error line"
}

@test "kube play round trip: generate, pod rm -f, play gives back the containers, mounts, ports, env and check; down removes them" {
  mkdir -p $DIR/host
  run_berth volume create data-$POD
  run_berth run --rm -v data-$POD:/data $IMAGE sh -c 'echo kept > /data/file'
  run_berth pod create --name $POD --network $NET -p 18081:80
  run_berth run -d --pod $POD --name ${POD}-srv -v data-$POD:/data -v $DIR/host:/host:ro --tmpfs /scratch -e FOO=bar \
    --health-cmd 'test -d /data' --health-interval 2s --memory 64m --cpus 0.5 --cap-add NET_ADMIN -w /data $IMAGE sleep 1000
  run_berth run -d --pod $POD --name ${POD}-web -v data-$POD:/data $IMAGE sh -c 'while :; do echo hello-$FOO | nc -l -p 80; done'
  assert "$(port_says 18081)" == "hello-" "the pod's published port"
  local before_srv=$(describe ${POD}-srv) before_web=$(describe ${POD}-web)
  run_berth kube generate $POD
  echo "$output" > $DIR/rt.yaml
  run_berth pod rm -f -t 0 $POD
  run_berth kube play $DIR/rt.yaml
  mapfile -t lines < <(grep -v '^WARN' <<<"$output")  # rootless on cgroup v1: limits ignored, as podman warns
  podid=$("$BERTH" pod inspect --format '{{.Id}}' $POD)
  assert "${lines[0]}" == "Pod:"
  assert "${lines[1]}" == "$podid"
  assert "${lines[2]}" == "Containers:"
  assert "${#lines[@]}" == 5 "podman's report: the pod and its two containers"
  run_berth ps --format '{{.Names}}' --filter pod=$POD
  assert "$(sort <<<"$output" | tr '\n' ' ')" == "${podid:0:12}-infra ${POD}-srv ${POD}-web " "POD-CONTAINER names, running"
  assert "$(describe ${POD}-srv)" == "$before_srv" "srv: the same command, workdir, check, memory, env, mounts, caps, hostname, volume content"
  assert "$(describe ${POD}-web)" == "$before_web" "web: the same"
  assert "$(port_says 18081)" == "hello-" "the port is published again"
  run_berth healthcheck run ${POD}-srv
  run_berth kube down $DIR/rt.yaml
  assert "$output" == "Pods stopped:
$podid
Pods removed:
$podid"
  run_berth ps -a -q
  assert "$output" == "" "down leaves no container"
  run_berth pod ps -q
  assert "$output" == "" "and no pod"
  run_berth volume ls -q
  assert "$output" == "data-$POD" "the claim's volume stays (podman's down keeps volumes)"
  run timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/18081"
  assert "$status" != 0 "the port is closed"
}

@test "kube play: ConfigMap, Secret, claims, emptyDir, hostPath, init containers, Deployment, securityContext" {
  mkdir -p $DIR/host && echo from-host > $DIR/host/f
  cat > $DIR/cm.yaml <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data: {MODE: fast}
EOF
  cat > $DIR/app.yaml <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  COLOR: blue
  app.conf: "listen=80\\n"
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  password: $(printf s3cret | base64)
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: claim-$POD
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $POD
spec:
  replicas: 1
  selector: {matchLabels: {app: $POD}}
  template:
    metadata:
      labels: {app: $POD}
    spec:
      restartPolicy: Never
      initContainers:
      - name: init
        image: $IMAGE
        command: [sh, -c, "echo prepared > /claim/init"]
        volumeMounts: [{name: claim, mountPath: /claim}]
      containers:
      - name: main
        image: $IMAGE
        command: [sh, -c]
        args: ["echo \$COLOR \$PASSWORD \$MODE \$CFG_COLOR; cat /claim/init /conf/app.conf /host/f; id -u; pwd; sleep 100"]
        workingDir: /tmp
        env:
        - {name: COLOR, valueFrom: {configMapKeyRef: {name: settings, key: COLOR}}}
        - {name: PASSWORD, valueFrom: {secretKeyRef: {name: creds, key: password}}}
        - {name: MODE, valueFrom: {configMapKeyRef: {name: extra, key: MODE}}}
        envFrom:
        - {configMapRef: {name: settings}, prefix: CFG_}
        securityContext:
          runAsUser: 1000
          capabilities: {drop: [ALL]}
        resources: {limits: {memory: 32Mi}}
        volumeMounts:
        - {name: claim, mountPath: /claim}
        - {name: conf, mountPath: /conf, readOnly: true}
        - {name: host, mountPath: /host}
        - {name: scratch, mountPath: /scratch}
      volumes:
      - {name: claim, persistentVolumeClaim: {claimName: claim-$POD}}
      - {name: conf, configMap: {name: settings, items: [{key: app.conf, path: app.conf}]}}
      - {name: host, hostPath: {path: $DIR/host, type: Directory}}
      - {name: scratch, emptyDir: {}}
EOF
  validate $DIR/app.yaml
  run_berth kube play --configmap $DIR/cm.yaml $DIR/app.yaml
  local rep=$(grep -v '^WARN' <<<"$output")  # rootless on cgroup v1: memory limits are ignored, as podman warns
  assert "$rep" =~ "^Volume:
claim-$POD
Volume:
settings
Pod:" "the claim's volume and the ConfigMap's, then the pod"
  run_berth ps -a --format '{{.Names}}' --filter name=${POD}-pod-
  assert "$output" == "${POD}-pod-main" "a Deployment's pod is NAME-pod; the init container ran and is gone"
  for i in $(seq 50); do
    run_berth logs ${POD}-pod-main
    [ "${#lines[@]}" -ge 6 ] && break
    sleep 0.1
  done
  assert "${lines[0]}" == "blue s3cret fast blue" "env from a ConfigMap key, a Secret key, --configmap, envFrom with a prefix"
  assert "${lines[1]}" == "prepared" "the init container wrote the claim first"
  assert "${lines[2]}" == "listen=80" "the ConfigMap's key as a file"
  assert "${lines[3]}" == "from-host" "hostPath"
  assert "${lines[4]}" == "1000" "runAsUser"
  assert "${lines[5]}" == "/tmp" "workingDir"
  run_berth inspect --format '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}} {{len .EffectiveCaps}}' ${POD}-pod-main
  assert "$output" == "33554432  0" "resources, restartPolicy Never, capabilities drop ALL"
}

@test "kube play: bad input is one Error line, exit 125, nothing made" {
  bad() {
    local want=$1
    cat > $DIR/bad.yaml
    run_berth 125 kube play $DIR/bad.yaml
    assert "$(grep -c '^Error: ' <<<"$output")" == 1 "one error line: $output"
    assert "${lines[-1]}" =~ "^Error: .*$want" "the error names the problem"
    run_berth pod ps -q
    assert "$output" == "" "no pod made"
    run_berth ps -a -q
    assert "$output" == "" "no container made"
    run_berth volume ls -q
    assert "$output" == "" "no volume made"
  }
  bad "not a mapping" <<<'- just a list'
  bad 'unsupported kind "CronJob"' <<<$'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}'
  bad "yaml: line" <<<$'kind: Pod\nmetadata: [unclosed'
  bad "without a kind" <<<'metadata: {name: x}'
  bad "unexpected text" <<<$',\n- '  # yaml-cpp 0.7 alone loops here for ever
  bad "a control character" < <(printf 'kind: Pod\nmetadata: {name: a\001}\n')
  local laughs='a: &a [x, x, x, x, x, x, x, x, x, x]' p=a n
  for n in b c d e f g; do laughs+=$'\n'"$n: &$n [*$p, *$p, *$p, *$p, *$p, *$p, *$p, *$p, *$p, *$p]"; p=$n; done
  bad "more values than berth reads" <<<"$laughs"
  # A pod of $POD whose spec continues with the lines given; a ConfigMap "settings" before it.
  local pod="apiVersion: v1
kind: Pod
metadata: {name: $POD}
spec:
  containers:"
  local settings="apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {A: b}
---"
  bad "container a" <<<"$(printf 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\n---\n')
$pod
  - {name: a, image: localhost/no-such-image-here:1}"
  bad "two containers named a" <<<"$pod
  - {name: a, image: $IMAGE}
  - {name: a, image: $IMAGE}"
  bad "hostPath $DIR/nope: no such file or directory" <<<"$pod
  - {name: a, image: $IMAGE, volumeMounts: [{name: h, mountPath: /h}]}
  volumes:
  - {name: h, hostPath: {path: $DIR/nope}}"
  bad "ConfigMap settings has no key MISSING" <<<"$settings
$pod
  - {name: a, image: $IMAGE, env: [{name: X, valueFrom: {configMapKeyRef: {name: settings, key: MISSING}}}]}"
  bad "not a relative path inside the volume" <<<"$settings
$pod
  - {name: a, image: $IMAGE, volumeMounts: [{name: c, mountPath: /c}]}
  volumes:
  - {name: c, configMap: {name: settings, items: [{key: A, path: ../../escape}]}}"
  run_berth 125 kube play $DIR/does-not-exist.yaml
  assert "${#lines[@]}" == 1
}

@test "kube play --start=false, --replace, - (stdin), play --down; a name in use" {
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n  - {name: a, image: %s, command: [sleep, "100"]}\n' $POD $IMAGE > $DIR/p.yaml
  run_berth kube play --start=false $DIR/p.yaml
  run_berth pod ps --format '{{.Name}} {{.Status}}'
  assert "$output" == "$POD Created" "--start=false: created, not started"
  run_berth 125 kube play $DIR/p.yaml
  assert "$output" =~ "^Error: .*pod $POD already exists" "a pod of that name"
  old=$("$BERTH" pod inspect --format '{{.Id}}' $POD)
  run bash -c "'$BERTH' kube play --replace - < $DIR/p.yaml"
  assert "$status" == 0 "play --replace from standard input: $output"
  new=$("$BERTH" pod inspect --format '{{.Id}}' $POD)
  assert "$new" != "$old" "replaced"
  run_berth ps --format '{{.Names}} {{.Status}}' --filter name=$POD-a
  assert "$output" =~ "^$POD-a Up" "started"
  run_berth kube play --down $DIR/p.yaml
  assert "${lines[0]}" == "Pods stopped:"
  run_berth pod ps -q
  assert "$output" == ""
  run_berth kube down $DIR/p.yaml
  assert "$output" == "" "down again: nothing to do"
  run_berth create --name $POD-a $IMAGE true
  run_berth 125 kube play $DIR/p.yaml
  assert "$output" =~ "container name \"$POD-a\" is already in use"
  run_berth pod ps -q
  assert "$output" == "" "nothing made"
}

@test "kube: shareProcessNamespace is a pod sharing pid, both ways" {
  run_berth pod create --name $POD --share +pid
  run_berth run -d --pod $POD --name $POD-a $IMAGE sleep 1000
  run_berth kube generate $POD
  echo "$output" > $DIR/pid.yaml
  assert "$output" =~ "shareProcessNamespace: true"
  run $VALIDATE $DIR/pid.yaml
  assert "$status" == 0 "valid: $output"
  run_berth pod rm -f -t 0 $POD
  run_berth kube play $DIR/pid.yaml
  run_berth pod inspect --format '{{.SharedNamespaces}}' $POD
  assert "$output" == "[ipc net pid uts]"
  run_berth exec $POD-a ps -o pid,args
  assert "$output" =~ "1 /catatonit -P" "the member sees the infra: one pid namespace"
  run_berth kube down $DIR/pid.yaml
}

@test "kube play --build: an image directory next to the YAML is built when missing, always with --build, never with --build=false" {
  app=app$(random_string 6 | tr A-Z a-z)
  mkdir -p $DIR/$app
  printf 'FROM %s\nRUN echo built-by-play > /built\n' $IMAGE > $DIR/$app/Containerfile
  printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: %s}\nspec:\n  containers:\n  - {name: a, image: %s, command: [sleep, "100"]}\n' $POD $app > $DIR/b.yaml
  cd $DIR
  run_berth kube play b.yaml
  assert "$output" =~ "STEP 2/2: RUN echo built-by-play" "the missing image is built"
  run_berth exec $POD-a cat /built
  assert "$output" == "built-by-play"
  run_berth kube down b.yaml
  run_berth kube play b.yaml
  assert "$output" !~ "STEP" "the image is here: no build"
  run_berth kube down b.yaml
  cd /
  run_berth kube play --build --context-dir $DIR $DIR/b.yaml
  assert "$output" =~ "STEP 1/2" "--build: built again, from --context-dir"
  run_berth kube down $DIR/b.yaml
  run_berth rmi $app
  run_berth 125 kube play --build=false --context-dir $DIR $DIR/b.yaml
  assert "$output" !~ "STEP" "--build=false: never built"
  run_berth pod ps -q
  assert "$output" == "" "nothing made"
  run_berth 125 kube play --build=sometimes $DIR/b.yaml
  assert "$output" == 'Error: invalid --build "sometimes": true or false'
}

@test "kube play of YAML podman wrote (differential)" {
  skip_if_rootless "podman's store here is root's"
  command -v podman >/dev/null || skip "podman is not installed"
  local P="podman --root $DIR/proot --runroot $DIR/prun --storage-driver vfs --runtime runc"
  $P load -q -i "$BERTH_TEST_IMAGES/bb.tar" >/dev/null || skip "podman cannot load images here"
  $P volume create pvol >/dev/null
  $P create --name $POD -p 18082:80 -e FOO=from-podman -v pvol:/data -w /data --cap-drop CHOWN \
    localhost/bbtest:latest sh -c 'while :; do echo $FOO-$(pwd) | nc -l -p 80; done' >/dev/null
  $P generate kube --service $POD > $DIR/podman.yaml
  run_berth tag $IMAGE localhost/bbtest:latest
  validate $DIR/podman.yaml
  run_berth kube play $DIR/podman.yaml
  assert "$(port_says 18082)" == "from-podman-/data" "podman's env, workdir and hostPort, under berth"
  run_berth exec ${POD}-pod-$POD sh -c 'test -d /data && echo data'
  assert "$output" == "data" "podman's claim is a berth volume"
  run_berth kube down $DIR/podman.yaml
  $P rm -f $POD >/dev/null
  $P volume rm -f pvol >/dev/null
}

@test "kube: YAML berth wrote plays under podman (differential; skipped where podman's pods cannot run)" {
  skip_if_rootless "podman's store here is root's"
  command -v podman >/dev/null || skip "podman is not installed"
  local P="podman --root $DIR/proot --runroot $DIR/prun --storage-driver vfs --runtime runc"
  $P load -q -i "$BERTH_TEST_IMAGES/bb.tar" >/dev/null || skip "podman cannot load images here"
  run_berth tag $IMAGE localhost/bbtest:latest
  run_berth run -d --name $POD --network bridge -p 18083:80 -e FOO=from-berth -w /tmp localhost/bbtest:latest \
    sh -c 'while :; do echo $FOO-$(pwd) | nc -l -p 80; done'
  run_berth kube generate $POD
  echo "$output" > $DIR/berth.yaml
  run_berth rm -f -t 0 $POD
  run $P kube play $DIR/berth.yaml
  if [ "$status" -ne 0 ]; then
    $P pod rm -a -f >/dev/null 2>&1 || true
    skip "podman's kube play does not work on this host: ${output##*$'\n'}"
  fi
  assert "$(port_says 18083)" == "from-berth-/tmp" "berth's env, workdir and hostPort, under podman"
  $P kube down $DIR/berth.yaml >/dev/null
}

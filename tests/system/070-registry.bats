#!/usr/bin/env bats   -*- bats -*-
#
# pull, push, login, logout and run --pull against a real registry (Debian's docker-registry
# on 127.0.0.1: plain HTTP, TLS, htpasswd) and a fake one for faults.

load helpers
load helpers.registry

setup_file() {
  berth_setup_file
  command -v docker-registry >/dev/null || return 0
  export REG_DIR=$BATS_FILE_TMPDIR/reg
  export REG=$(start_registry $REG_DIR)
  # Nothing outside this file's tmp dir is read or written: no user auth file, no host
  # registries.conf.
  export REGISTRY_AUTH_FILE=$BATS_FILE_TMPDIR/auth.json
  export CONTAINERS_REGISTRIES_CONF=$BATS_FILE_TMPDIR/registries.conf
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" > $CONTAINERS_REGISTRIES_CONF
}

teardown_file() {
  [ -n "${REG_DIR:-}" ] && stop_server $REG_DIR
  return 0
}

setup() {
  need_registry
  T=$BATS_TEST_TMPDIR
}

# A fresh store for pulling into, so that nothing is found locally.
fresh_store() {
  export BERTH_ROOT=$T/root BERTH_RUNROOT=$T/run
}

# For the fake registry: the test image as an OCI layout in $T/layout, no registries.conf, and
# an empty fresh store whose snapshot is in $before.
layout_and_empty_store() {
  "$BERTH" save --format oci-dir -o $T/layout $IMAGE
  printf 'unqualified-search-registries = []\n' > $T/reg.conf
  export CONTAINERS_REGISTRIES_CONF=$T/reg.conf
  fresh_store
  "$BERTH" images >/dev/null
  before=$(store_snapshot)
}

@test "push then pull: same digests, the image runs, the manifest is kept byte for byte" {
  run_berth push --digestfile $T/digest $IMAGE $REG/t/bb:1
  assert "$output" =~ "Writing manifest to image destination"
  digest=$(cat $T/digest)
  assert "$digest" =~ '^sha256:[0-9a-f]{64}$'
  id=$("$BERTH" image inspect --format '{{.Id}}' $IMAGE)
  # What the registry has is what the store had.
  accept='Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
  assert "$(curl -s -H "$accept" http://$REG/v2/t/bb/manifests/1 | sha256sum | cut -d' ' -f1)" == "${digest#sha256:}"

  fresh_store
  run_berth pull $REG/t/bb:1
  assert "${lines[-1]}" == "$id" "pull prints the image id"
  assert "$output" =~ "Trying to pull $REG/t/bb:1"
  assert "$output" =~ "Copying blob"
  run_berth images --digests --format '{{.Repository}}:{{.Tag}} {{.Digest}}'
  assert "$output" == "$REG/t/bb:1 $digest"
  run_berth run --rm $REG/t/bb:1 cat /var/data/added.txt
  assert "$output" == "layer two"
  run_berth run --rm $REG/t/bb:1 ls /var/data
  assert "$output" !~ "deleted" "the whiteout came through"
  # By digest, and a second pull of what is there downloads nothing.
  run_berth pull $REG/t/bb@$digest
  assert "$output" =~ "skipped: already exists"
  assert "$output" !~ "blob sha256:[0-9a-f]{12} done"
  run_berth run --rm $REG/t/bb@$digest true
  leak_check
}

@test "pull -q prints only the id; pull of several layers in parallel leaves no temp dirs" {
  run_berth push -q $IMAGE $REG/t/q:1
  assert "$output" == ""
  fresh_store
  run_berth pull -q $REG/t/q:1
  assert "$output" =~ '^[0-9a-f]{64}$'
  assert "$(tmp_entries)" == ""
  assert "$(ls $BERTH_ROOT/layers | wc -l)" == "2"
}

@test "push --format: v2s2 and oci manifests, read back from the registry" {
  run_berth push --format v2s2 $IMAGE $REG/t/fmt:v2
  run_berth push --format oci $IMAGE $REG/t/fmt:oci
  v2=$(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' http://$REG/v2/t/fmt/manifests/v2)
  oci=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$REG/v2/t/fmt/manifests/oci)
  assert "$(echo "$v2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mediaType"])')" == \
    "application/vnd.docker.distribution.manifest.v2+json"
  assert "$(echo "$oci" | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["mediaType"], m["config"]["mediaType"])')" == \
    "application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.config.v1+json"
  run_berth 125 push --format v3 $IMAGE $REG/t/fmt:x
  assert "$output" =~ "unsupported manifest format"
  fresh_store
  run_berth pull -q $REG/t/fmt:oci
  run_berth pull -q $REG/t/fmt:v2
  run_berth run --rm $REG/t/fmt:oci cat /var/data/base.txt
  assert "$output" == "base"
}

@test "push skips blobs the registry has and mounts them from another repository" {
  run_berth push $IMAGE $REG/t/src:1
  run_berth push $IMAGE $REG/t/src:2
  assert "$output" =~ "blob sha256:[0-9a-f]{12} skipped: already exists"
  assert "$output" !~ " done"
  # The image also carries the name t/src: its blobs are mounted into t/dst, not sent.
  run_berth tag $IMAGE $REG/t/src:1
  run_berth push $REG/t/src:1 $REG/t/dst:1
  assert "$output" =~ "skipped: mounted from t/src"
  grep -q 'POST /v2/t/dst/blobs/uploads/?mount=sha256.*from=t%2Fsrc HTTP/1.1" 201' $REG_DIR/log
  run_berth untag $IMAGE $REG/t/src:1
}

@test "pull of an index picks this machine's platform; --platform and --arch pick others" {
  case $(uname -m) in x86_64) here=amd64 ;; aarch64) here=arm64 ;; *) here=$(uname -m) ;; esac
  # Two different images: the test image and a one-layer import of its root filesystem.
  run_berth import $BERTH_TEST_IMAGES/rootfs.tar localhost/other:1
  other_id=$output
  run_berth push --format oci --digestfile $T/a $IMAGE $REG/t/multi:a
  run_berth push --format oci --digestfile $T/b localhost/other:1 $REG/t/multi:b
  size() { curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' http://$REG/v2/t/multi/manifests/$1 | wc -c; }
  cat > $T/index.json <<EOF
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$(cat $T/b)","size":$(size b),"platform":{"os":"linux","architecture":"s390x"}},
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$(cat $T/a)","size":$(size a),"platform":{"os":"linux","architecture":"$here"}}]}
EOF
  curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary @$T/index.json \
    http://$REG/v2/t/multi/manifests/idx
  index_digest=sha256:$(sha256sum < $T/index.json | cut -d' ' -f1)
  id=$("$BERTH" image inspect --format '{{.Id}}' $IMAGE)
  fresh_store
  run_berth pull -q $REG/t/multi:idx
  assert "$output" == "$id" "the host's platform"
  run_berth pull -q --platform linux/s390x $REG/t/multi:idx
  assert "$output" == "$other_id" "--platform"
  run_berth pull -q --arch s390x $REG/t/multi@$index_digest
  assert "$output" == "$other_id" "--arch, by the index's digest"
  run_berth image exists $REG/t/multi@$index_digest
  run_berth 125 pull -q --platform linux/ppc64le $REG/t/multi:idx
  assert "$output" =~ "ppc64le"
  assert "$output" =~ "s390x" "the error lists what the index offers"

  # build: FROM --platform pulls that platform's image from the index (the local one is this
  # machine's) and the new image is for it; with no RUN nothing needs to execute s390x code
  fresh_store
  run_berth pull -q $REG/t/multi:idx
  mkdir -p $T/ctx
  echo x > $T/ctx/x
  printf 'FROM --platform=linux/s390x %s\nCOPY x /x\n' $REG/t/multi:idx > $T/ctx/Containerfile
  run_berth build -q -t cross $T/ctx
  run_berth image inspect --format '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}' cross
  assert "$output" == "linux/s390x 2" "the s390x entry (one layer) and the COPY"
  printf 'FROM %s\nCOPY x /x\n' $REG/t/multi:idx > $T/ctx/Containerfile
  run_berth build -q --platform linux/s390x -t cross2 $T/ctx
  run_berth image inspect --format '{{.Architecture}} {{len .RootFS.Layers}}' cross2
  assert "$output" == "s390x 2" "build --platform does the same for every FROM"
}

@test "pull: unknown repository or tag, registry down, TLS refused without --tls-verify=false" {
  fresh_store
  run_berth 125 pull $REG/t/nothing-here:1
  assert "$output" =~ "Error: reading manifest 1 in $REG/t/nothing-here: manifest unknown"
  run_berth 125 pull $REG/t/bb:no-such-tag
  assert "$output" =~ "manifest unknown"
  port=$(free_port)
  run_berth 125 pull 127.0.0.1:$port/t/bb:1
  assert "$output" =~ "pinging container registry 127.0.0.1:$port"
  # Plain HTTP is never used unless asked for (the registries.conf entry says insecure for $REG only).
  printf 'unqualified-search-registries = []\n' > $T/empty.conf
  CONTAINERS_REGISTRIES_CONF=$T/empty.conf run_berth 125 pull $REG/t/bb:1
  assert "$output" =~ "pinging container registry"
  CONTAINERS_REGISTRIES_CONF=$T/empty.conf run_berth 125 pull --tls-verify=true $REG/t/bb:1
  run_berth 125 pull --tls-verify=maybe $REG/t/bb:1
  assert "$output" =~ "--tls-verify"
  assert "$(tmp_entries)" == "" "nothing left behind"
  assert "$(ls $BERTH_ROOT/images 2>/dev/null)" == ""
}

@test "TLS: a throw-away CA is refused, then trusted with --cert-dir; --tls-verify=false skips the check" {
  tls=$(start_registry $T/tls tls)
  touch $T/none.conf
  CONTAINERS_REGISTRIES_CONF=$T/none.conf run_berth push --cert-dir $T/tls $IMAGE $tls/t/bb:1
  fresh_store
  CONTAINERS_REGISTRIES_CONF=$T/none.conf run_berth 125 pull $tls/t/bb:1
  assert "$output" =~ "pinging container registry $tls"
  CONTAINERS_REGISTRIES_CONF=$T/none.conf run_berth pull -q --cert-dir $T/tls $tls/t/bb:1
  CONTAINERS_REGISTRIES_CONF=$T/none.conf run_berth pull -q --tls-verify=false $tls/t/bb:1
  run_berth run --rm $tls/t/bb:1 true
  stop_server $T/tls
}

@test "login, logout, --get-login, --creds against htpasswd basic auth" {
  auth=$(start_registry $T/auth htpasswd alice s3cret)
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$auth" > $T/reg.conf
  export CONTAINERS_REGISTRIES_CONF=$T/reg.conf
  af=$T/auth.json
  run_berth 125 push --authfile $af $IMAGE $auth/t/bb:1
  assert "$output" =~ "authentication required|unauthorized"
  run_berth 125 login --authfile $af -u alice -p wrong $auth
  assert "$output" =~ "invalid username/password"
  [ ! -e $af ] || assert "$(cat $af)" !~ "$auth" "a failed login stores nothing"
  run_berth login --authfile $af -u alice -p s3cret $auth
  assert "$output" == "Login Succeeded!"
  assert "$(stat -c %a $af)" == "600"
  assert "$(python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"]).decode())' $af $auth)" == "alice:s3cret"
  run_berth login --authfile $af --get-login $auth
  assert "$output" == "alice"
  run_berth push --authfile $af $IMAGE $auth/t/bb:1
  fresh_store
  run_berth pull -q --authfile $af $auth/t/bb:1
  run_berth logout --authfile $af $auth
  assert "$output" == "Removed login credentials for $auth"
  run_berth 125 logout --authfile $af $auth
  assert "$output" =~ "not logged into $auth"
  run_berth 125 login --authfile $af --get-login $auth
  run_berth 125 pull --authfile $af $auth/t/bb:1
  run_berth pull -q --creds alice:s3cret $auth/t/bb:1
  run_berth 125 pull --creds alice:nope $auth/t/bb:1
  echo s3cret | run_berth login --authfile $af -u alice --password-stdin $auth
  # The default file: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json.
  run_berth login -u alice -p s3cret $auth
  grep -q "$auth" $REGISTRY_AUTH_FILE
  REGISTRY_AUTH_FILE= XDG_RUNTIME_DIR=$T/xdg run_berth login -u alice -p s3cret $auth
  grep -q "$auth" $T/xdg/containers/auth.json
  # Docker's config.json is read when the containers file has nothing.
  mkdir -p $T/home/.docker
  echo "{\"auths\":{\"$auth\":{\"auth\":\"$(printf alice:s3cret | base64)\"}}}" > $T/home/.docker/config.json
  fresh_store
  HOME=$T/home REGISTRY_AUTH_FILE=$T/empty.json run_berth pull -q $auth/t/bb:1
  run_berth logout --authfile $af --all
  assert "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["auths"]))' $af)" == "0"
  run_berth 125 login --authfile $af -u alice $auth
  assert "$output" =~ "password"
  stop_server $T/auth
}

@test "bearer tokens: fetched from the challenge's realm with the credentials, reused across requests" {
  "$BERTH" save --format oci-dir -o $T/layout $IMAGE
  fake=$(start_fake $T/fake $T/layout bearer=bob:pw)
  printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$fake" > $T/reg.conf
  export CONTAINERS_REGISTRIES_CONF=$T/reg.conf
  fresh_store
  run_berth 125 pull $fake/t/bb:latest
  assert "$output" =~ "unable to retrieve auth token"
  run_berth 125 pull --creds bob:wrong $fake/t/bb:latest
  assert "$output" =~ "invalid username/password"
  run_berth pull -q --creds bob:pw $fake/t/bb:latest
  # One token for the repository's pull scope served the manifest, the config and both layers
  # (the failed attempt above counted none).
  assert "$(cat $T/fake/port.tokens)" == "1"
  run_berth run --rm $fake/t/bb:latest cat /var/data/added.txt
  assert "$output" == "layer two"
  stop_server $T/fake
}

@test "faults: corrupt blob, truncated blob, bad and huge manifests, redirects; nothing is published" {
  layout_and_empty_store
  check_clean() {
    assert "$(store_snapshot)" == "$before" "$1: the store is unchanged"
    assert "$(tmp_entries)" == "" "$1: no temp dir is left"
  }
  f=$(start_fake $T/f1 $T/layout corrupt-blobs)
  run_berth 125 pull --tls-verify=false $f/t/bb:latest
  assert "$output" =~ "does not match its digest"
  check_clean corrupt
  stop_server $T/f1

  f=$(start_fake $T/f2 $T/layout truncate-blobs=3000)
  run_berth 125 pull --tls-verify=false $f/t/bb:latest
  check_clean truncated
  stop_server $T/f2

  echo 'this is not json' > $T/bad.json
  f=$(start_fake $T/f3 $T/layout manifest-body=$T/bad.json)
  run_berth 125 pull --tls-verify=false $f/t/bb:latest
  assert "$output" =~ "manifest"
  check_clean not-json
  stop_server $T/f3

  f=$(start_fake $T/f4 $T/layout manifest-huge)
  run_berth 125 pull --tls-verify=false $f/t/bb:latest
  assert "$output" =~ "larger than"
  check_clean huge
  stop_server $T/f4

  f=$(start_fake $T/f5 $T/layout redirect-blobs=file:///etc)
  run_berth 125 pull --tls-verify=false $f/t/bb:latest
  check_clean file-redirect
  stop_server $T/f5

  # A redirect to another host (as registries send blobs to a CDN) is followed.
  cdn=$(start_fake $T/cdn $T/layout)
  f=$(start_fake $T/f6 $T/layout redirect-blobs=http://$cdn)
  run_berth pull -q --tls-verify=false $f/t/bb:latest
  stop_server $T/f6
  stop_server $T/cdn
  # After the faults, a clean pull works: nothing half-done was left to trip over.
  run_berth run --rm $f/t/bb:latest cat /var/data/added.txt
  assert "$output" == "layer two"
}

@test "Ctrl-C during a pull leaves the store clean, and the next pull succeeds" {
  layout_and_empty_store
  slow=$(start_fake $T/slow $T/layout slow-blobs)
  "$BERTH" pull --tls-verify=false $slow/t/bb:latest > $T/out 2>&1 &
  pid=$!
  wait_for_output "Getting image source signatures" $T/out
  sleep 0.5
  assert "$(ls -A $BERTH_ROOT/tmp)" != "" "the pull is under way"
  kill -INT $pid
  run wait $pid
  assert "$status" != 0
  # On a terminal the pull shows a live byte count.
  if command -v script >/dev/null; then
    timeout -s INT 3 script -qfec "$BERTH pull --tls-verify=false $slow/t/bb:latest" $T/typescript >/dev/null 2>&1 || true
    assert "$(cat $T/typescript)" =~ "Copying blobs: [0-9.]+ ?[kKMG]?B / " "progress on a terminal"
  fi
  stop_server $T/slow
  assert "$(store_snapshot)" == "$before" "no image, layer or blob was published"
  fast=$(start_fake $T/fast $T/layout)
  run_berth pull -q --tls-verify=false $fast/t/bb:latest
  assert "$(tmp_entries)" == "" "the interrupted pull's temp dirs were swept"
  stop_server $T/fast
}

@test "run --pull: missing pulls, never refuses, always pulls again, newer checks the digest" {
  run_berth push -q $IMAGE $REG/t/run:1
  fresh_store
  run_berth 125 run --rm --pull=never $REG/t/run:1 true
  assert "$output" =~ "image not known"
  run_berth run --rm $REG/t/run:1 cat /var/data/added.txt
  assert "${lines[-1]}" == "layer two"
  assert "$output" =~ "Trying to pull"
  run_berth run --rm $REG/t/run:1 true
  assert "$output" !~ "Trying to pull" "present: not pulled again"
  run_berth run --rm --pull=always $REG/t/run:1 true
  assert "$output" =~ "Trying to pull"
  run_berth run --rm --pull=newer $REG/t/run:1 true
  assert "$output" !~ "Trying to pull" "same digest: not pulled"
  run_berth create -q --pull=always --name $(safename) $REG/t/run:1
  run_berth rm -a
  run_berth 125 run --pull=sometimes $REG/t/run:1 true
  assert "$output" =~ "invalid pull policy"
  run_berth 125 run --rm $REG/t/absent:1 true
  assert "$output" =~ "manifest unknown"
}

@test "short names: unqualified-search-registries, aliases, enforcing mode without a terminal" {
  run_berth push -q $IMAGE $REG/shorty:1
  run_berth push -q $IMAGE $REG/library/shorty:1
  run_berth push -q $IMAGE $REG/aliased/thing:2
  fresh_store
  cat > $T/reg.conf <<EOF
unqualified-search-registries = ["$REG"]

[[registry]]
location = "$REG"
insecure = true

[aliases]
"myalias" = "$REG/aliased/thing"
EOF
  export CONTAINERS_REGISTRIES_CONF=$T/reg.conf
  run_berth pull shorty:1
  assert "$output" =~ "Trying to pull $REG/shorty:1"
  run_berth pull -q myalias:2
  run_berth image exists $REG/aliased/thing:2
  run_berth run --rm shorty:1 true
  # Two search registries and no terminal to ask on: refused, as podman does.
  printf 'unqualified-search-registries = ["%s", "example.invalid"]\n' "$REG" > $T/two.conf
  CONTAINERS_REGISTRIES_CONF=$T/two.conf run_berth 125 pull other:1
  assert "$output" =~ "short-name resolution enforced but cannot prompt without a TTY"
  printf 'unqualified-search-registries = ["%s", "example.invalid"]\nshort-name-mode = "permissive"\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REG" "$REG" > $T/perm.conf
  CONTAINERS_REGISTRIES_CONF=$T/perm.conf run_berth pull -q library/shorty:1
  printf 'unqualified-search-registries = [\n' > $T/broken.conf
  CONTAINERS_REGISTRIES_CONF=$T/broken.conf run_berth 125 pull shorty:1
  assert "$output" =~ "broken.conf"
}

@test "interop: an image skopeo copied is pulled; what berth pushes skopeo inspects" {
  command -v skopeo >/dev/null || skip "skopeo is not installed"
  skopeo copy -q --dest-tls-verify=false oci-archive:$BERTH_TEST_IMAGES/bb-oci.tar docker://$REG/t/skopeo:1
  fresh_store
  run_berth pull -q $REG/t/skopeo:1
  run_berth run --rm $REG/t/skopeo:1 cat /var/data/added.txt
  assert "$output" == "layer two"
  run_berth push -q $REG/t/skopeo:1 $REG/t/back:1
  run skopeo inspect --tls-verify=false docker://$REG/t/back:1
  assert "$status" == 0
  assert "$(echo "$output" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["Layers"]))')" == "2"
}

@test "pull: zstd and gzip layers (an OCI image whose layers are recompressed here)" {
  command -v zstd >/dev/null || skip "zstd is not installed"
  layout_and_empty_store
  # Recompress the two plain layers: the first with zstd, the second with gzip; rewrite the
  # manifest (digests, sizes, media types) and the index.
  python3 - $T/layout <<'PY'
import hashlib, json, os, subprocess, sys
d = sys.argv[1]
blob = lambda h: os.path.join(d, "blobs", "sha256", h)
def put(data):
    h = hashlib.sha256(data).hexdigest()
    open(blob(h), "wb").write(data)
    return "sha256:" + h, len(data)
index = json.load(open(os.path.join(d, "index.json")))
m = index["manifests"][0]
man = json.load(open(blob(m["digest"][7:])))
for l, (tool, mt) in zip(man["layers"], [(["zstd", "-q", "-c"], "+zstd"), (["gzip", "-c"], "+gzip")]):
    raw = open(blob(l["digest"][7:]), "rb").read()
    comp = subprocess.run(tool, input=raw, capture_output=True, check=True).stdout
    l["digest"], l["size"] = put(comp)
    l["mediaType"] = "application/vnd.oci.image.layer.v1.tar" + mt
man["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
man["config"]["mediaType"] = "application/vnd.oci.image.config.v1+json"
m["digest"], m["size"] = put(json.dumps(man).encode())
m["mediaType"] = man["mediaType"]
json.dump(index, open(os.path.join(d, "index.json"), "w"))
PY
  f=$(start_fake $T/z $T/layout)
  run_berth pull -q --tls-verify=false $f/t/bb:latest
  run_berth run --rm $f/t/bb:latest sh -c 'cat /var/data/added.txt; ls /var/data'
  assert "${lines[0]}" == "layer two"
  assert "$output" !~ "deleted.txt" "the whiteout of the gzip layer applied over the zstd one"
  stop_server $T/z
}

@test "registries.conf mirrors: [[registry.mirror]] is tried first, the image keeps the asked name" {
  run_berth push $IMAGE $REG/mirrored/bb:1
  fresh_store
  # The registry asked for is a closed port on loopback: only the mirror can serve it.
  port=$(free_port)
  cat > $T/mirror.conf <<EOF
unqualified-search-registries = []
[[registry]]
location = "127.0.0.1:$port/mirrored"
insecure = true
[[registry.mirror]]
location = "$REG/mirrored"
insecure = true
EOF
  CONTAINERS_REGISTRIES_CONF=$T/mirror.conf run_berth pull -q 127.0.0.1:$port/mirrored/bb:1
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert "$output" == "127.0.0.1:$port/mirrored/bb:1" "pulled through the mirror, named as asked"
  run_berth run --rm 127.0.0.1:$port/mirrored/bb:1 echo from-mirror
  assert "$output" == "from-mirror"
  # pull-from-mirror = "digest-only": a tag is not pulled from the mirror.
  sed -i 's/^insecure = true$/insecure = true\npull-from-mirror = "digest-only"/' $T/mirror.conf
  CONTAINERS_REGISTRIES_CONF=$T/mirror.conf run_berth 125 pull -q 127.0.0.1:$port/mirrored/bb:1
  assert "$output" =~ "pinging container registry 127.0.0.1:$port" "the registry itself, which is down"
  printf '[[registry]]\nlocation = "x.example"\n[[registry.mirror]]\ninsecure = true\n' > $T/bad.conf
  CONTAINERS_REGISTRIES_CONF=$T/bad.conf run_berth 125 pull -q x.example/a:1
  assert "$output" =~ "^Error: $T/bad.conf: mirror location must be a string"
}

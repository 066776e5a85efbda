#!/usr/bin/env bats   -*- bats -*-
#
# images, tag, untag, rmi, inspect, history, image prune, system df

load helpers

@test "berth images: podman's columns, sizes and names" {
  run_berth images
  assert "${lines[0]}" =~ "^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$"
  assert "${lines[1]}" =~ "^docker.io/library/bbtest +latest +[0-9a-f]{12} +[0-9]+ (years|months|weeks|days) ago +[0-9.]+ [kM]B$"
  run_berth images -q
  assert "$output" =~ "^[0-9a-f]{12}$"
  id=$output
  run_berth images -q --no-trunc
  assert "$output" =~ "^sha256:${id}[0-9a-f]{52}$"
  run_berth images --digests
  assert "${lines[0]}" =~ "DIGEST"
  assert "${lines[1]}" =~ "sha256:[0-9a-f]{64}"
}

@test "berth images --format: Go templates, table and json" {
  run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
  assert "$output" =~ "^docker.io/library/bbtest:latest [0-9a-f]{12}$"
  run_berth images --format 'table {{.ID}}\t{{.Repository}}'
  assert "${lines[0]}" =~ "^IMAGE ID +REPOSITORY$"
  run_berth images --format '{{json .Names}} {{.Labels}}'
  assert "$output" == '["docker.io/library/bbtest:latest"] map[org.berth.test:yes]'
  run_berth images --format json
  assert "$output" =~ '"Id": "[0-9a-f]{64}"'
  assert "$output" =~ '"RepoTags": \['
  run_berth 125 images --format '{{.Repository'
  assert "$output" =~ "^Error: template"
  run_berth 125 images --format '{{nosuchfunc .ID}}'
}

@test "berth images --filter: reference, dangling, label, before/since" {
  run_berth images --format '{{.Repository}}' --filter reference=bbtest
  assert "$output" == "docker.io/library/bbtest"
  run_berth images --format '{{.Repository}}' --filter 'reference=*/library/bb*'
  assert "$output" == "docker.io/library/bbtest"
  run_berth images -q --filter reference=nomatch
  assert "$output" == ""
  run_berth images -q --filter label=org.berth.test=yes
  assert "$output" =~ "^[0-9a-f]{12}$"
  run_berth images -q --filter label=org.berth.test=no
  assert "$output" == ""
  run_berth images -q --filter dangling=true
  assert "$output" == ""
  run_berth images -q --filter before=$IMAGE
  assert "$output" == ""
  run_berth 125 images --filter bogus=1
  assert "$output" =~ "invalid filter"
  run_berth 125 images --filter dangling=maybe
}

@test "berth images REF: only the images that reference names (podman's positional)" {
  run_berth images --format '{{.Repository}}:{{.Tag}}' $IMAGE
  assert "$output" == "docker.io/library/$IMAGE:latest"
  run_berth images -q nosuch-image
  assert "$output" == "" "no image matches: empty, exit 0"
}

@test "berth tag / untag: short names go to localhost/, as podman" {
  n=$(safename)
  run_berth tag $IMAGE $n myrepo/$n:v1 quay.io/x/$n:v2
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert "$output" =~ "localhost/$n:latest"
  assert "$output" =~ "localhost/myrepo/$n:v1"
  assert "$output" =~ "quay.io/x/$n:v2"
  # A short name resolves through localhost/
  run_berth run --rm $n testinit echo via-tag
  assert "$output" == "via-tag"
  run_berth untag $IMAGE localhost/$n:latest
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert "$output" !~ "localhost/$n:latest"
  run_berth untag $IMAGE myrepo/$n:v1 quay.io/x/$n:v2
  run_berth images --format '{{.Repository}}:{{.Tag}}'
  assert "$output" == "docker.io/library/bbtest:latest"
  run_berth 125 tag $IMAGE 'Bad:Name'
  assert "$output" =~ "invalid reference format"
  run_berth 125 tag no-such-image foo
  assert "$output" =~ "image not known"
  run_berth 125 tag $IMAGE
}

@test "berth image references: id prefixes, sha256:, name@digest" {
  id=$("$BERTH" images -q --no-trunc)
  digest=$("$BERTH" images --format '{{.Digest}}')
  for ref in ${id#sha256:} ${id:7:5} $id bbtest:latest docker.io/library/bbtest bbtest@$digest; do
    run_berth image inspect --format '{{.Id}}' "$ref"
    assert "sha256:$output" == "$id" "$ref resolves"
  done
  run_berth 125 image inspect no-such
  assert "$output" =~ "no-such: image not known"
  run_berth 125 image inspect 'NOT a ref'
  assert "$output" =~ "invalid reference format"
}

@test "berth inspect: podman's image inspect object" {
  run_berth image inspect $IMAGE
  assert "$output" =~ '"Id": "[0-9a-f]{64}"'
  assert "$output" =~ '"RepoTags": \[' 
  assert "$output" =~ '"Architecture": "amd64"'
  assert "$output" =~ '"Type": "layers"'
  run_berth inspect --format '{{.Os}} {{json .Config.Cmd}} {{index .Config.Labels "org.berth.test"}}' $IMAGE
  assert "$output" == 'linux ["/bin/sh"] yes'
  run_berth inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' $IMAGE
  assert "$output" =~ "^sha256:[0-9a-f]{64} sha256:[0-9a-f]{64} $"
}

@test "berth history: one row per config history entry, newest first" {
  run_berth history $IMAGE
  assert "${lines[0]}" =~ "^ID +CREATED +CREATED BY +SIZE +COMMENT"
  assert "${lines[1]}" =~ "^[0-9a-f]{12} .*rm /var/data/deleted.txt"
  assert "${lines[2]}" =~ "^<missing> .*ADD busybox"
  run_berth history -q $IMAGE
  assert "${#lines[@]}" == 2
  run_berth history --format '{{.CreatedBy}}' --no-trunc $IMAGE
  assert "${lines[0]}" == '/bin/sh -c rm /var/data/deleted.txt && echo layer two > /var/data/added.txt'
}

@test "berth rmi: untag by name, delete by id, in-use refusal, exit codes" {
  n=$(safename)
  run_berth tag $IMAGE $n
  run_berth rmi $n
  assert "$output" == "Untagged: localhost/$n:latest"
  run_berth 1 rmi no-such-image
  assert "$output" =~ "image not known"
  # An image used by a container cannot be removed without -f (exit 2)
  run_berth run --name $n $IMAGE true
  run_berth 2 rmi $IMAGE
  assert "$output" =~ "in use by a container"
  run_berth rm $n
  # A second image shares the first one's layers: removing one keeps the other's
  run_berth import "$BERTH_TEST_IMAGES/rootfs.tar" $n
  layers_before=$(ls "$BERTH_ROOT/layers" | wc -l)
  run_berth rmi localhost/$n
  assert "$output" =~ "Deleted: [0-9a-f]{64}"
  run_berth run --rm $IMAGE true
  layers_after=$(ls "$BERTH_ROOT/layers" | wc -l)
  assert "$layers_after" -le "$layers_before"
  run_berth 125 rmi
  run_berth 125 rmi -a $IMAGE
}

@test "berth image prune and rmi -a leave an empty, clean store" {
  n=$(safename)
  run_berth import "$BERTH_TEST_IMAGES/rootfs.tar"
  id=$output
  run_berth images -q --filter dangling=true
  assert "$output" == "${id:0:12}"
  run_berth image prune -f
  assert "$output" == "$id"
  run_berth images -q --filter dangling=true
  assert "$output" == ""
  root2=$BATS_TEST_TMPDIR/r2
  BERTH_ROOT=$root2 "$BERTH" load -q -i "$BERTH_TEST_IMAGES/bb.tar"
  BERTH_ROOT=$root2 run_berth rmi -a
  assert "$(ls $root2/layers | wc -l)" == 0 "no layer left"
  assert "$(ls $root2/blobs/sha256 | wc -l)" == 0 "no blob left"
  assert "$(ls $root2/images | wc -l)" == 0 "no image record left"
}

@test "berth system df: images and their shared layers counted once" {
  run_berth system df
  assert "${lines[0]}" =~ "^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$"
  assert "${lines[1]}" =~ "^Images +1 +0 +2.7[0-9]MB +2.7[0-9]MB \(100%\)$"
  run_berth system df --format '{{.Type}}={{.Total}}'
  assert "${lines[0]}" == "Images=1"
}

@test "berth image exists: 0, 1, and 125 for a bad reference" {
  run_berth image exists $IMAGE
  run_berth image exists docker.io/library/bbtest:latest
  run_berth 1 image exists no-such-image
  assert "$output" == "" "nothing printed"
  run_berth 125 image exists 'Not:A:Reference'
}

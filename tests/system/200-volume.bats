#!/usr/bin/env bats   -*- bats -*-
#
# Named and anonymous volumes: `volume` commands, -v NAME:/dst, --mount type=volume, the
# image's VOLUME, copy-up, rm -v, --volumes-from; as root and rootless.

load helpers

setup() {
  CNAME=$(safename)
}

teardown() {
  "$BERTH" rm -a -f -t 0 >/dev/null 2>&1 || true
  "$BERTH" volume rm -a -f >/dev/null 2>&1 || true
}

# An image whose /srv/data holds a file, owned 5:6 with mode 750, and is a VOLUME.
volume_image() {
  local ctx=$BATS_TEST_TMPDIR/ctx
  mkdir -p $ctx
  printf 'FROM %s\nRUN mkdir -p /srv/data && echo seeded > /srv/data/seed && chown -R 5:6 /srv/data && chmod 750 /srv/data\nVOLUME /srv/data\n' \
    $IMAGE > $ctx/Containerfile
  run_berth build -q -t volimg $ctx
}

@test "volume create, ls, inspect, exists, rm: podman's texts and exit codes" {
  run_berth volume create --label app=web --label tier=db v1
  assert "$output" == "v1" "create prints the name"
  run_berth 125 volume create v1
  assert "$output" == "Error: volume with name v1 already exists: volume already exists"
  run_berth volume create --ignore v1
  assert "$output" == "v1" "--ignore: an existing volume is no error"
  run_berth volume create
  anon=$output
  assert "${#anon}" == 64 "no name: a random 64-hex one"
  run_berth volume ls
  assert "${lines[0]}" =~ "^DRIVER +VOLUME NAME$" "the heading"
  assert "$output" =~ "local +v1" "v1 listed"
  run_berth volume ls -q --filter label=app=web
  assert "$output" == "v1" "filter by label"
  run_berth volume ls -q --filter name=nomatch
  assert "$output" == "" "filter by name"
  run_berth 125 volume ls --filter colour=red
  assert "$output" =~ "^Error: invalid filter"
  run_berth volume inspect --format '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.tier}} {{.NeedsCopyUp}}' v1
  assert "$output" == "v1 local local db true"
  run_berth volume inspect v1
  assert "$(echo "$output" | jq -r '.[0].Mountpoint')" == "$BERTH_ROOT/volumes/v1/_data" "the mountpoint"
  [ -d "$BERTH_ROOT/volumes/v1/_data" ]
  run_berth volume exists v1
  run_berth 1 volume exists nosuch
  run_berth 125 volume inspect nosuch
  assert "$output" == "[]"$'\n'"Error: no such volume nosuch"
  run_berth 1 volume rm nosuch
  assert "$output" == 'Error: no volume with name "nosuch" found: no such volume'
  run_berth volume mount v1
  assert "$output" == "$BERTH_ROOT/volumes/v1/_data" "mount prints the directory"
  run_berth volume rm v1 $anon
  assert "$output" == "v1"$'\n'"$anon"
  run_berth volume ls -q
  assert "$output" == "" "nothing left"
  [ ! -e "$BERTH_ROOT/volumes/v1" ]
}

@test "volume: bad input is one Error line, exit 125, nothing made" {
  for bad in 'bad name' 'x:y' '.hidden' 'a/b'; do
    run_berth 125 volume create "$bad"
    assert "$output" =~ "^Error: volume name \"$bad\" includes invalid characters" "refused: $bad"
  done
  run_berth 125 run --rm -v 'bad!:/x' $IMAGE true
  assert "$output" =~ "^Error: invalid volume \"bad!:/x\": \"bad!\" includes invalid characters"
  run_berth 125 run --rm --mount type=volume,source=/abs,target=/x $IMAGE true
  assert "$output" =~ "a volume's source is its name"
  run_berth 125 volume create -o type=nfs v2
  assert "$output" =~ "^Error: volume option type is not supported"
  run_berth 125 volume create -o colour=red v2
  assert "$output" =~ "^Error: invalid mount option colour"
  run_berth 125 volume create -d nfs v2
  assert "$output" =~ "only \"local\""
  run_berth volume ls -q
  assert "$output" == "" "nothing was made"
  # a directory without its record (a writer killed before the rename of an older berth) is
  # no volume, and does not stop one being made
  mkdir -p "$BERTH_ROOT/volumes/ghost/_data"
  run_berth volume ls -q
  assert "$output" == "" "a directory without a record is not listed"
  run_berth volume create ghost
  run_berth volume ls -q
  assert "$output" == "ghost"
}

@test "-v NAME:/dst: made on first use, shared, read-only when asked, kept after the container" {
  run_berth run --rm -v data:/data $IMAGE sh -c 'echo hello > /data/f'
  run_berth volume ls -q
  assert "$output" == "data" "the volume was made on first use"
  run_berth run --rm -v data:/data:ro $IMAGE cat /data/f
  assert "$output" == "hello" "the next container sees the data"
  run_berth 1 run --rm -v data:/data:ro $IMAGE sh -c 'echo x > /data/g'
  assert "$output" =~ "Read-only file system"
  run_berth run --rm --mount type=volume,source=data,target=/m $IMAGE cat /m/f
  assert "$output" == "hello" "--mount type=volume"
  run_berth run --name $CNAME -v data:/data $IMAGE true
  run_berth inspect --format '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.RW}}{{end}}' $CNAME
  assert "$output" == "volume data /data true"
  run_berth run --rm --volumes-from $CNAME:ro $IMAGE sh -c 'cat /data/f; touch /data/y 2>&1 || true'
  assert "${lines[0]}" == "hello" "--volumes-from mounts the other container's volumes"
  assert "${lines[1]}" =~ "Read-only file system" "--volumes-from CTR:ro"
  run_berth 2 volume rm data
  assert "$output" =~ "^Error: volume data is being used by the following container\(s\): [0-9a-f]{64}: volume is being used$"
  run_berth rm -v $CNAME
  run_berth volume exists data
  run_berth volume rm -f data
}

@test "copy-up: a new volume gets the image's content, owners and mode, once and only when empty" {
  volume_image
  run_berth run --rm -v fresh:/srv/data volimg sh -c 'cat /srv/data/seed; stat -c "%u:%g %a" /srv/data'
  assert "$output" == "seeded"$'\n'"5:6 750" "copied with owner and mode"
  run_berth volume inspect --format '{{.NeedsCopyUp}}' fresh
  assert "$output" == "false" "copy-up happens once"
  run_berth run --rm -v fresh:/srv/data volimg sh -c 'rm /srv/data/seed'
  run_berth run --rm -v fresh:/srv/data volimg ls /srv/data
  assert "$output" == "" "a volume that was mounted once is not copied into again"
  run_berth run --rm -v other:/srv/data:nocopy volimg ls /srv/data
  assert "$output" == "" ":nocopy"
  run_berth volume create filled
  run_berth volume mount filled
  echo mine > $output/own
  run_berth run --rm -v filled:/srv/data volimg ls /srv/data
  assert "$output" == "own" "a volume with content keeps it"
}

@test "anonymous volumes: the image's VOLUME and -v /dst; rm -v and run --rm remove them, rm keeps them" {
  volume_image
  run_berth run --name $CNAME volimg sh -c 'cat /srv/data/seed; echo more > /srv/data/x'
  assert "$output" == "seeded" "the image's content is in the anonymous volume"
  run_berth volume ls -q
  anon=$output
  assert "${#anon}" == 64 "one anonymous volume"
  run_berth volume ls -q --filter dangling=false
  assert "$output" == "$anon" "in use"
  run_berth rm -v $CNAME
  run_berth volume ls -q
  assert "$output" == "" "rm -v removed it"
  run_berth run --rm -v named:/srv/data -v /anon volimg sh -c 'touch /anon/a /srv/data/b'
  run_berth volume ls -q
  assert "$output" == "named" "run --rm removed the anonymous volume, not the named one"
  run_berth run --name $CNAME -v /anon $IMAGE true
  run_berth rm $CNAME
  run_berth volume ls -q --filter anonymous=true
  assert "${#output}" == 64 "rm without -v keeps it"
  run_berth volume prune -f
  run_berth volume ls -q
  assert "$output" == "" "prune removed the unused volumes"
}

@test "volume export and import: a tar of the content, back into another volume" {
  run_berth run --rm -v src:/d $IMAGE sh -c 'mkdir /d/sub; echo one > /d/sub/f; chown 7:8 /d/sub/f'
  run_berth volume export -o $BATS_TEST_TMPDIR/v.tar src
  tar -tf $BATS_TEST_TMPDIR/v.tar | grep -qx 'sub/f'
  run_berth volume create dst
  run_berth volume import dst $BATS_TEST_TMPDIR/v.tar
  run_berth run --rm -v dst:/d $IMAGE stat -c '%u:%g %n' /d/sub/f
  assert "$output" == "7:8 /d/sub/f" "owners kept"
  run_berth volume create dst2
  "$BERTH" volume export src | "$BERTH" volume import dst2 -
  run_berth run --rm -v dst2:/d $IMAGE cat /d/sub/f
  assert "$output" == "one" "through a pipe"
  run_berth 125 volume import nosuch $BATS_TEST_TMPDIR/v.tar
  assert "$output" == "Error: no such volume nosuch"
}

@test "volume rm -f removes the containers using it; prune keeps what is used" {
  run_berth run -d --name $CNAME -v busy:/b $IMAGE sleep 100
  run_berth volume create idle
  run_berth system df --format '{{.Type}}:{{.Total}}:{{.Active}}'
  assert "${lines[2]}" == "Local Volumes:2:1" "system df counts volumes, the used one active"
  run_berth volume prune -f
  assert "$output" == "idle" "prune removes only the unused"
  run_berth volume rm -f -t 0 busy
  assert "$output" == "busy"
  run_berth ps -a -q
  assert "$output" == "" "the container went with it"
}

@test "volumes under parallel invocations: one volume, every container sees it, nothing half-made" {
  for i in $(seq 8); do
    "$BERTH" run --rm -v shared:/d $IMAGE sh -c "echo $i > /d/$i" > $BATS_TEST_TMPDIR/out.$i 2>&1 &
    "$BERTH" volume create --ignore other > /dev/null 2>&1 &
  done
  wait
  cat $BATS_TEST_TMPDIR/out.*
  run_berth volume ls -q
  assert "$output" == "other"$'\n'"shared" "each volume made once"
  run_berth run --rm -v shared:/d $IMAGE sh -c 'ls /d | sort -n | tr "\n" " "'
  assert "$output" == "1 2 3 4 5 6 7 8 " "every writer's file is there"
  assert "$(ls -A $BERTH_ROOT/tmp)" == "" "no leftovers in tmp/"
}

@test "system prune: stopped containers and pods, unused volumes only with --volumes; asks without -f" {
  run_berth run --name $CNAME -v kept:/d $IMAGE true
  run_berth pod create --name ${CNAME}-pod
  run_berth volume create loose
  run_berth system prune <<< "n"
  assert "$output" =~ "Are you sure you want to continue\? \[y/N\]" "it asks"
  run_berth ps -a -q
  assert "$output" != "" "and does nothing when the answer is no"
  run_berth system prune -f
  assert "$output" =~ "Deleted Pods" "the pod went"
  assert "$output" =~ "Deleted Containers" "the stopped containers went"
  assert "$output" =~ "Total reclaimed space: "
  run_berth volume ls -q
  assert "$output" == "kept"$'\n'"loose" "volumes stay without --volumes"
  run_berth system prune -f --volumes
  assert "$output" =~ "Deleted Volumes"$'\n'"kept"$'\n'"loose"
  run_berth volume ls -q
  assert "$output" == ""
}

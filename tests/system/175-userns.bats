#!/usr/bin/env bats   -*- bats -*-
#
# A user namespace of the container's own, made by the runtime: --uidmap/--gidmap (as root and
# rootless, with or without the user's own id), --userns=nomap and --userns=auto. berth mounts
# the overlay and clones the binds' sources before the clone, so the container's root needs no
# access to the store or the run directory.

load helpers

# The map a test gives: host ids berth has (rootless: its namespace's subordinate ids, which
# leave out the user; as root: real host ids).
map_host() { if is_rootless; then echo 1; else echo 100000; fi; }

@test "--uidmap without the user's id: root inside owns /, /etc/hosts and new files; binds, exec, --read-only" {
  local name=$(safename) h=$(map_host)
  mkdir $BATS_TEST_TMPDIR/vol
  echo data > $BATS_TEST_TMPDIR/vol/file
  run_berth run -d --name $name --uidmap 0:$h:65536 -v $BATS_TEST_TMPDIR/vol:/vol:ro $IMAGE sleep 100
  run_berth exec $name sh -c 'cat /proc/self/uid_map; id -u; stat -c %u:%g / /etc/hosts /etc/resolv.conf; cat /vol/file'
  assert "${lines[0]}" =~ "^ +0 +$h +65536$" "the container's map, in berth's ids"
  assert "${lines[1]}" == 0
  assert "${lines[2]}" == "0:0" "/ belongs to the container's root"
  assert "${lines[3]}" == "0:0" "so does /etc/hosts"
  assert "${lines[4]}" == "0:0" "and /etc/resolv.conf"
  assert "${lines[5]}" == data "a bind mount from a directory the container's root could not walk to"
  run_berth 1 exec $name sh -c 'echo x > /vol/no'
  assert "$output" =~ "Read-only file system" "the :ro bind stays read-only"
  run_berth exec $name sh -c 'mkdir -p /made/here && touch /made/here/f && chown 5:6 /made/here/f'
  run_berth rm -f -t 0 $name
  run_berth 1 run --rm --uidmap 0:$h:65536 --read-only $IMAGE sh -c 'touch /x'
  assert "$output" =~ "Read-only file system"
}

@test "--uidmap: commit and cp give the container's owners back; the layer copy is made once" {
  local name=$(safename) h=$(map_host)
  run_berth run --name $name --uidmap 0:$h:65536 $IMAGE sh -c 'touch /owned; mkdir /d; touch /d/f; chown 5:6 /d/f'
  run_berth commit -q $name $name-img
  run_berth run --rm $name-img stat -c %u:%g /owned /d/f
  assert "${lines[0]}" == "0:0" "a file the container's root made belongs to root in the image"
  assert "${lines[1]}" == "5:6"
  run_berth cp $name:/d/f $BATS_TEST_TMPDIR/f
  [ -f $BATS_TEST_TMPDIR/f ]
  run_berth run --rm --uidmap 0:$h:65536 $IMAGE stat -c %u /bin/busybox
  assert "$output" == 0 "the image's files belong to the container's root"
  run_berth rm $name
  run_berth rmi $name-img
}

@test "--userns=nomap (rootless): the subordinate ids only; as root it is refused as podman does" {
  if is_rootless; then
    run_berth run --rm --userns=nomap $IMAGE sh -c 'cat /proc/self/uid_map; id -u; stat -c %u /'
    assert "${lines[0]}" =~ "^ +0 +1 +[0-9]+$" "the user's own id (0 in berth's namespace) is not in the map"
    assert "${lines[-2]}" == 0
    assert "${lines[-1]}" == 0
  else
    run_berth 125 run --rm --userns=nomap $IMAGE true
    assert "$output" == "Error: nomap is only supported in rootless mode"
  fi
}

# As root, auto hands out /etc/subuid's "containers" ranges (.ci/run adds one).
need_auto() {
  is_rootless && return 0
  grep -q '^containers:' /etc/subuid && grep -q '^containers:' /etc/subgid ||
    skip 'no "containers" range in /etc/subuid and /etc/subgid'
}

@test "--userns=auto: containers created together get ranges that do not overlap; a removed one's is reused" {
  need_auto
  local i
  for i in 1 2 3 4; do
    "$BERTH" create --userns=auto:size=1024 --name auto$i $IMAGE cat /proc/self/uid_map > $BATS_TEST_TMPDIR/c$i &
  done
  wait
  run_berth ps -a --format '{{.Names}}'
  assert "${#lines[@]}" == 4 "all four were created"
  local maps=""
  for i in 1 2 3 4; do
    run_berth inspect --format '{{index .HostConfig.IDMappings.UidMap 0}} {{.HostConfig.UsernsMode}}' auto$i
    assert "$output" =~ "^0:[0-9]+:1024 auto:size=1024$"
    maps="$maps $(echo $output | cut -d: -f2)"
  done
  run sort -n <<< "$(tr ' ' '\n' <<< "$maps" | grep .)"
  assert "$(uniq <<< "$output" | wc -l)" == 4 "four different starts"
  local prev=""
  for start in $output; do
    [ -z "$prev" ] || [ $((start - prev)) -ge 1024 ] || { echo "ranges overlap: $prev and $start"; false; }
    prev=$start
  done
  run_berth start -a auto1
  assert "$output" =~ "^ +0 +[0-9]+ +1024$"
  local first=$("$BERTH" inspect --format '{{index .HostConfig.IDMappings.UidMap 0}}' auto1)
  run_berth rm auto1
  run_berth create --userns=auto:size=1024 --name auto5 $IMAGE true
  run_berth inspect --format '{{index .HostConfig.IDMappings.UidMap 0}}' auto5
  assert "$output" == "$first" "the freed range is the lowest free one"
  run_berth rm auto2 auto3 auto4 auto5
}

@test "--userns=auto: its default size comes from the image's users; bad options and a full pool are 125" {
  need_auto
  run_berth run -d --userns=auto $IMAGE sleep 100
  local cid=$output
  run_berth inspect --format '{{index .HostConfig.IDMappings.UidMap 0}}' $cid
  assert "$output" =~ "^0:[0-9]+:65535$" "bbtest names nobody (65534): 65535 ids"
  run_berth exec $cid awk '{n += $3} END {print n}' /proc/self/uid_map
  assert "$output" == 65535 "the kernel's map has them all"
  run_berth rm -f -t 0 $cid
  run_berth 125 create --userns=auto:size=x $IMAGE true
  assert "$output" == 'Error: invalid --userns auto option "size=x": use size=N'
  run_berth 125 create --userns=auto:bogus $IMAGE true
  assert "$output" == 'Error: invalid --userns auto option "bogus": use size=N'
  run_berth 125 create --userns=auto:size=2000000000 $IMAGE true
  assert "$output" =~ "^Error: --userns=auto: no free range of 2000000000 ids is left"
  run_berth 125 create --userns=auto --uidmap 0:1:10 $IMAGE true
  assert "$output" == "Error: --userns and --uidmap/--gidmap cannot be used together"
  assert "$("$BERTH" ps -aq)" == "" "nothing was created"
}

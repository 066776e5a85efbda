#!/usr/bin/env bats   -*- bats -*-
#
# Changes become images: commit, diff, export.

load helpers

# Adds, changes (content, mode, owner, xattr), deletes, replaces a whole directory, and makes
# the awkward kinds of files: hardlinks, symlinks, a fifo, a sparse file, odd names.
CHANGES='echo new > /etc/newfile
echo changed >> /etc/passwd
chmod 600 /etc/newfile
chown 1000:1234 /etc/newfile
testinit setxattr /etc/newfile user.berth kept
rm /etc/group
rm -rf /home; mkdir /home; echo only > /home/only
mkdir -p /opt/d; echo x > /opt/d/f; ln /opt/d/f /opt/d/hl
ln -s /etc/passwd /opt/sl
mkfifo /opt/fifo
echo s > "/opt/sp ace"
echo n > "/opt/new
line"
dd if=/dev/zero of=/opt/sparse bs=1 count=1 seek=20000000 2>/dev/null'

CHECK='cat /etc/newfile; stat -c "%a %u:%g" /etc/newfile; testinit getxattr /etc/newfile user.berth
tail -1 /etc/passwd
[ -e /etc/group ] && echo group-still-there
ls -A /home
cat /home/only
stat -c "%h %i" /opt/d/f /opt/d/hl | uniq -c | wc -l
readlink /opt/sl
[ -p /opt/fifo ] && echo fifo
cat "/opt/sp ace"
cat "/opt/new
line"
stat -c %s /opt/sparse
echo $(( $(stat -c %b /opt/sparse) * 512 < 1000000 ))'

EXPECTED='new
600 1000:1234
kept
changed
only
only
1
/etc/passwd
fifo
s
n
20000001
1'

@test "berth commit: every kind of change survives; diff lists them; the base layers are shared" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c "$CHANGES"
  run_berth diff $n
  assert "$output" =~ "C /etc"
  assert "$output" =~ "D /etc/group"
  assert "$output" =~ "A /etc/newfile"
  assert "$output" =~ "C /etc/passwd"
  assert "$output" =~ "C /home"
  assert "$output" =~ "A /opt/sparse"
  assert "$output" !~ "/proc|/sys|/dev|hostname|resolv" "the runtime's mount points are not changes"
  run_berth diff --format json $n
  assert "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d), "/etc/group" in d["deleted"])')" \
         == "['added', 'changed', 'deleted'] True"
  run_berth commit -q -m "a message" -a "An Author" -c 'CMD ["cat","/etc/newfile"]' -c 'ENV COMMITTED=yes' $n $n-img
  assert "$output" =~ "^[0-9a-f]{64}$"
  run_berth run --rm $n-img
  assert "$output" == "new" "--change CMD"
  run_berth run --rm $n-img sh -c "$CHECK"
  assert "$output" == "$EXPECTED"
  run_berth run --rm $n-img sh -c 'echo $COMMITTED'
  assert "$output" == "yes"
  run_berth image inspect --format '{{.Author}}' $n-img
  assert "$output" == "An Author"
  run_berth history --format '{{.Comment}}' $n-img
  assert "${lines[0]}" == "a message"
  # The image's diff is the committed layer over its base.
  run_berth diff $n-img
  assert "$output" =~ "D /etc/group"
  assert "$output" =~ "A /opt/d/hl"
  # A second commit on top: the two images share every layer of the first.
  run_berth run --name $n-2 $n-img sh -c 'echo more > /more'
  run_berth commit -q $n-2 $n-img2
  base=$("$BERTH" image inspect --format '{{json .RootFS.Layers}}' $n-img | tr -d '[]')
  top=$("$BERTH" image inspect --format '{{json .RootFS.Layers}}' $n-img2 | tr -d '[]')
  assert "$top" =~ "^$base," "the new image is the old one plus one layer"
  run_berth run --rm $n-img2 sh -c 'cat /more /etc/newfile'
  assert "$output" == $'more\nnew'
  run_berth system df --format '{{.Type}} {{.Total}}'
  assert "$output" =~ "Images 3"
  run_berth rm $n $n-2
  run_berth rmi $n-img2 $n-img
}

@test "berth commit: a running container, with --pause; a fresh container has no changes" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sh -c 'echo live > /live; while true; do sleep 0.1; done'
  sleep 0.5
  run_berth diff $n
  assert "$output" == "A /live"
  run_berth commit -q --pause $n $n-img
  run_berth ps --filter name=$n --format '{{.State}}'
  assert "$output" == "running" "--pause lets it go on afterwards"
  run_berth run --rm $n-img cat /live
  assert "$output" == "live"
  run_berth create --name $n-fresh $IMAGE true
  run_berth diff $n-fresh
  assert "$output" == ""
  run_berth rm -f $n $n-fresh
  run_berth rmi $n-img
}

@test "berth commit --squash: one layer with the whole filesystem" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c "$CHANGES"
  run_berth commit -q --squash $n $n-sq
  run_berth image inspect --format '{{len .RootFS.Layers}}' $n-sq
  assert "$output" == "1"
  run_berth run --rm $n-sq sh -c "$CHECK"
  assert "$output" == "$EXPECTED"
  run_berth run --rm $n-sq testinit echo the base image is there too
  assert "$output" == "the base image is there too"
  assert "$(grep -c ' - overlay ' /proc/self/mountinfo || true)" == "0" "the view is gone with the commit"
  run_berth rm $n
  run_berth rmi $n-sq
}

@test "berth commit: bad input changes nothing" {
  n=$(safename)
  run_berth 125 commit no-such-container img
  assert "$output" =~ "no container with name or ID"
  run_berth run --name $n $IMAGE sh -c 'echo x > /x'
  before=$("$BERTH" images -a -q | sort)
  layers=$(ls $BERTH_ROOT/layers | sort)
  run_berth 125 commit -c 'BOGUS x' $n $n-img
  assert "$output" =~ "^Error: "
  run_berth 125 commit -c 'CMD' $n $n-img
  run_berth 125 commit $n 'Not A Valid:Name!'
  run_berth 125 commit --squash $n 'Not A Valid:Name!'
  run_berth 125 diff no-such-thing
  assert "$output" =~ "no such container or image"
  assert "$("$BERTH" images -a -q | sort)" == "$before"
  assert "$(ls $BERTH_ROOT/layers | sort)" == "$layers"
  run_berth rm $n
}

# kill_once GLOB PID: kill -9 of the background PID as soon as a path matches GLOB (what it
# is in the middle of writing), and it must have died of that, not finished first.
kill_once() {
  local i st=0
  for i in $(seq 1000); do compgen -G "$1" >/dev/null && break; sleep 0.005; done
  kill -9 $2
  wait $2 || st=$?
  assert "$st" == 137 "killed before it finished"
}

@test "berth commit: kill -9 mid-commit leaves no image and no layer" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'dd if=/dev/urandom of=/big bs=1M count=150 2>/dev/null; i=0; while [ $i -lt 2000 ]; do echo $i > /f$i; i=$((i+1)); done'
  before=$("$BERTH" images -a -q | sort)
  layers=$(ls $BERTH_ROOT/layers | sort)
  "$BERTH" commit -q $n $n-img &
  # killed while its layer's blob is being written (commit takes ~0.2 s for these 150 MB)
  kill_once "$BERTH_ROOT/tmp/*/blob" $!
  assert "$("$BERTH" images -a -q | sort)" == "$before"
  assert "$(ls $BERTH_ROOT/layers | sort)" == "$layers"
  # The next writer sweeps what the killed one left in tmp/.
  run_berth commit -q $n $n-img
  run_berth rmi $n-img
  run_berth image prune
  assert "$(tmp_entries)" == ""
  run_berth rm $n
}

@test "berth commit of a container that is being removed: an image or an error, never half of one" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'dd if=/dev/urandom of=/big bs=1M count=100 2>/dev/null; i=0; while [ $i -lt 2000 ]; do echo $i > /f$i; i=$((i+1)); done'
  before=$("$BERTH" images -a -q | sort)
  layers=$(ls $BERTH_ROOT/layers | sort)
  "$BERTH" commit -q $n $n-img > $BATS_TEST_TMPDIR/commit.out 2>&1 &
  pid=$!
  sleep 0.2
  run_berth rm $n
  rc=0
  wait $pid || rc=$?
  if [ $rc = 0 ]; then
    # it finished first: a whole, runnable image
    run_berth run --rm $n-img sh -c 'ls /f1999 && wc -c < /big'
    assert "$output" == $'/f1999
104857600'
    run_berth rmi $n-img
  else
    assert "$rc" == 125
    assert "$(cat $BATS_TEST_TMPDIR/commit.out)" =~ "^Error: "
  fi
  run_berth image prune
  assert "$("$BERTH" images -a -q | sort)" == "$before"
  assert "$(ls $BERTH_ROOT/layers | sort)" == "$layers"
}

@test "berth export: the container's whole filesystem; never a half file under the target's name" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c "$CHANGES"
  run_berth export -o $BATS_TEST_TMPDIR/exp.tar $n
  run tar -tvf $BATS_TEST_TMPDIR/exp.tar
  assert "$output" =~ "etc/newfile"
  assert "$output" =~ "bin/busybox"
  assert "$output" =~ "opt/d/f link to opt/d/hl|opt/d/hl link to opt/d/f"
  assert "$output" !~ "etc/group" "a deleted file is not exported"
  assert "$output" !~ "\.wh\." "no whiteouts in an export"
  assert "$output" !~ "home/u" "the replaced directory's old content is gone"
  # the export imports as an image that runs with the same files
  run_berth import $BATS_TEST_TMPDIR/exp.tar $n-imported
  run_berth run --rm $n-imported sh -c "$CHECK"
  assert "$output" == "$EXPECTED"
  "$BERTH" export $n | tar -t > $BATS_TEST_TMPDIR/list
  assert "$(grep -c . $BATS_TEST_TMPDIR/list)" -gt 100 "export to stdout"
  run_berth 125 export no-such-container
  grep -c ' - overlay ' /proc/self/mountinfo > $BATS_TEST_TMPDIR/mounts || true
  assert "$(cat $BATS_TEST_TMPDIR/mounts)" == "0" "no overlay mount left behind"
  run_berth rm $n
  run_berth rmi $n-imported
}

@test "berth export: to a full disk fails and leaves nothing under the target's name" {
  skip_if_rootless "needs a small tmpfs mount"
  n=$(safename)
  small=$BATS_TEST_TMPDIR/small
  mkdir -p $small
  mount -t tmpfs -o size=8m tmpfs $small || skip "cannot mount a tmpfs here"
  run_berth run --name $n $IMAGE sh -c 'dd if=/dev/urandom of=/big bs=1M count=20 2>/dev/null'
  run_berth 125 export -o $small/out.tar $n
  assert "$output" =~ "^Error: "
  assert "$(ls -A $small)" == ""
  umount $small
  run_berth rm $n
}

@test "berth save of a committed image: podman loads it and sees the same files" {
  skip_if_rootless "podman is driven as root here"
  command -v podman >/dev/null || skip "podman is not installed"
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c "$CHANGES"
  run_berth commit -q $n localhost/$n-img
  run_berth save -o $BATS_TEST_TMPDIR/c.tar localhost/$n-img
  pr=$BATS_TEST_TMPDIR/podman
  p="podman --root $pr/root --runroot $pr/run --storage-driver vfs"
  run $p load -i $BATS_TEST_TMPDIR/c.tar
  assert "$status" == 0 "podman load: $output"
  run $p --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/$n-img sh -c "$CHECK"
  # (podman's own extraction writes holes out as zeros: the sparseness line is left out here)
  # (and podman's own warnings on this kind of host are not the container's output)
  if [ "$status" -eq 0 ]; then
    assert "$(echo "$output" | grep -v '^time=".*level=warning' | head -n -1)" == "$(echo "$EXPECTED" | head -n -1)"
  fi
  $p rmi -a -f >/dev/null 2>&1 || true
  run_berth rm $n
  run_berth rmi localhost/$n-img
}

# A store of its own on a 40 MB tmpfs at $small, holding the test image (root only).
small_store() {
  skip_if_rootless "needs a small tmpfs mount"
  small=$BATS_TEST_TMPDIR/small
  mkdir -p $small
  mount -t tmpfs -o size=40m tmpfs $small || skip "cannot mount a tmpfs here"
  export BERTH_ROOT=$small/root BERTH_RUNROOT=$small/run
  "$BERTH" load -q -i "$BERTH_TEST_IMAGES/bb.tar" >/dev/null
}

@test "berth commit: kill -9 of the first run while it unpacks the layer leaves no half layer; the next run unpacks it" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'dd if=/dev/urandom of=/big bs=1M count=200 2>/dev/null; md5sum /big > /sum'
  run_berth commit -q $n $n-img
  layer=$(dirname "$("$BERTH" image inspect --format '{{.GraphDriver.Data.UpperDir}}' $n-img)")
  "$BERTH" run --rm $n-img true &
  kill_once "$BERTH_ROOT/tmp/unpack*/diff/big" $!
  assert "$(ls $layer)" == "layer.json" "no diff/ in the store"
  run_berth run --rm $n-img md5sum -c /sum
  assert "$output" == "/big: OK"
  assert "$(ls $layer)" == "diff"$'\n'"layer.json"
  assert "$(tmp_entries)" == "" "the killed unpack's leftovers were swept"
  run_berth rm $n
  run_berth rmi $n-img
}

@test "berth commit on a full disk: an error, no image, no layer, and berth not killed by SIGPIPE" {
  small_store
  n=$(safename)
  # the upper dir and the committed blob cannot both fit in 40 MB
  run_berth run --name $n $IMAGE sh -c 'dd if=/dev/urandom of=/big bs=1M count=25 2>/dev/null'
  before=$("$BERTH" images -a -q | sort)
  layers=$(ls $BERTH_ROOT/layers | sort)
  run_berth 125 commit -q $n $n-img
  assert "$output" =~ "^Error: .*No space left on device" "one error line naming the cause, exit 125 (not 141)"
  assert "$("$BERTH" images -a -q | sort)" == "$before"
  assert "$(ls $BERTH_ROOT/layers | sort)" == "$layers"
  run_berth rm $n
  umount $small
}

@test "berth commit keeps the layer as its blob; first runs unpack it (in parallel too), a full disk leaves no half layer" {
  small_store
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'dd if=/dev/urandom of=/big bs=1M count=14 2>/dev/null; md5sum /big > /sum'
  sum=$("$BERTH" cp $n:/sum - | tar -xO)
  run_berth commit -q $n $n-img
  layer=$(dirname "$("$BERTH" image inspect --format '{{.GraphDriver.Data.UpperDir}}' $n-img)")
  assert "$(ls $layer)" == "layer.json" "the new layer is its blob alone, no file per entry"
  # the upper dir (14 MB), the blob (14 MB) and the image leave no room to unpack 14 MB more
  run_berth 125 run --rm $n-img true
  assert "$output" =~ "^Error: .*No space left on device" "one error line naming the cause"
  assert "$(ls $layer)" == "layer.json" "no half-unpacked diff/ in the store"
  assert "$(tmp_entries)" == "" "nothing left in tmp/"
  run_berth rm $n
  # with room again, parallel first runs all succeed and the layer is unpacked once
  for i in 1 2 3 4; do "$BERTH" run --rm $n-img md5sum -c /sum > $BATS_TEST_TMPDIR/out.$i 2>&1 & done
  wait
  for i in 1 2 3 4; do assert "$(cat $BATS_TEST_TMPDIR/out.$i)" == "/big: OK" "run $i sees the committed file"; done
  assert "$(ls $layer)" == "diff"$'\n'"layer.json"
  assert "$(tmp_entries)" == "" "nothing left in tmp/"
  assert "$sum" != ""
  run_berth rmi $n-img
  umount $small
}

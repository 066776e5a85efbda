#!/usr/bin/env bats   -*- bats -*-
#
# berth cp: both directions, tar streams, running and stopped containers; never out of the
# container's root.

load helpers

setup() {
  CNAME=$(safename)
  H=$BATS_TEST_TMPDIR/host
  mkdir -p $H
}

teardown() {
  "$BERTH" rm -f $CNAME >/dev/null 2>&1 || true
}

# A container whose /data has a file, a subdir, a link to / and a link climbing out.
make_container() {
  run_berth run $1 --name $CNAME $IMAGE sh -c 'mkdir -p /data/sub; echo hi > /data/f; echo deep > /data/sub/g
    ln -sfn / /data/rootlink; ln -sfn ../../../.. /data/up; echo in-container > /marker; '"${2:-true}"
}

@test "berth cp: container to host and back, stopped and running" {
  for mode in stopped running; do
    if [ $mode = stopped ]; then make_container; else make_container -d 'while true; do sleep 0.1; done'; fi
    rm -rf $H/*
    run_berth cp $CNAME:/data $H/
    assert "$(cat $H/data/f $H/data/sub/g)" == $'hi\ndeep' "$mode: a directory into an existing one"
    assert "$(readlink $H/data/rootlink)" == "/" "$mode: symlinks are copied as links"
    run_berth cp $CNAME:/data/. $H/contents
    assert "$(cat $H/contents/f)" == "hi" "$mode: DIR/. copies the content into a new directory"
    run_berth cp $CNAME:/data/f $H/renamed
    assert "$(cat $H/renamed)" == "hi" "$mode: a file to a new name"
    echo from-host > $H/new
    mkdir -p $H/tree/a && echo t > $H/tree/a/b
    run_berth cp $H/new $CNAME:/data/
    run_berth cp $H/tree $CNAME:/tree
    run_berth cp $H/new $CNAME:/data/f
    if [ $mode = running ]; then
      run_berth exec $CNAME sh -c 'cat /data/new /tree/a/b /data/f; stat -c %u:%g /data/new'
    else
      run_berth cp $CNAME:/data/new $H/back
      run_berth cp $CNAME:/tree/a/b $H/back2
      run_berth cp $CNAME:/data/f $H/back3
      owner=$("$BERTH" cp -a $CNAME:/data/new - | tar -tvf - | awk '{print $2}' | tr / :)
      output="$(cat $H/back $H/back2 $H/back3)
$owner"
    fi
    assert "$output" == $'from-host\nt\nfrom-host\n0:0' "$mode: host files into the container, owned by its root"
    run_berth rm -f $CNAME
  done
}

@test "berth cp: tar streams with -, and -a keeps owners" {
  make_container
  run_berth exec $CNAME true || true
  "$BERTH" cp $CNAME:/data - > $H/out.tar
  run tar -tf $H/out.tar
  assert "$output" =~ "data/sub/g"
  mkdir -p $H/src/d && echo streamed > $H/src/d/s
  tar -C $H/src -cf - d | "$BERTH" cp - $CNAME:/data
  run_berth cp $CNAME:/data/d/s $H/s
  assert "$(cat $H/s)" == "streamed"
  run_berth 125 cp - $CNAME:/no/such/dir < $H/out.tar
  # ownership: the caller's without -a, the container's with it
  run_berth run --name $CNAME-own $IMAGE sh -c 'echo o > /owned; chown 1000:1234 /owned'
  run_berth cp $CNAME-own:/owned $H/plain
  "$BERTH" cp -a $CNAME-own:/owned - | tar -tvf - > $H/list
  assert "$(cat $H/list)" =~ "1000/1234" "-a keeps the container's owner"
  assert "$(stat -c %u $H/plain)" == "$(id -u)" "without -a the copy is the caller's"
  run_berth rm $CNAME-own
}

@test "berth cp: symlinks in the container never lead out of its root" {
  make_container
  echo host-secret > $H/secret
  hostdir=$(cd $H && pwd)
  # reading through links to / and above / gives the container's files, not the host's
  run_berth cp $CNAME:/data/rootlink/marker $H/got
  assert "$(cat $H/got)" == "in-container"
  run_berth cp $CNAME:/data/up/marker $H/got2
  assert "$(cat $H/got2)" == "in-container"
  run_berth 125 cp $CNAME:/data/up$hostdir/secret $H/leak
  assert "$output" =~ "could not be found on container"
  [ ! -e $H/leak ]
  # writing through them lands inside the container too
  echo planted > $H/plant
  run_berth cp $H/plant $CNAME:/data/rootlink/tmp/
  run_berth cp $H/plant $CNAME:/data/up/planted-up
  [ ! -e /tmp/plant ] || [ "$(cat /tmp/plant)" != planted ]
  [ ! -e /planted-up ]
  run_berth start -a $CNAME
  run_berth cp $CNAME:/tmp/plant $H/p1
  run_berth cp $CNAME:/planted-up $H/p2
  assert "$(cat $H/p1 $H/p2)" == $'planted\nplanted'
}

@test "berth cp -: a hostile tar is checked like a layer" {
  make_container
  outside=$BATS_TEST_TMPDIR/outside
  mkdir -p $outside
  python3 - $H/evil.tar $outside <<'PY'
import io, sys, tarfile
out, target = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
    ti = tarfile.TarInfo("link"); ti.type = tarfile.SYMTYPE; ti.linkname = target; tf.addfile(ti)
    data = b"escaped\n"
    ti = tarfile.TarInfo("link/file"); ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
PY
  run_berth 125 cp - $CNAME:/data < $H/evil.tar
  assert "$(ls -A $outside)" == "" "nothing written through the symlink"
  python3 - $H/dotdot.tar <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as tf:
    data = b"x"
    ti = tarfile.TarInfo("../../../../../../tmp/berth-cp-escape"); ti.size = 1; tf.addfile(ti, io.BytesIO(data))
PY
  run_berth 125 cp - $CNAME:/data < $H/dotdot.tar
  [ ! -e /tmp/berth-cp-escape ]
}

@test "berth cp: bad arguments" {
  make_container
  run_berth 125 cp no-such-container:/x $H/
  assert "$output" =~ "no container with name or ID"
  run_berth 125 cp $CNAME:/x $CNAME:/y
  assert "$output" =~ "between containers"
  run_berth 125 cp $H/a $H/b
  assert "$output" =~ "just one container"
  run_berth 125 cp $CNAME:/does/not/exist $H/
  assert "$output" =~ "could not be found on container"
  run_berth 125 cp $H/does-not-exist $CNAME:/
  run_berth 125 cp $CNAME:/data $H/no/such/parent/x
}

@test "berth mount / unmount (rootless: inside berth unshare)" {
  make_container
  if is_rootless; then
    run_berth 125 mount $CNAME
    assert "$output" =~ "must execute \`berth unshare\` first"
    run_berth 125 unshare --no-such-flag
    run_berth unshare sh -c "p=\$('$BERTH' mount $CNAME) && cat \$p/marker && '$BERTH' mount | grep -c $CNAME; '$BERTH' mount | wc -l; '$BERTH' unmount $CNAME >/dev/null && '$BERTH' mount | wc -l"
    assert "$output" == $'in-container\n0\n1\n0' "mounted inside the unshare session, listed, unmounted"
    run_berth unshare sh -c 'cat /proc/self/uid_map | head -1'
    assert "$output" =~ "^ +0 +$(id -u) +1$" "root in the user namespace is the user"
    run_berth 127 unshare /no/such/program
    return
  fi
  run_berth 125 unshare true
  assert "$output" =~ "rootless"
  run_berth mount $CNAME
  p=$output
  assert "$(cat $p/marker)" == "in-container"
  run_berth mount $CNAME
  assert "$output" == "$p" "mounting twice gives the same path"
  assert "$(grep -c " $p " /proc/self/mountinfo)" == 1 "and one mount"
  run_berth mount
  assert "$output" == "${CNAME:0:0}$(echo "$output" | cut -c1-12) $p"
  echo written > $p/through-mount
  run_berth unmount $CNAME
  assert "$(grep -c " $p " /proc/self/mountinfo)" == 0
  run_berth cp $CNAME:/through-mount $H/tm
  assert "$(cat $H/tm)" == "written" "what was written through the mount is in the container"
  # rm of a mounted container unmounts it first
  run_berth mount $CNAME
  run_berth rm $CNAME
  assert "$(grep -c " $p " /proc/self/mountinfo)" == 0
}

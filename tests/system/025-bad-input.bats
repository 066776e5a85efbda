#!/usr/bin/env bats   -*- bats -*-
#
# Hostile and broken archives: every one gets "Error: ..." and exit 125, leaves the store
# exactly as it was and writes nothing outside it.

load helpers

@test "bad input: a tar member with .. or an absolute path" {
  load_must_fail dotdot 'leaves the layer'
  load_must_fail absolute 'absolute path'
}

@test "bad input: a symlink that a later entry writes through" {
  load_must_fail symlink-write 'goes through a symlink'
}

@test "bad input: hardlinks to outside the layer" {
  load_must_fail hardlink-out 'leaves the layer'
  load_must_fail hardlink-missing 'not in the layer'
}

@test "device nodes in a layer: made as root, skipped rootless (as containers/storage); the image runs, save is unchanged" {
  python3 "$MKHOSTILE" device $BATS_TEST_TMPDIR/dev.tar
  run_berth load -i $BATS_TEST_TMPDIR/dev.tar
  # the image has no program: 127 says its rootfs was mounted and the exec was reached
  run_berth 127 run --rm hostile /no-such-program
  # the container's /dev is berth's tmpfs either way; the layer holds the node only as root
  layer=$(ls -d $BERTH_ROOT/layers/*/diff/dev 2>/dev/null | head -1)
  if is_rootless; then
    assert "$(ls -A $layer)" == "" "rootless: the node was skipped"
  else
    assert "$(stat -c %t,%T $layer/evil)" == "1,1" "root: the node was made"
  fi
  run_berth save -o $BATS_TEST_TMPDIR/again.tar hostile
  mkdir -p $BATS_TEST_TMPDIR/a $BATS_TEST_TMPDIR/b
  tar -C $BATS_TEST_TMPDIR/a -xf $BATS_TEST_TMPDIR/dev.tar
  tar -C $BATS_TEST_TMPDIR/b -xf $BATS_TEST_TMPDIR/again.tar
  sum=$(sha256sum < $BATS_TEST_TMPDIR/a/layer0.tar | cut -d' ' -f1)
  assert "$(find $BATS_TEST_TMPDIR/b -type f -exec sha256sum {} + | grep -c $sum)" == "1" \
         "the saved layer is the blob loaded, device node included"
  run_berth rmi hostile
}

@test "bad input: a whiteout naming .." {
  load_must_fail whiteout-dotdot 'whiteout'
}

@test "bad input: a layer whose content does not match its digest" {
  load_must_fail digest-mismatch 'does not match its digest'
  load_must_fail bad-digest-format 'invalid digest'
}

@test "bad input: corrupt and truncated gzip streams" {
  load_must_fail corrupt-gzip 'corrupt'
  load_must_fail truncated-gzip 'truncated'
}

@test "bad input: a manifest naming a missing file, JSON that is not JSON or nested 10,000 deep" {
  load_must_fail missing-file 'missing config file'
  load_must_fail not-json 'not valid JSON'
  load_must_fail deep-json 'nested deeper'
  load_must_fail garbage 'not an image archive'
  echo -n "" > $BATS_TEST_TMPDIR/empty.tar
  run_berth 125 load -i $BATS_TEST_TMPDIR/empty.tar
  run_berth 125 load -i /no/such/file.tar
  assert "$output" =~ "No such file or directory"
}

@test "bad input: a decompression bomb beyond the free space" {
  skip_if_rootless "needs a small tmpfs mount"
  small=$BATS_TEST_TMPDIR/small
  mkdir -p $small
  mount -t tmpfs -o size=48m tmpfs $small || skip "cannot mount a tmpfs here"
  python3 "$MKHOSTILE" bomb $BATS_TEST_TMPDIR/bomb.tar
  BERTH_ROOT=$small/root BERTH_RUNROOT=$small/run run_berth 125 load -i $BATS_TEST_TMPDIR/bomb.tar
  assert "$output" =~ "No space left on device"
  assert "$(ls -A $small/root/tmp)" == "" "the partial layer is removed"
  assert "$(ls -A $small/root/layers)" == "" "no layer published"
  BERTH_ROOT=$small/root BERTH_RUNROOT=$small/run run_berth load -q -i "$BERTH_TEST_IMAGES/bb-oci.tar"
  umount $small
}

@test "bad input: unknown image names and invalid references" {
  run_berth 125 run --rm --pull=never no-such-image true
  assert "$output" =~ "no-such-image: image not known"
  run_berth 125 image inspect 'UPPER/case'
  assert "$output" =~ "invalid reference format"
  run_berth 125 tag $IMAGE 'a//b'
  assert "$output" =~ "invalid reference format"
  run_berth 125 save -o $BATS_TEST_TMPDIR/x.tar 'sha256:zzz'
}

@test "bad input: container names that are paths or not podman's [a-zA-Z0-9][a-zA-Z0-9_.-]*" {
  for bad in ../../evil a/b .hidden -x 'sp ace' 'é'; do
    run_berth 125 create --name "$bad" $IMAGE true
    assert "$output" =~ "invalid container name" "$bad is refused"
  done
  run_berth 125 run --rm --name ../escape $IMAGE true
  [ ! -e "$BERTH_ROOT/../evil" ] && [ ! -e "$BERTH_ROOT/../escape" ] && [ ! -e "$BERTH_ROOT/evil" ]
  run_berth ps -a -q
  assert "$output" == "" "nothing was created"
  n=$(safename)
  run_berth create --name $n.ok_1-2 $IMAGE true
  run_berth 125 rename $n.ok_1-2 ../../evil
  assert "$output" =~ "invalid container name"
  [ ! -e "$BERTH_ROOT/../evil" ]
  run_berth rm $n.ok_1-2
}

@test "bad input: unknown and missing commands get podman's texts; help [COMMAND]" {
  run_berth 125 foo
  assert "${lines[0]}" == 'Error: unrecognized command `berth foo`'
  assert "${lines[-1]}" == "Try 'berth --help' for more information"
  run_berth 125 pul
  assert "$output" =~ $'Did you mean this.\n\trun\n\tps\n\tpull' "suggestions: a prefix or two edits away"
  run_berth 125
  assert "$output" == $'Error: missing command \'berth COMMAND\'\nTry \'berth --help\' for more information'
  run_berth 125 pod
  assert "${lines[0]}" == "Error: missing command 'berth pod COMMAND'"
  run_berth 125 container lis
  assert "${lines[0]}" == 'Error: unrecognized command `berth container lis`'
  assert "$output" =~ $'\tlist' "container list suggested"
  run_berth help
  assert "$output" =~ "Usage: berth" "help: the top help, exit 0"
  run_berth help pod create
  assert "$output" =~ "--exit-policy" "help pod create: that command's help"
  run_berth 125 help nosuch
  assert "${lines[0]}" == 'Error: unrecognized command `berth nosuch`'
  run_berth 125 run --nosuchflag $IMAGE true
  assert "$output" == "Error: unknown flag: --nosuchflag"
}

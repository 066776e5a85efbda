#!/usr/bin/env bats   -*- bats -*-
#
# load / save / import: every format, round trips that keep digests, parallel and killed loads

load helpers

setup_file() { berth_setup_file --no-image; }

image_id() { "$BERTH" image inspect --format '{{.Id}}' "$1"; }

@test "berth load: docker-archive, oci-archive, OCI layout dir, stdin, compressed" {
  run_berth load -i "$BERTH_TEST_IMAGES/bb.tar"
  assert "$output" == "Loaded image: docker.io/library/bbtest:latest"
  run_berth load -i "$BERTH_TEST_IMAGES/bb-oci.tar"
  assert "$output" == "Loaded image: docker.io/library/bbtest:oci"
  run_berth load -q -i "$BERTH_TEST_IMAGES/bb-oci"
  assert "$output" == "Loaded image: docker.io/library/bbtest:oci"
  run_berth load < "$BERTH_TEST_IMAGES/bb.tar"
  assert "$output" == "Loaded image: docker.io/library/bbtest:latest"
  gzip -c "$BERTH_TEST_IMAGES/bb.tar" > $BATS_TEST_TMPDIR/bb.tar.gz
  run_berth load -i $BATS_TEST_TMPDIR/bb.tar.gz
  if command -v zstd >/dev/null; then
    zstd -q -c "$BERTH_TEST_IMAGES/bb.tar" > $BATS_TEST_TMPDIR/bb.tar.zst
    run_berth load -i $BATS_TEST_TMPDIR/bb.tar.zst
  fi
  # all of them are the same image: one id, layers shared on disk
  assert "$(image_id bbtest:latest)" == "$(image_id bbtest:oci)"
  assert "$(ls $BERTH_ROOT/layers | wc -l)" == 2 "two layers, stored once"
  # nothing extra when piped: no progress lines
  run_berth load -i "$BERTH_TEST_IMAGES/bb.tar"
  assert "${#lines[@]}" == 1
}

@test "berth load: the loaded image runs and shows its layers' changes" {
  run_berth load -q -i "$BERTH_TEST_IMAGES/bb-oci"
  run_berth run --rm bbtest:oci sh -c 'cat /var/data/added.txt; ls /var/data'
  assert "${lines[0]}" == "layer two"
  assert "$output" !~ "deleted.txt" "the whiteout hides the lower layer's file"
  assert "$output" =~ "base.txt"
}

@test "berth save: docker-archive, oci-archive, oci-dir round trips keep every digest" {
  run_berth load -q -i "$BERTH_TEST_IMAGES/bb.tar"
  id=$(image_id bbtest)
  layers=$("$BERTH" inspect --format '{{json .RootFS.Layers}}' bbtest)
  for fmt in docker-archive oci-archive oci-dir; do
    out=$BATS_TEST_TMPDIR/save-$fmt
    run_berth save --format $fmt -o $out bbtest
    r2=$BATS_TEST_TMPDIR/store-$fmt
    BERTH_ROOT=$r2 run_berth load -i $out
    assert "$output" == "Loaded image: docker.io/library/bbtest:latest" "$fmt keeps the name"
    assert "$(BERTH_ROOT=$r2 "$BERTH" image inspect --format '{{.Id}}' bbtest)" == "$id" "$fmt keeps the image id"
    assert "$(BERTH_ROOT=$r2 "$BERTH" inspect --format '{{json .RootFS.Layers}}' bbtest)" == "$layers" "$fmt keeps diff ids"
    # save -> load -> save: the same bytes for the archive formats
    if [ $fmt != oci-dir ]; then
      BERTH_ROOT=$r2 run_berth save --format $fmt -o $out.2 bbtest
      assert "$(sha256sum < $out)" == "$(sha256sum < $out.2)" "$fmt save is reproducible"
    fi
  done
  # to stdout when redirected
  "$BERTH" save bbtest > $BATS_TEST_TMPDIR/stdout.tar
  run tar -tf $BATS_TEST_TMPDIR/stdout.tar
  assert "$output" =~ "manifest.json"
  run_berth 125 save --format bogus -o $BATS_TEST_TMPDIR/x bbtest
  assert "$output" =~ "unsupported format"
  run_berth 125 save -o $BATS_TEST_TMPDIR/x no-such-image
  assert "$output" =~ "image not known"
  [ ! -e $BATS_TEST_TMPDIR/x ]
  run_berth 125 save -o /no/such/dir/x.tar bbtest
}

@test "berth save: podman load accepts it and runs it" {
  skip_if_rootless "podman is driven as root here"
  command -v podman >/dev/null || skip "podman is not installed"
  run_berth load -q -i "$BERTH_TEST_IMAGES/bb.tar"
  run_berth save -o $BATS_TEST_TMPDIR/bb-saved.tar bbtest
  pr=$BATS_TEST_TMPDIR/podman
  p="podman --root $pr/root --runroot $pr/run --storage-driver vfs"
  run $p load -i $BATS_TEST_TMPDIR/bb-saved.tar
  assert "$status" == 0 "podman load: $output"
  run $p image inspect --format '{{.Id}}' docker.io/library/bbtest:latest
  assert "$output" == "$(image_id bbtest)"
  run $p --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 docker.io/library/bbtest:latest testinit echo from podman
  # (podman may print cgroup warnings of its own on this kind of host before the output)
  if [ "$status" -eq 0 ]; then assert "${lines[-1]}" == "from podman"; fi
  $p rmi -a -f >/dev/null 2>&1 || true
}

@test "berth import: a rootfs tarball becomes a one-layer image with --change" {
  n=$(safename)
  run_berth import --change 'CMD ["testinit","echo","imported"]' --change 'ENV FOO=bar' \
     --change 'WORKDIR /tmp' --change 'LABEL a=b' -m "my message" "$BERTH_TEST_IMAGES/rootfs.tar" $n
  assert "$output" =~ "^[0-9a-f]{64}$"
  run_berth run --rm $n
  assert "$output" == "imported"
  run_berth run --rm $n sh -c 'echo $FOO $(pwd)'
  assert "$output" == "bar /tmp"
  run_berth inspect --format '{{.RepoTags}} {{.Config.Labels.a}} {{.Comment}}' $n
  assert "$output" == "[localhost/$n:latest] b my message"
  run_berth import - $n-stdin < "$BERTH_TEST_IMAGES/rootfs.tar"
  run_berth 125 import --change 'BOGUS x' "$BERTH_TEST_IMAGES/rootfs.tar"
  assert "$output" =~ "invalid change"
  run_berth 125 import /no/such/file.tar
  run_berth 125 import "$BERTH_TEST_IMAGES/rootfs.tar" 'Bad Name'
  assert "$output" =~ "invalid reference format"
}

@test "berth load: four loads of the same archive at once all succeed and store one copy" {
  r=$BATS_TEST_TMPDIR/parallel
  for i in 1 2 3 4; do
    BERTH_ROOT=$r "$BERTH" load -q -i "$BERTH_TEST_IMAGES/bb-oci.tar" > $BATS_TEST_TMPDIR/out.$i 2>&1 &
  done
  wait
  for i in 1 2 3 4; do
    assert "$(cat $BATS_TEST_TMPDIR/out.$i)" == "Loaded image: docker.io/library/bbtest:oci" "load $i"
  done
  assert "$(ls $r/layers | wc -l)" == 2 "layers stored once"
  assert "$(ls $r/images | wc -l)" == 1 "one image record"
  assert "$(ls -A $r/tmp | wc -l)" == 0 "no work dir left behind"
}

@test "berth load: kill -9 mid-load leaves nothing the next command trips over" {
  r=$BATS_TEST_TMPDIR/killed
  big=$BATS_TEST_TMPDIR/big.tar
  # a slow source: the archive arrives in pieces, so the kill lands mid-stream
  for i in 1 2 3 4 5; do
    ( (head -c 1000000 "$BERTH_TEST_IMAGES/bb.tar"; sleep 5; tail -c +1000001 "$BERTH_TEST_IMAGES/bb.tar") |
      BERTH_ROOT=$r "$BERTH" load -q >/dev/null 2>&1 ) &
    sleep 0.$((RANDOM % 5 + 3))
    pkill -9 -f "^$BERTH load -q$" || true
    wait || true
  done
  assert "$(ls $r/images 2>/dev/null | wc -l)" == 0 "no image record from a killed load"
  assert "$(ls $r/layers 2>/dev/null | wc -l)" == 0 "no published layer from a killed load"
  BERTH_ROOT=$r run_berth load -i "$BERTH_TEST_IMAGES/bb.tar"
  assert "$(ls -A $r/tmp | wc -l)" == 0 "the next writer swept the killed loads' work dirs"
  BERTH_ROOT=$r run_berth run --rm bbtest testinit echo ok
  assert "$output" == "ok"
}

@test "berth save/load: several images in one docker-archive and one oci-archive" {
  run_berth load -q -i "$BERTH_TEST_IMAGES/bb.tar"
  run_berth import --change 'CMD ["/bin/sh"]' "$BERTH_TEST_IMAGES/rootfs.tar" second
  for fmt in docker-archive oci-archive; do
    run_berth save --format $fmt -o $BATS_TEST_TMPDIR/multi-$fmt.tar bbtest second
    r2=$BATS_TEST_TMPDIR/multi-store-$fmt
    BERTH_ROOT=$r2 run_berth load -i $BATS_TEST_TMPDIR/multi-$fmt.tar
    assert "$output" =~ "Loaded image: docker.io/library/bbtest:latest" "$fmt"
    assert "$output" =~ "Loaded image: localhost/second:latest" "$fmt"
    assert "$(BERTH_ROOT=$r2 "$BERTH" images -q | wc -l)" == 2 "$fmt: two images"
    # the base layer they share is stored once
    assert "$(ls $r2/layers | wc -l)" == 2 "$fmt: shared layer stored once"
  done
}

#!/usr/bin/env bats   -*- bats -*-
#
# One test per runtime and image CVE of SECURITY.md section 2 that applies to berth: each
# performs the attack, from inside a container or from a crafted image or archive, and checks
# that it fails. Root and rootless (the rootless suite runs this same file). The project's
# SECURITY.md lists each CVE, what berth does about it and the test here that proves it.

load helpers
load helpers.registry

@test "CVE-2024-21626: -w /proc/self/fd/N (N = 3..20) never starts a process on a host directory (run)" {
  for n in $(seq 3 20); do
    run_berth '?' run --rm -w /proc/self/fd/$n $IMAGE sh -c 'readlink /proc/self/cwd; ls ../../..'
    assert "$status" =~ "^12[67]$" "fd $n: the command cannot be run there (126/127, as runc)"
    assert "$output" =~ "^Error: workdir \"?/proc/self/fd/$n" "fd $n: the error names the workdir"
    assert "$output" !~ "$BERTH_ROOT|$BERTH_RUNROOT" "fd $n: no host path was reached"
  done
  # a plain workdir still works; the container sees only fds 0, 1 and 2
  run_berth run --rm -w /var/data $IMAGE sh -c 'pwd; readlink /proc/self/cwd'
  assert "$output" == "/var/data"$'\n'"/var/data"
  run_berth run --rm $IMAGE testinit fds
  assert "$output" == "0"$'\n'"1"$'\n'"2"
}

@test "CVE-2024-21626: exec -w /proc/self/fd/N (N = 3..20) and an exec'd process's fds" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sleep 300
  for fd in $(seq 3 20); do
    run_berth '?' exec -w /proc/self/fd/$fd $n sh -c 'readlink /proc/self/cwd; ls ../../..'
    assert "$status" =~ "^12[67]$" "fd $fd: refused"
    assert "$output" !~ "$BERTH_ROOT|$BERTH_RUNROOT" "fd $fd: no host path was reached"
  done
  run_berth exec $n testinit fds
  assert "$output" == "0"$'\n'"1"$'\n'"2"
  # the health check runs through exec too
  run_berth rm -f $n
}

@test "CVE-2024-21626: an image whose WORKDIR is /proc/self/fd/N (N = 3..20)" {
  n=$(safename)
  run_berth create --name $n $IMAGE true
  for fd in $(seq 3 20); do
    run_berth commit -q -c "WORKDIR /proc/self/fd/$fd" $n $n-wd$fd
    run_berth '?' run --rm $n-wd$fd sh -c 'readlink /proc/self/cwd; ls ../../..'
    assert "$status" =~ "^12[67]$" "WORKDIR fd $fd: refused"
    assert "$output" !~ "$BERTH_ROOT|$BERTH_RUNROOT" "WORKDIR fd $fd: no host path was reached"
    run_berth rmi $n-wd$fd
  done
  run_berth rm $n
}

@test "CVE-2019-5736: the container never reaches berth's binary through /proc/self/exe" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sleep 300
  # A copy of berth, so that a failed protection damages only the copy.
  victim=$BATS_TEST_TMPDIR/berth-victim
  cp "$(command -v "$BERTH")" $victim
  chmod 755 $BATS_TEST_TMPDIR $victim
  sum=$(sha256sum < $victim)
  # Executing /proc/self/exe (directly, or as a script's interpreter) reaches only the sealed
  # helper that starts every container command, never berth.
  run_berth exec $n sh -c 'printf "#!/proc/self/exe\n" > /evil; chmod +x /evil'
  for cmd in /proc/self/exe /evil; do
    run -127 timeout 30 $victim exec $n $cmd --version
    assert "$status" -ne 0 "$cmd did not run berth"
    assert "$output" !~ "berth version" "$cmd did not run berth"
    assert "$output" =~ "berth-exec: berth's helper" "$cmd reached the sealed helper"
  done
  run -127 timeout 30 $victim run --rm $IMAGE /proc/self/exe --version
  assert "$output" =~ "berth-exec: berth's helper"
  # An image whose entrypoint is a #!/proc/self/exe script
  run_berth commit -q -c 'ENTRYPOINT ["/evil"]' $n $n-evil
  run -127 timeout 30 $victim run --rm $n-evil --version
  assert "$output" !~ "berth version"
  # An attacker in the container grabs every /proc/PID/exe it can while berth execs into the
  # container, then tries to write them: nothing it reached may be written.
  "$BERTH" exec -d $n sh -c 'testinit exe-race 4 > /race.out'
  for i in $(seq 1 40); do $victim exec $n /evil >/dev/null 2>&1 || true; $victim exec $n true; done
  sleep 4
  run_berth exec $n sh -c 'sleep 2; cat /race.out'
  assert "$output" =~ "seen " "the attacker reached the processes berth started"
  assert "$output" !~ "WROTE" "no binary reached from the container could be written"
  assert "$(sha256sum < $victim)" == "$sum" "berth's binary is unchanged"
  run_berth rm -f $n
  run_berth rmi $n-evil
}

@test "CVE-2016-9962: exec's process is out of the container's reach until it runs the command" {
  n=$(safename)
  run_berth run -d --name $n $IMAGE sleep 300
  # The attacker opens every /proc/PID/fd/N, cwd and root it can see while berth execs into
  # the container 60 times: none may be a directory outside the container's filesystems.
  "$BERTH" exec -d $n sh -c 'testinit fd-race 4 > /race.out'
  for i in $(seq 1 60); do "$BERTH" exec $n true; done
  sleep 4
  run_berth exec $n sh -c 'sleep 1; cat /race.out'
  assert "$output" =~ "tried [1-9]" "the attacker ran"
  assert "$output" !~ "OPENED" "no host directory was opened through /proc"
  run_berth rm -f $n
}

@test "CVE-2021-30465: a mount target swapped for a symlink mid-start never lands outside" {
  n=$(safename)
  shared=$BATS_TEST_TMPDIR/shared
  secret=$BATS_TEST_TMPDIR/secret
  victim=$BATS_TEST_TMPDIR/victim
  mkdir -p $shared $secret $victim
  chmod 777 $shared
  echo mounted > $secret/marker
  # The attacker swaps /shared/t between a directory and a symlink to a host path, as fast as
  # it can, while another container mounts a volume onto that very path.
  run_berth run -d --name $n-attacker -v $shared:/shared $IMAGE sh -c \
    "while true; do rm -rf /shared/t; mkdir /shared/t; rm -rf /shared/t; ln -s $victim /shared/t; done"
  landed=0 refused=0
  for i in $(seq 1 40); do
    run timeout 30 "$BERTH" run --rm -v $shared:/vol -v $secret:/vol/t $IMAGE sh -c \
      '[ -x /bin/busybox ] && [ -e /etc/passwd ] && echo root-intact; cat /vol/t/marker 2>/dev/null; true'
    if [ "$status" = 0 ]; then
      assert "${lines[0]}" == "root-intact" "the container's root was never covered"
      [ "${lines[1]:-}" = mounted ] && landed=$((landed + 1))
    else
      assert "$status" == 125 "a start that loses the race fails cleanly"
      refused=$((refused + 1))
    fi
    assert "$(ls -A $victim)" == "" "nothing reached the host path the symlink names"
  done
  echo "# landed $landed, refused $refused of 40" >&3
  run_berth rm -f $n-attacker
  assert "$(grep -c " $victim " /proc/self/mountinfo || true)" == "0"
}

@test "CVE-2019-16884: an image with a fake /proc (a symlink to a dir of files) gets the real procfs" {
  n=$(safename)
  fake=$BATS_TEST_TMPDIR/fake
  mkdir -p $fake/fakeproc/self/attr
  echo fake-label > $fake/fakeproc/self/attr/current
  echo 0 > $fake/fakeproc/sys
  ln -s /fakeproc $fake/proc
  cp "$BERTH_TEST_IMAGES/rootfs.tar" $BATS_TEST_TMPDIR/fake.tar
  tar -C $fake --owner=0 --group=0 -rf $BATS_TEST_TMPDIR/fake.tar ./proc ./fakeproc
  run_berth import -q $BATS_TEST_TMPDIR/fake.tar $n
  run_berth run --rm $n sh -c 'testinit statfs /proc; readlink /proc/self/exe >/dev/null && echo real; cat /proc/self/attr/current 2>/dev/null; true'
  assert "${lines[0]}" == "9fa0" "/proc is procfs (PROC_SUPER_MAGIC)"
  assert "${lines[1]}" == "real"
  assert "$output" !~ "fake-label" "the image's files never stand in for the kernel's"
  run_berth run --rm $n sh -c 'testinit statfs /sys; testinit statfs /dev'
  assert "$output" == "62656572"$'\n'"1021994" "sysfs and a tmpfs /dev of berth's own"
  run_berth rmi $n
}

@test "CVE-2022-29162: the inheritable set is empty, so file capabilities grant nothing to a non-root user" {
  n=$(safename)
  run_berth run --rm $IMAGE grep CapInh /proc/self/status
  assert "$output" =~ "CapInh:[[:space:]]+0000000000000000"
  run_berth run --rm --user 1000 --cap-add net_admin $IMAGE grep -E 'Cap(Inh|Eff|Prm)' /proc/self/status
  assert "$output" !~ "[1-9a-f][0-9a-f]*$" "uid 1000 holds no capability"
  run_berth run -d --name $n $IMAGE sleep 300
  # A binary with cap_chown+ei (in the default set, effective and inheritable, nothing
  # permitted): with an inheritable set of chown it would start with CAP_CHOWN.
  run_berth exec $n sh -c 'cp /bin/testinit /capbin && chmod 755 /capbin'
  run_berth '?' exec $n testinit setcap /capbin 0
  [ "$status" = 0 ] || skip "cannot set file capabilities here: $output"
  for flags in "-u 1000" "-u 1000 --privileged"; do
    run_berth exec $flags $n grep CapInh /proc/self/status
    assert "$output" =~ "0000000000000000" "exec $flags: CapInh is empty"
    run_berth exec $flags $n /capbin caps
    assert "$output" == "0000000000000000" "exec $flags: the file capability gave nothing"
  done
  run_berth exec $n grep CapInh /proc/self/status
  assert "$output" =~ "0000000000000000" "exec as root: CapInh is empty"
  run_berth rm -f $n
}

@test "CVE-2023-25173: supplementary groups come from the image's /etc/group; --group-add adds" {
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'echo secret > /g && chgrp 1234 /g && chmod 0604 /g'
  run_berth commit -q $n $n-img
  run_berth run --rm --user u $n-img id -G
  assert "$output" =~ "(^| )1234( |$)" "u is in group g (1234) through /etc/group only"
  run_berth '?' run --rm --user u $n-img cat /g
  assert "$status" -ne 0 "a group that is denied access keeps u out"
  run_berth run --rm --user u --group-add 4321 $n-img id -G
  assert "$output" =~ "1234" "--group-add adds, never replaces"
  assert "$output" =~ "4321"
  run_berth rm $n
  run_berth rmi $n-img
}

@test "CVE-2019-14271: berth cp never loads the container's libraries (NSS) on the host" {
  command -v gcc >/dev/null || skip "needs gcc to build the hostile library"
  n=$(safename)
  marker=$BATS_TEST_TMPDIR/evil-ran
  cat > $BATS_TEST_TMPDIR/evil.c <<EOF
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
  int fd = open("$marker", O_WRONLY | O_CREAT, 0644);
  if (fd >= 0) close(fd);
}
EOF
  gcc -shared -fPIC -o $BATS_TEST_TMPDIR/libnss_files.so.2 $BATS_TEST_TMPDIR/evil.c
  run_berth run -d --name $n $IMAGE sleep 300
  for d in /lib /lib64 /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib/aarch64-linux-gnu; do
    run_berth exec $n mkdir -p $d
    run_berth cp $BATS_TEST_TMPDIR/libnss_files.so.2 $n:$d/libnss_files.so.2
    run_berth cp $BATS_TEST_TMPDIR/libnss_files.so.2 $n:$d/libnss_compat.so.2
  done
  run_berth exec $n sh -c 'printf "passwd: files compat\ngroup: files compat\n" > /etc/nsswitch.conf'
  echo data > $BATS_TEST_TMPDIR/in
  chown 1000:1000 $BATS_TEST_TMPDIR/in 2>/dev/null || true
  run_berth cp -a $BATS_TEST_TMPDIR/in $n:/in
  run_berth cp -a $n:/etc/passwd $BATS_TEST_TMPDIR/out
  run_berth cp $n:/home/u - >/dev/null
  run_berth stop -t 0 $n
  run_berth cp $BATS_TEST_TMPDIR/in $n:/in2
  run_berth cp $n:/in2 $BATS_TEST_TMPDIR/out2
  assert "$(cat $BATS_TEST_TMPDIR/out2)" == "data"
  [ ! -e $marker ] || { echo "# the container's library ran on the host" >&2; false; }
  run_berth rm -f $n
}

@test "CVE-2018-15664: berth cp against a container swapping a dir for a symlink never copies a host file" {
  n=$(safename)
  secret=$BATS_TEST_TMPDIR/secret.txt
  echo host-secret > $secret
  # The container keeps the same path both as a real file of its own (under /w) and, through
  # /w -> /, as the host's path: whichever cp resolves, it must be the container's.
  run_berth run -d --name $n $IMAGE sh -c "mkdir -p /real$(dirname $secret) && echo container > /real$secret &&
    while true; do rm -rf /w; ln -s /real /w; rm -f /w; ln -s / /w; done"
  got_host=0 copied=0
  for i in $(seq 1 60); do
    rm -f $BATS_TEST_TMPDIR/copy
    if "$BERTH" cp $n:/w$secret $BATS_TEST_TMPDIR/copy 2>/dev/null; then
      copied=$((copied + 1))
      [ "$(cat $BATS_TEST_TMPDIR/copy 2>/dev/null)" = host-secret ] && got_host=$((got_host + 1))
    fi
  done
  echo "# copied $copied of 60" >&3
  assert "$got_host" == "0" "the host's file was never copied out"
  run_berth rm -f $n
}

@test "CVE-2021-32760: a symlink replaced by a 0777 dir never chmods its target" {
  target=$BATS_TEST_TMPDIR/outside
  mkdir -p $target && chmod 0700 $target
  python3 "$MKHOSTILE" symlink-chmod $BATS_TEST_TMPDIR/c.tar $target
  run_berth load -i $BATS_TEST_TMPDIR/c.tar
  assert "$(stat -c %a $target)" == "700" "the host directory's mode is unchanged"
  run_berth rmi hostile
}

@test "CVE-2021-29136: a layer whose root entry is a symlink out is refused before anything is written" {
  load_must_fail root-symlink "would replace the layer's root directory"
  load_must_fail root-symlink-slash "would replace the layer's root directory"
}

@test "CVE-2021-41190: a document that is both a manifest and an index is refused (archive and registry)" {
  load_must_fail ambiguous "ambiguous document"
  load_must_fail index-also-manifest "ambiguous document"
  # the same document served by a registry, as a manifest and as an index
  run_berth save --format oci-dir -o $BATS_TEST_TMPDIR/layout $IMAGE
  python3 - $BATS_TEST_TMPDIR/layout $BATS_TEST_TMPDIR/ambiguous.json <<'EOF'
import json, sys
idx = json.load(open(sys.argv[1] + "/index.json"))
m = json.load(open(sys.argv[1] + "/blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]))
m.pop("mediaType", None)
m["manifests"] = [{k: v for k, v in idx["manifests"][0].items() if k != "mediaType"}]
open(sys.argv[2], "w").write(json.dumps(m))
EOF
  reg=$(start_fake $BATS_TEST_TMPDIR/fake $BATS_TEST_TMPDIR/layout manifest-body=$BATS_TEST_TMPDIR/ambiguous.json)
  before=$(store_snapshot)
  run_berth 125 pull --tls-verify=false $reg/t/amb:latest
  assert "$output" =~ "ambiguous document" "pull refuses it"
  assert "$(store_snapshot)" == "$before" "nothing stored"
  stop_server $BATS_TEST_TMPDIR/fake
}

@test "CVE-2021-21285: malformed manifests and indexes are errors, never a crash" {
  for c in not-json deep-json missing-file index-size-mismatch unknown-layer-type; do
    python3 "$MKHOSTILE" $c $BATS_TEST_TMPDIR/$c.tar
    run_berth 125 load -i $BATS_TEST_TMPDIR/$c.tar
    assert "${#lines[@]}" == 1 "$c: one Error: line"
    assert "$output" =~ "^Error: " "$c"
  done
}

@test "oversized documents: a 64 MiB index, manifest or config is refused after 4 MiB, memory bounded" {
  command -v /usr/bin/time >/dev/null || skip "needs /usr/bin/time"
  for c in oversized-index oversized-manifest oversized-config; do
    load_must_fail $c "larger than 4 MiB"
    /usr/bin/time -f %M -o $BATS_TEST_TMPDIR/rss "$BERTH" load -i $BATS_TEST_TMPDIR/$c.tar 2>/dev/null || true
    rss=$(tail -1 $BATS_TEST_TMPDIR/rss)
    echo "# $c: max RSS $rss KiB" >&3
    assert "$rss" -lt 40000 "$c: berth never holds the 64 MiB document"
  done
}

@test "CVE-2021-21284 / CVE-2021-41091: the store is private; another host user cannot reach setuid files in it" {
  assert "$(stat -c %a $BERTH_ROOT)" == "700"
  for d in blobs layers images containers tmp; do
    assert "$(stat -c %a $BERTH_ROOT/$d)" == "700" "$d is private"
  done
  assert "$(stat -c %a $BERTH_ROOT/names.json)" == "600"
  is_rootless && skip "needs root to act as another user"
  n=$(safename)
  run_berth run --name $n $IMAGE sh -c 'cp /bin/busybox /evil-suid && chmod 4755 /evil-suid'
  run_berth commit -q $n $n-img
  run setpriv --reuid=65534 --regid=65534 --clear-groups find $BERTH_ROOT -name evil-suid
  assert "$output" !~ "evil-suid$" "the setuid file is out of reach"
  assert "$output" =~ "Permission denied"
  run_berth rm $n
  run_berth rmi $n-img
}

@test "CVE-2022-0811: sysctls cannot be injected into the host (berth has no --sysctl; core_pattern unchanged)" {
  before=$(cat /proc/sys/kernel/core_pattern)
  run_berth 125 run --rm --sysctl 'kernel.shm_rmid_forced=1+kernel.core_pattern=|/tmp/x' $IMAGE true
  run_berth 125 run --rm --sysctl kernel.core_pattern=x $IMAGE true
  run_berth '?' run --rm $IMAGE sh -c 'echo "|/tmp/x" > /proc/sys/kernel/core_pattern'
  assert "$status" -ne 0 "/proc/sys is read-only in the container"
  assert "$(cat /proc/sys/kernel/core_pattern)" == "$before"
}

@test "runc-class escapes by flag: --user ids that do not fit, mounts over /proc and /sys, writes into a volume's host dir" {
  for u in 4294967295 1000:4294967295 99999999999 2147483648; do
    run_berth 125 run --rm --user $u $IMAGE id
    assert "$output" =~ "ids must be between 0 and 2147483647" "--user $u"
  done
  n=$(safename)
  run_berth create --name $n $IMAGE true
  run_berth commit -q -c 'USER 4294967295' $n $n-root
  run_berth 125 run --rm $n-root id
  assert "$output" =~ "the image's USER"
  src=$BATS_TEST_TMPDIR/src
  mkdir -p $src
  for d in /proc /proc/ /x/../proc /proc/sys /sys //sys/ /; do
    run_berth 125 run --rm -v $src:$d $IMAGE true
    run_berth 125 run --rm --mount type=bind,src=$src,dst=$d $IMAGE true
  done
  run_berth 125 run --rm --tmpfs /proc $IMAGE true
  run_berth 125 run --rm --tmpfs /sys $IMAGE true
  # a symlink in the image that leads to /proc or /sys
  run_berth run --name $n-l $IMAGE sh -c 'ln -s /proc /lp; ln -s /sys /ls; ln -s /data /ld'
  run_berth commit -q $n-l $n-links
  for d in /lp /lp/sys /ls; do
    run_berth 125 run --rm -v $src:$d $n-links true
    assert "$output" =~ "resolves into /proc or /sys" "$d"
  done
  # nothing is created inside a volume's host directory: not for /dev, not for a mount inside
  # it, not for a workdir or a tmpfs in it
  run_berth run --rm -v $src:/dev $IMAGE true
  run_berth 125 run --rm -v $src:/data -v $BATS_TEST_TMPDIR:/data/sub $IMAGE true
  run_berth 125 run --rm -v $src:/data -v $BATS_TEST_TMPDIR:/ld/sub $n-links true
  run_berth 126 run --rm -v $src:/data -w /data/new $IMAGE true
  run_berth 125 run --rm -v $src:/data --tmpfs /data/t $IMAGE true
  assert "$(ls -A $src)" == "" "nothing was created in the host directory"
  mkdir $src/sub
  run_berth run --rm -v $BATS_TEST_TMPDIR/src/sub:/data/sub -v $src:/data $IMAGE sh -c 'echo in > /data/sub/f'
  assert "$(cat $src/sub/f)" == "in" "a mount point that exists in the volume is used, parents first"
  run_berth rm $n $n-l
  run_berth rmi $n-root $n-links
}

@test "trusted directories: a run root or store another user made first, or anyone can write, is refused" {
  other=$BATS_TEST_TMPDIR/other
  mkdir -p $other/run $other/root
  chmod 777 $other/run $other/root
  run_berth 125 --runroot $other/run images
  assert "$output" =~ "refusing to use $other/run as the run root: it is writable by other users"
  run_berth 125 --root $other/root --runroot $BATS_TEST_TMPDIR/run2 images
  assert "$output" =~ "refusing to use $other/root as the store root"
  if ! is_rootless; then
    chmod 700 $other/run
    chown 65534:65534 $other/run
    run_berth 125 --runroot $other/run images
    assert "$output" =~ "belongs to another user"
  fi
}

@test "a full disk during load says so: no space left on device, the store unchanged" {
  skip_if_rootless "needs a small tmpfs mount"
  small=$BATS_TEST_TMPDIR/small
  mkdir -p $small
  mount -t tmpfs -o size=3m tmpfs $small || skip "cannot mount a tmpfs here"
  for f in bb.tar bb-oci.tar bb-oci; do
    run_berth 125 --root $small/root --runroot $small/run load -i "$BERTH_TEST_IMAGES/$f"
    assert "$output" =~ "No space left on device" "$f: the cause, not an internal error"
    assert "${#lines[@]}" == 1
    assert "$(ls -A $small/root/layers $small/root/tmp | grep -v : | grep -v '^$' || true)" == "" "$f: no layer, no leftovers"
  done
  umount $small
}

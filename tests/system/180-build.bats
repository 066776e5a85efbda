#!/usr/bin/env bats   -*- bats -*-
#
# berth build: a Containerfile and a context -> an image, checked from inside the image and in
# inspect/history; the layer cache; stages; bad input.

load helpers

# build CTX [flags...]: the context dir's Containerfile
ctx() { mkdir -p $BATS_TEST_TMPDIR/ctx; echo $BATS_TEST_TMPDIR/ctx; }

@test "build: every instruction lands in the image (files, owners, modes, env, user, workdir, cmd, labels, history)" {
  local c=$(ctx)
  mkdir -p $c/files/sub
  echo a > $c/files/a.txt
  echo b > $c/files/sub/b.txt
  printf '#!/bin/sh\necho run\n' > $c/run.sh
  cat > $c/Containerfile <<'EOF'
# syntax=docker/dockerfile:1
FROM bbtest AS base
ARG GREETING=hello
ENV APP=/app \
    PATH=/app/bin:$PATH
WORKDIR $APP
COPY files/ ./
COPY --chown=1:2 --chmod=0750 run.sh bin/
RUN echo "$GREETING from RUN" > greeting && rm /etc/group.bak 2>/dev/null; rm -f /var/data/kept.txt || true
RUN <<END
echo heredoc one > /app/h
echo two >> /app/h
END
COPY <<EOT /etc/motd
motd for ${APP:-none}
EOT
LABEL org.test.a=yes "org.test.b"="two words"
EXPOSE 8080 9090/udp
VOLUME /data
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=5s CMD true
SHELL ["/bin/sh", "-ec"]
USER 1000
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting"]
EOF
  run_berth build -t built --build-arg GREETING=hi $c
  assert "${lines[0]}" == "STEP 1/18: FROM bbtest AS base"
  assert "$output" =~ "COMMIT localhost/built:latest"
  assert "$output" =~ "Successfully tagged localhost/built:latest"
  local id=${lines[-1]}
  assert "$id" =~ "^[0-9a-f]{64}$" "the id last"
  run_berth run --rm built
  assert "$output" == "hi from RUN" "ENTRYPOINT + CMD, the build arg in RUN"
  run_berth run --rm --entrypoint "" built sh -c 'id -u; pwd; echo $APP; cat /app/h /etc/motd; stat -c "%u:%g %a" /app/bin/run.sh /app/a.txt /app/sub/b.txt; echo $GREETING'
  assert "${lines[0]}" == 1000
  assert "${lines[1]}" == /app
  assert "${lines[2]}" == /app
  assert "${lines[3]}" == "heredoc one"
  assert "${lines[4]}" == two
  assert "${lines[5]}" == "motd for /app"
  assert "${lines[6]}" == "1:2 750" "--chown and --chmod"
  assert "${lines[7]}" == "0:0 644"
  assert "${lines[8]}" == "0:0 644" "a directory's content, recursively"
  assert "${#lines[@]}" == 9 "ARG values do not stay in the image's environment"
  run_berth image inspect --format '{{.Config.Labels}}|{{.Config.ExposedPorts}}|{{.Config.Volumes}}|{{.Config.StopSignal}}|{{.Config.User}}|{{.Config.WorkingDir}}' built
  assert "$output" =~ "org.test.a:yes org.test.b:two words"
  assert "$output" =~ "\|map\[8080/tcp:map\[\] 9090/udp:map\[\]\]\|map\[/data:map\[\]\]\|SIGUSR1\|1000\|/app$"
  run_berth history --format '{{.CreatedBy}}' --no-trunc built
  assert "${lines[0]}" == '/bin/sh -c #(nop) CMD ["cat /app/greeting"]'
  assert "$output" =~ "/bin/sh -c #\(nop\) WORKDIR \\\$APP"
  run_berth images --format '{{.Repository}}'
  assert "$output" !~ "<none>" "the steps' images are intermediate: hidden without -a"
  run_berth images -a --format '{{.Repository}}'
  assert "$output" =~ "<none>"
}

@test "build: a RUN rm leaves a whiteout; a file under a symlinked parent lands through the link" {
  local c=$(ctx)
  echo x > $c/x
  cat > $c/Containerfile <<'EOF'
FROM bbtest
RUN mkdir -p /usr/real && ln -s usr/real /linked && echo gone > /gone
RUN rm /gone
COPY x /linked/
EOF
  run_berth build -q -t wh $c
  run_berth run --rm wh sh -c 'ls /gone 2>&1; readlink /linked; cat /usr/real/x'
  assert "${lines[0]}" =~ "No such file"
  assert "${lines[1]}" == usr/real "the symlink stays a symlink"
  assert "${lines[2]}" == x
}

@test "build: the cache reuses every step; a changed COPY source rebuilds from there; ignored files do not count" {
  local c=$(ctx)
  echo 1 > $c/a
  echo 1 > $c/ignored.log
  echo '*.log' > $c/.containerignore
  printf 'FROM bbtest\nRUN echo step1 > /s1\nCOPY . /ctx/\nRUN ls /ctx > /listing\n' > $c/Containerfile
  run_berth build -t cached $c
  local first=${lines[-1]}
  assert "$output" !~ "Using cache"
  run_berth build -t cached $c
  assert "$(grep -c 'Using cache' <<< "$output")" == 3 "every layer step"
  assert "${lines[-1]}" == "$first" "the same image"
  echo 2 > $c/ignored.log
  touch $c/a
  run_berth build -t cached $c
  assert "$(grep -c 'Using cache' <<< "$output")" == 3 "an ignored file and an mtime do not count"
  echo 2 > $c/a
  run_berth build -t cached $c
  assert "$(grep -c 'Using cache' <<< "$output")" == 1 "only the step before the changed COPY"
  run_berth run --rm cached cat /listing
  assert "$output" == "Containerfile
a" "ignored files are not in the context"
  run_berth build --no-cache -t cached $c
  assert "$output" !~ "Using cache"
}

@test "build: stages, COPY --from a stage and by index, --target, ARG before FROM" {
  local c=$(ctx)
  cat > $c/Containerfile <<'EOF'
ARG BASE=bbtest
FROM $BASE AS builder
RUN mkdir /out && echo built > /out/artifact
FROM scratch AS empty
COPY --from=builder /out/artifact /artifact
FROM ${BASE}
COPY --from=builder /out /result
COPY --from=1 /artifact /second
EOF
  run_berth build -t multi $c
  assert "$output" =~ "\[1/3\] STEP 1/2: FROM \\\$BASE AS builder"
  run_berth run --rm multi cat /result/artifact /second
  assert "$output" == "built
built"
  run_berth build --target builder -q -t onlybuilder $c
  run_berth run --rm onlybuilder cat /out/artifact
  run_berth 125 build --target nope $c
  assert "$output" == 'Error: the target "nope" was not found in the provided Containerfile'
}

@test "build: a failing RUN gives its exit status; no image, no container; the steps before stay cached" {
  local c=$(ctx)
  printf 'FROM bbtest\nRUN echo ok > /ok\nRUN echo before; exit 3\nRUN echo never\n' > $c/Containerfile
  run_berth 3 build -t failing $c
  assert "$output" =~ "before"
  assert "${lines[-1]}" == 'Error: building at STEP "RUN echo before; exit 3": while running runtime: exit status 3'
  assert "$output" !~ "never"
  run_berth 1 image exists failing
  assert "$("$BERTH" ps -aq)" == "" "no container left"
  run_berth 3 build -t failing $c
  assert "$output" =~ "Using cache" "the first RUN was kept"
}

@test "build: bad input is one Error: line and 125, naming the file and line" {
  local c=$(ctx)
  printf 'FROM bbtest\nFOO bar\n' > $c/Containerfile
  run_berth 125 build $c
  assert "$output" == "Error: Containerfile:2: unknown instruction: FOO"
  printf '# nothing\n' > $c/Containerfile
  run_berth 125 build $c
  assert "$output" == "Error: Containerfile: file with no instructions"
  printf 'FROM bbtest\nCOPY ../x /\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" == "Error: Containerfile:2: COPY: forbidden path outside the build context: ../x"
  printf 'FROM bbtest\nCOPY missing /\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" =~ "^Error: Containerfile:2: COPY: checking on sources under .*: \"missing\": no such file or directory$"
  printf 'FROM bbtest AS a\nCOPY --from=a /x /\n' > $c/Containerfile
  run_berth 125 build $c
  assert "$output" == "Error: Containerfile:2: circular dependency detected on stage: a"
  rm $c/Containerfile
  run_berth 125 build $c
  assert "$output" =~ "^Error: no Containerfile or Dockerfile specified or found in context directory"
  printf 'FROM bbtest\nCOPY https://git.example.test/r.git /x\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" =~ "source can't be a git repository for COPY"
  printf 'FROM bbtest\nRUN --mount=type=weird,target=/x true\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" =~ "unknown type \"weird\""
  assert "$("$BERTH" ps -aq)" == "" "nothing was left"
}

@test "build: a symlink in the context pointing out is copied as a link, never followed to the host" {
  local c=$(ctx)
  ln -s /etc/passwd $c/out
  mkdir $c/d
  ln -s /etc $c/d/etc
  printf 'FROM bbtest\nCOPY d /d\n' > $c/Containerfile
  run_berth build -q -t links $c
  run_berth run --rm links readlink /d/etc
  assert "$output" == /etc
  printf 'FROM bbtest\nCOPY out /copied\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" =~ "\"out\": no such file or directory" "resolved inside the context, where /etc/passwd is not"
}

@test "build: -f - reads stdin; --iidfile; --label and --env on the final image; image build is the same command" {
  local c=$(ctx)
  run_berth image build -q -f - --iidfile $BATS_TEST_TMPDIR/iid --label extra=1 --env E=2 -t fromstdin $c <<< 'FROM bbtest
CMD ["sh", "-c", "echo $E"]'
  assert "sha256:$output" == "$(cat $BATS_TEST_TMPDIR/iid)"
  run_berth run --rm fromstdin
  assert "$output" == 2
  run_berth image inspect --format '{{index .Config.Labels "extra"}}' fromstdin
  assert "$output" == 1
  run_berth build -q --annotation org.test.note=hello -t annotated -f - $c <<< 'FROM bbtest'
  local annotated_id=$output
  run_berth image inspect --format '{{index .Annotations "org.test.note"}} {{.Id}}' annotated
  assert "$output" == "hello $annotated_id" "in the image's manifest; the id printed is the image's"
  run_berth 125 build --annotation novalue -f - $c <<< 'FROM bbtest'
  assert "$output" =~ 'invalid --annotation "novalue"'
}

@test "build: kill -9 in the middle leaves a store the next build uses" {
  local c=$(ctx)
  printf 'FROM bbtest\nRUN sleep 31.37\n' > $c/Containerfile
  "$BERTH" build -t killed $c > $BATS_TEST_TMPDIR/out 2>&1 &
  local pid=$!
  local i
  for i in $(seq 50); do grep -q "STEP 2/2" $BATS_TEST_TMPDIR/out && break; sleep 0.1; done
  sleep 0.5
  kill -9 $pid || { echo "the build ended before the kill:"; cat $BATS_TEST_TMPDIR/out; false; }
  wait $pid || true
  pkill -9 -fx 'sleep 31.37' || true
  printf 'FROM bbtest\nRUN echo after > /after\n' > $c/Containerfile
  run_berth build -q -t killed $c
  run_berth run --rm killed cat /after
  assert "$output" == after
  run_berth rm -a -f
}

@test "build: ADD of a local archive unpacks it; of a plain file copies it; of a URL is refused" {
  local c=$(ctx)
  mkdir -p $BATS_TEST_TMPDIR/src/dir
  echo in-archive > $BATS_TEST_TMPDIR/src/dir/f
  tar -czf $c/a.tar.gz -C $BATS_TEST_TMPDIR/src dir
  echo plain > $c/plain
  printf 'FROM bbtest\nADD a.tar.gz /unpacked/\nADD plain /p\n' > $c/Containerfile
  run_berth build -q -t added $c
  run_berth run --rm added cat /unpacked/dir/f /p
  assert "$output" == "in-archive
plain"
  printf 'FROM bbtest\nCOPY http://127.0.0.1:1/x /x\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" =~ "source can't be a URL for COPY"
}

@test "build: ADD of a URL fetches it (a server on 127.0.0.1 in a network namespace of the test's own)" {
  skip_if_rootless "the test's network namespace needs root"
  command -v python3 >/dev/null || skip "no python3 for the HTTP server"
  local c=$(ctx) www=$BATS_TEST_TMPDIR/www
  mkdir -p $www
  echo fetched > $www/file.txt
  printf 'FROM bbtest\nADD http://127.0.0.1:8765/file.txt /dl/\nADD http://127.0.0.1:8765/file.txt /named\n' > $c/Containerfile
  run unshare --net sh -c "ip link set lo up
    cd $www && python3 -m http.server --bind 127.0.0.1 8765 >/dev/null 2>&1 3>&- &
    server=\$!
    for i in \$(seq 50); do python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", 8765))' 2>/dev/null && break; sleep 0.1; done
    '$BERTH' build -q -t fetched $c; rc=\$?
    printf 'FROM bbtest\\nADD http://127.0.0.1:8765/missing /m\\n' | '$BERTH' build -f - $c; echo rc2=\$?
    kill \$server; exit \$rc"
  echo "$output"
  [ "$status" = 0 ]
  assert "$output" =~ "ADD http://127.0.0.1:8765/missing: HTTP status 404"
  assert "$output" =~ "rc2=125"
  run_berth run --rm fetched sh -c 'cat /dl/file.txt /named; stat -c %a /named'
  assert "$output" == "fetched
fetched
600"
}

@test "build: proxy build args reach RUN without an ARG; --platform sets the TARGET args; FROM --platform of another machine pulls" {
  local c=$(ctx)
  printf 'FROM bbtest\nRUN echo "proxy=$HTTP_PROXY" > /p\n' > $c/Containerfile
  run_berth build -q -t proxied --build-arg HTTP_PROXY=http://127.0.0.1:3128 $c
  run_berth run --rm proxied cat /p
  assert "$output" == "proxy=http://127.0.0.1:3128"
  run_berth image inspect --format '{{.Config.Env}}' proxied
  assert "$output" !~ "HTTP_PROXY" "not kept in the image"
  case $(uname -m) in x86_64) here=amd64 ;; aarch64) here=arm64 ;; *) here=$(uname -m) ;; esac
  printf 'FROM --platform=$BUILDPLATFORM bbtest\nARG TARGETARCH\nARG TARGETPLATFORM\nARG BUILDARCH\nRUN echo $TARGETARCH $TARGETPLATFORM $BUILDARCH > /t\n' > $c/Containerfile
  run_berth build -q --platform linux/s390x -t cross-args $c
  run_berth run --rm cross-args cat /t
  assert "$output" == "s390x linux/s390x $here"
  run_berth image inspect --format '{{.Architecture}}' cross-args
  assert "$output" == "$here" "FROM --platform=\$BUILDPLATFORM: an image of the build machine's"
  # the local bbtest is this machine's: another platform's is pulled (and no name resolves here)
  printf 'FROM --platform=linux/s390x bbtest\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" =~ "^Error: short-name \"bbtest\" did not resolve"
  run_berth 125 build --platform linux $c
  assert "$output" == "Error: invalid platform \"linux\": use OS/ARCH[/VARIANT]"
}

@test "build: interop — buildah builds the same tree and config; berth's image runs under podman" {
  skip_if_rootless "buildah and podman run here as root only (../shared/peers.md)"
  command -v buildah >/dev/null || skip "buildah is not installed"
  local c=$(ctx) w=$BATS_TEST_TMPDIR/bd
  mkdir -p $c/src/sub
  echo one > $c/src/one
  echo two > $c/src/sub/two
  ln -s one $c/src/link
  chmod 0600 $c/src/sub/two
  cat > $c/Containerfile <<'EOF'
FROM bbtest
ENV A=1 B="two words"
WORKDIR /app
COPY src/ ./
COPY --chown=5:6 src/one /owned
RUN mkdir -p /made && echo made > /made/file && chmod 0711 /made
LABEL k=v
EXPOSE 8080
USER 1000
CMD ["sh"]
EOF
  "$BERTH" save -o $BATS_TEST_TMPDIR/base.tar bbtest
  local bd="buildah --root $w/root --runroot $w/runroot --storage-driver overlay"
  $bd pull -q docker-archive:$BATS_TEST_TMPDIR/base.tar >/dev/null
  $bd tag "$($bd images -q | head -1)" bbtest
  $bd bud --isolation chroot --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -q -t bd-built $c >/dev/null
  $bd push -q bd-built oci-archive:$BATS_TEST_TMPDIR/bd.tar:bd-built
  $bd rmi -af >/dev/null 2>&1 || true
  run_berth load -q -i $BATS_TEST_TMPDIR/bd.tar
  run_berth tag "${output##*: }" localhost/bd-built
  run_berth build -q -t berth-built $c
  local tree='cd / && find /app /owned /made | sort | while read f; do stat -c "%n %a %u:%g %F" "$f"; [ -L "$f" ] && readlink "$f"; [ -f "$f" ] && [ ! -L "$f" ] && md5sum < "$f"; done'
  run_berth run --rm --user 0 berth-built sh -c "$tree"
  local mine=$output
  run_berth run --rm --user 0 localhost/bd-built sh -c "$tree"
  assert "$mine" == "$output" "the same paths, modes, owners, link targets and contents"
  # (buildah adds its own io.buildah.version label)
  local fmt='{{.Config.Env}} {{.Config.Cmd}} {{.Config.Entrypoint}} {{.Config.WorkingDir}} {{.Config.User}} {{index .Config.Labels "k"}} {{.Config.ExposedPorts}}'
  run_berth image inspect --format "$fmt" berth-built
  mine=$output
  run_berth image inspect --format "$fmt" localhost/bd-built
  assert "$mine" == "$output" "the same config fields"
  if command -v podman >/dev/null; then
    local p="podman --root $w/p --runroot $w/prun --storage-driver overlay"
    "$BERTH" save berth-built | $p load -q >/dev/null
    local out
    out=$($p --runtime runc run --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/berth-built cat /app/one 2>/dev/null)
    assert "$out" == one "podman runs berth's image (its warnings about this sandbox's cgroups aside)"
    $p rmi -af >/dev/null 2>&1 || true
  fi
}

@test "build: RUN --mount=type=cache survives across builds, bind reads the context, tmpfs and secrets leave nothing in the layer" {
  local c=$(ctx)
  echo in-context > $c/ctxfile
  echo s3cret > $BATS_TEST_TMPDIR/secret
  cat > $c/Containerfile <<'EOF'
FROM bbtest
ARG N=1
RUN --mount=type=cache,target=/cache echo "$N" >> /cache/runs && cat /cache/runs | tr '\n' ' ' > /seen
RUN --mount=type=bind,source=ctxfile,target=/mnt/ctxfile cat /mnt/ctxfile > /from-bind
RUN --mount=type=tmpfs,target=/scratch echo t > /scratch/t && ls /scratch > /tmpfs-list
RUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null && echo secret-read > /secret-status
RUN --network=none true
EOF
  run_berth build -q -t mounts --secret id=tok,src=$BATS_TEST_TMPDIR/secret --build-arg N=1 $c
  run_berth build -q -t mounts --secret id=tok,src=$BATS_TEST_TMPDIR/secret --build-arg N=2 $c
  run_berth run --rm mounts sh -c 'cat /seen; echo; cat /from-bind /tmpfs-list /secret-status; ls /cache /scratch /mnt/ctxfile /run/secrets/tok 2>&1 | grep -c "No such file"'
  assert "${lines[0]}" == "1 2 " "the cache directory kept the first build's line"
  assert "${lines[1]}" == in-context
  assert "${lines[2]}" == t
  assert "${lines[3]}" == secret-read
  assert "${lines[4]}" == 4 "no mount point is left in the image"
}

@test "build: stages that need none of each other run at the same time (--jobs); --jobs 1 runs them in turn" {
  local c=$(ctx)
  cat > $c/Containerfile <<'EOF'
FROM bbtest AS a
RUN date +%s > /start && sleep 2 && date +%s > /end
FROM bbtest AS b
RUN echo b && date +%s > /start && sleep 2 && date +%s > /end
FROM bbtest
COPY --from=a /start /a.start
COPY --from=a /end /a.end
COPY --from=b /start /b.start
COPY --from=b /end /b.end
EOF
  run_berth build --jobs 2 -t together $c
  assert "$output" =~ "\[1/3\] STEP 2/2" "stage a's lines"
  assert "$output" =~ "\[2/3\] STEP 2/2" "stage b's lines"
  run_berth run --rm together sh -c 'echo $(cat /a.start) $(cat /a.end) $(cat /b.start) $(cat /b.end)'
  read as ae bs be <<< "$output"
  [ "$as" -lt "$be" ] && [ "$bs" -lt "$ae" ] || { echo "stages did not overlap: a $as-$ae b $bs-$be"; false; }
  run_berth build --no-cache --jobs 1 -t inturn $c
  run_berth run --rm inturn sh -c 'echo $(cat /a.start) $(cat /a.end) $(cat /b.start) $(cat /b.end)'
  read as ae bs be <<< "$output"
  [ "$ae" -le "$bs" ] || { echo "--jobs 1 overlapped: a $as-$ae b $bs-$be"; false; }
  # a failing stage in a wave: its status, and the other's result is not used
  printf 'FROM bbtest AS a\nRUN exit 7\nFROM bbtest AS b\nRUN true\nFROM bbtest\nCOPY --from=a / /a\nCOPY --from=b / /b\n' > $c/Containerfile
  run_berth 7 build --jobs 2 -t failed $c
  assert "${lines[-1]}" == 'Error: building at STEP "RUN exit 7": while running runtime: exit status 7'
  assert "$("$BERTH" ps -aq)" == "" "no container left"
}

@test "build --timestamp: two builds of the same sources give the same image id; file and image times are the one given" {
  local c=$(ctx)
  echo hi > $c/f
  printf 'FROM bbtest\nCOPY f /f\nRUN echo made > /made && rm -f /var/data/kept.txt\nENV X=1\n' > $c/Containerfile
  run_berth build -q --no-cache --timestamp 1700000000 $c
  local first=$output
  sleep 1.1
  touch $c/f
  run_berth build -q --no-cache --timestamp 1700000000 $c
  assert "$output" == "$first" "byte for byte the same image"
  run_berth image inspect --format '{{.Created}}' $first
  assert "$output" =~ "^2023-11-14T22:13:20(\.0+)?Z$"
  run_berth run --rm $first stat -c %Y /f /made
  assert "$output" == "1700000000
1700000000"
}

@test "build: a base image's ONBUILD triggers run first and are not kept; --squash-all gives one layer" {
  local c=$(ctx)
  echo trig > $c/trigfile
  printf 'FROM bbtest\nONBUILD COPY trigfile /from-trigger\nONBUILD RUN echo ran > /trigger-ran\n' > $c/Containerfile
  run_berth build -q -t onbuild-base $c
  printf 'FROM onbuild-base\nRUN cat /from-trigger /trigger-ran > /both\n' > $c/Containerfile
  run_berth build -t onbuild-child $c
  assert "$output" =~ "# Executing 2 build triggers"
  run_berth run --rm onbuild-child cat /both
  assert "$output" == "trig
ran"
  run_berth image inspect --format '{{.Config.OnBuild}}' onbuild-child
  assert "$output" =~ "^(\[\]|<no value>)$" "the triggers are not inherited"
  run_berth build -q --squash-all -t squashed $c
  run_berth image inspect --format '{{len .RootFS.Layers}}' squashed
  assert "$output" == 1
  run_berth run --rm squashed cat /both
  assert "$output" == "trig
ran"
}

@test "build: RUN --mount=type=bind from a stage; a bind source is resolved inside its root, never through a symlink out" {
  local c=$(ctx)
  ln -s /etc/shadow $c/escape
  mkdir -p $c/etc
  echo inside-context > $c/etc/shadow
  cat > $c/Containerfile <<'EOF'
FROM bbtest AS data
RUN mkdir /d && echo from-stage > /d/file && ln -s /etc/hostname /d/host-link
FROM bbtest
RUN --mount=type=bind,from=data,source=/d,target=/mnt cat /mnt/file > /got && readlink /mnt/host-link >> /got
RUN --mount=type=bind,source=escape,target=/e cat /e > /escape-read
EOF
  run_berth build -q -t bindfrom $c
  run_berth run --rm bindfrom cat /got /escape-read
  assert "$output" == "from-stage
/etc/hostname
inside-context" "the context's symlink to /etc/shadow led to the context's own etc/shadow"
}

@test "build --squash: the new layers become one on the base image's; deletions, replacements and opaque dirs survive" {
  local c=$(ctx)
  printf 'FROM bbtest\nRUN mkdir -p /base/dir && echo keep > /base/keep && echo del > /base/del && echo in > /base/dir/in\n' > $c/Containerfile
  run_berth build -q -t sq-base $c
  local base_layers=$("$BERTH" image inspect --format '{{len .RootFS.Layers}}' sq-base)
  echo copied > $c/copied
  cat > $c/Containerfile <<'EOF'
FROM sq-base
RUN echo one > /new && echo gone > /gone && rm /base/del && rm -rf /base/dir && echo two > /base/keep
RUN mkdir /base/dir && echo again > /base/dir/again && rm /gone
COPY copied /copied
ENV SQ=1
EOF
  run_berth build -q -t sq-layers $c
  run_berth build -q --squash -t sq-squashed $c
  run_berth image inspect --format '{{len .RootFS.Layers}}' sq-layers
  assert "$output" == "$((base_layers + 3))"
  run_berth image inspect --format '{{len .RootFS.Layers}} {{.Config.Env}}' sq-squashed
  assert "$output" =~ "^$((base_layers + 1)) .*SQ=1" "the base's layers and one more"
  local list='for f in $(find /base /new /copied /gone 2>/dev/null | sort); do echo "$f $(cat $f 2>/dev/null)"; done'
  run_berth run --rm sq-layers sh -c "$list"
  local want="$output"
  assert "$want" =~ "/base/dir/again again"
  run_berth run --rm sq-squashed sh -c "$list"
  assert "$output" == "$want" "the squashed image holds the same files"
  [[ "$output" != *"/base/dir/in"* ]]
  run_berth history --format '{{.CreatedBy}}' sq-squashed
  assert "$output" =~ "squashed"
  run_berth save -o $BATS_TEST_TMPDIR/sq.tar sq-squashed
  run_berth rmi sq-squashed
  run_berth load -i $BATS_TEST_TMPDIR/sq.tar
  run_berth run --rm sq-squashed cat /base/keep /copied
  assert "$output" == "two
copied" "the image survives save and load (its history and layers agree)"
}

@test "build --format docker stores a Docker v2 schema 2 manifest; --format oci an OCI one" {
  local c=$(ctx)
  printf 'FROM bbtest\nHEALTHCHECK CMD true\nRUN echo d > /d\n' > $c/Containerfile
  run_berth build -q --format docker -t fmt-docker $c
  local id="$output"
  run_berth image inspect --format '{{.ManifestType}} {{.Config.Healthcheck.Test}}' fmt-docker
  assert "$output" == "application/vnd.docker.distribution.manifest.v2+json [CMD-SHELL true]"
  run_berth build -q --format oci -t fmt-oci $c
  assert "$output" == "$id" "the same config: the same id"
  run_berth image inspect --format '{{.ManifestType}}' fmt-oci
  assert "$output" == "application/vnd.oci.image.manifest.v1+json"
  run_berth 125 build --format v2s3 $c
  assert "$output" =~ "unrecognized image type"
}

@test "build: RUN --mount=type=bind,rw writes go to a scratch copy: neither the context nor the image keeps them" {
  local c=$(ctx)
  echo original > $c/file
  cat > $c/Containerfile <<'EOF'
FROM bbtest
RUN --mount=type=bind,rw,target=/ctx echo scribble > /ctx/new && rm /ctx/file && ls /ctx > /seen
RUN --mount=type=bind,rw,source=file,target=/one echo changed > /one && cat /one > /seen-file
EOF
  run_berth build -q -t bindrw $c
  run_berth run --rm bindrw sh -c 'cat /seen /seen-file; test -e /ctx/new || test -e /ctx/file || test -s /one || echo clean'
  assert "$output" == "Containerfile
new
changed
clean" "the step saw its writes; the image has none of them"
  assert "$(cat $c/file)" == "original" "the context's file is untouched"
  [ ! -e $c/new ]
}

@test "build: ADD of a git repository clones it (a branch, a tag, a commit, a subdirectory; .git only with --keep-git-dir)" {
  command -v git >/dev/null || skip "no git"
  local c=$(ctx) repo=$BATS_TEST_TMPDIR/repo
  git init -q -b main $repo
  echo one > $repo/f
  mkdir $repo/sub
  echo s > $repo/sub/g
  git -C $repo add .
  git -C $repo -c user.name=t -c user.email=t@t.test commit -qm one
  git -C $repo tag v1
  local first=$(git -C $repo rev-parse HEAD)
  echo two > $repo/f
  git -C $repo -c user.name=t -c user.email=t@t.test commit -qam two
  # git's own URL rewrite sends the https URL to the local repository: no network
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="url.$repo.insteadOf" GIT_CONFIG_VALUE_0=https://git.example.test/repo.git
  cat > $c/Containerfile <<EOF
FROM bbtest
ADD https://git.example.test/repo.git /head
ADD https://git.example.test/repo.git#v1 /tag
ADD https://git.example.test/repo.git#$first /commit
ADD https://git.example.test/repo.git#main:sub /sub
ADD --keep-git-dir=true https://git.example.test/repo.git /kept
EOF
  run_berth build -q -t fromgit $c
  run_berth run --rm fromgit sh -c 'cat /head/f /tag/f /commit/f /sub/g; test -e /head/.git || echo no-git; test -d /kept/.git && echo kept'
  assert "$output" == "two
one
one
s
no-git
kept"
  printf 'FROM bbtest\nADD https://git.example.test/repo.git#nosuch /x\n' > $c/Containerfile
  run_berth 125 build $c
  assert "${lines[-1]}" == "Error: Containerfile:2: ADD: ADD https://git.example.test/repo.git#nosuch: git could not clone it at nosuch"
}

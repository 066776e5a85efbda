#!/usr/bin/env bats   -*- bats -*-
#
# Fail-fast smoke tests: if these fail, nothing else will work.

load helpers

@test "berth version and --version" {
  run_berth version
  assert "${lines[0]}" == "Client:       berth" "podman's table"
  assert "${lines[1]}" =~ "^Version: +[0-9]+\.[0-9]+\.[0-9]+$"
  assert "${lines[2]}" =~ "^API Version: +[0-9]+\.[0-9]+\.[0-9]+$"
  assert "${lines[3]}" =~ "^Go Version:"
  built=$(sed -n 's/^Built: *//p' <<<"$output")
  assert "$(date --date "$built" +%s)" -gt "$(date --date 2019-01-01 +%s)" "a build date date(1) reads"
  assert "${lines[5]}" == "OS/Arch:      linux/$(dpkg --print-architecture)"
  run_berth version --format '{{.Client.Version}} {{.Server.Version}}'
  assert "$output" =~ "^([0-9]+\.[0-9]+\.[0-9]+) \1$"
  run_berth version --format json
  assert "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d), d["Client"]["Built"] > 0)' <<<"$output")" == "['Client', 'Server'] True"
  run_berth 125 version --format '{{.Client'
  assert "$output" =~ "^Error: "
  run_berth --version
  assert "$output" =~ "^berth version [0-9]+\.[0-9]+\.[0-9]+$"
}

@test "berth --help lists the commands" {
  run_berth --help
  for cmd in images load save import run ps rm rmi tag inspect history; do
    assert "$output" =~ "$cmd" "help mentions $cmd"
  done
}

@test "berth: unknown command and bad flags exit 125 with Error:" {
  run_berth 125 no-such-command
  assert "$output" =~ "^Error: "
  run_berth 125 images --no-such-flag
  assert "$output" =~ "^Error: "
  run_berth 125 --log-level=bogus images
  assert "$output" =~ "invalid log level"
}

@test "berth load + run: the test image runs" {
  run_berth run --rm $IMAGE testinit echo hello world
  assert "$output" == "hello world"
}

@test "berth run: exit codes follow podman (0 1 32 127 126 125)" {
  tests="
true            |   0
false           |   1
sh -c 'exit 32' |  32
/no/such/cmd    | 127
nosuchcmd       | 127
/etc            | 126
/etc/passwd     | 126
"
  local rows=0
  while IFS='|' read -r cmd want; do
    cmd=$(echo "$cmd" | xargs -0 echo | sed 's/ *$//'); want=$(echo $want)
    [ -z "$cmd" ] && continue
    eval "run_berth $want run --rm $IMAGE $cmd"
    rows=$((rows + 1))
  done <<< "$tests"
  assert "$rows" == 7 "every row of the table ran"
  run_berth 125 run --rm --no-such-flag $IMAGE true
  run_berth 125 run --rm --pull=never no-such-image true
  assert "$output" =~ "image not known"
  # The default --pull=missing tries a registry; here no short name resolves to one.
  run_berth 125 run --rm no-such-image true
  assert "$output" =~ "no unqualified-search registries are defined"
}

@test "berth run: 127 and 126 name the command" {
  run_berth 127 run --rm $IMAGE /no/such/cmd
  assert "$output" =~ "/no/such/cmd"
  run_berth 127 run --rm $IMAGE nosuchcmd
  assert "$output" =~ "nosuchcmd.*not found"
  run_berth 126 run --rm $IMAGE /etc
  assert "$output" =~ "/etc: Permission denied"
}

#!/usr/bin/env bats   -*- bats -*-
#
# Networks: bridge networks, published ports, names that resolve, isolation, cleanup. Run only
# through tests/system/in-netns.sh (tests/meson.build does): a network namespace of the test's
# own, where traffic goes to 127.0.0.1 and the containers' addresses and nowhere else.

load helpers

setup_file() {
  berth_setup_file
  if [ "${BERTH_TEST_NETNS:-}" != 1 ]; then
    skip "network tests run only in a namespace of their own: tests/system/in-netns.sh bats $BATS_TEST_FILENAME"
  fi
}

# The web page of an httpd container, from the test's namespace (up to 5 s for it to listen).
http_get() {
  local i
  for i in $(seq 50); do
    if out=$(curl -s -m 2 "http://$1/" 2>/dev/null) && [ -n "$out" ]; then
      echo "$out"
      return 0
    fi
    sleep 0.1
  done
  return 1
}

HTTPD='mkdir -p /www && echo hello-$(hostname) > /www/index.html && exec httpd -f -p 80 -h /www'
# A page fetched inside a container (busybox-static's wget crashes: nc speaks HTTP/1.0 here).
FETCH='fetch() { printf "GET / HTTP/1.0\r\n\r\n" | nc -w 2 "$1" 80 | tail -n 1 | grep . ; }'

# What berth leaves in the kernel and the store: veths, berth's nftables elements, leases.
net_state() {
  ip -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1 | sort
  nft list map ip berth dnat_any 2>/dev/null | grep elements || true
  ls "$BERTH_ROOT/networks/" 2>/dev/null | grep leases || true
}

# Veths go with their container's namespace, which the kernel frees a moment after it exits.
wait_net_state() {
  local i
  for i in $(seq 50); do
    [ "$(net_state)" = "$1" ] && return 0
    sleep 0.1
  done
  echo "# network state: $(net_state | tr '\n' ' '), expected $(echo "$1" | tr '\n' ' ')" >&2
  return 1
}

@test "network create, ls, inspect, exists, rm; the default network; bad input" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local n=$(safename)
  run_berth network ls --format '{{.Name}} {{.Driver}}'
  assert "$output" == "podman bridge" "the default network is there from the start"
  run_berth network create --subnet 10.99.0.0/24 --label app=x $n
  assert "$output" == "$n"
  run_berth network inspect --format '{{.Name}} {{(index .Subnets 0).Subnet}} {{(index .Subnets 0).Gateway}} {{.Internal}} {{.DNSEnabled}}' $n
  run_berth network inspect $n
  assert "$output" =~ '"subnet": "10.99.0.0/24"'
  assert "$output" =~ '"gateway": "10.99.0.1"'
  assert "$output" =~ '"network_interface": "berth1"'
  run_berth network ls --filter label=app=x -q
  assert "$output" == "$n"
  run_berth network exists $n
  run_berth 1 network exists nosuchnet
  run_berth 125 network create $n
  assert "$output" == "Error: network name $n already used: network already exists"
  run_berth network create --ignore $n
  run_berth 125 network create --subnet 10.99.0.128/25 $n-b
  assert "$output" =~ "^Error: subnet 10.99.0.128/25 is already used"
  run_berth 125 network create --subnet 10.99.1.0 $n-c
  assert "$output" =~ "^Error: invalid subnet"
  run_berth 125 network create --subnet 300.1.0.0/16 $n-c
  run_berth 125 network create "a/b"
  assert "$output" =~ "^Error: network name \"a/b\" invalid"
  run_berth 125 network create --gateway 10.98.1.1 --subnet 10.98.0.0/24 $n-c
  run_berth 125 network rm podman
  assert "$output" == "Error: default network podman cannot be removed"
  run_berth 1 network rm nosuchnet
  assert "$output" == "Error: unable to find network with name or ID nosuchnet: network not found"
  run_berth network ls -q
  assert "$output" == "podman
$n" "nothing was created by the refused commands"
  run_berth network rm $n
  assert "$output" == "$n"
  run_berth network create
  assert "$output" == "podman1" "a name is chosen when none is given"
  run_berth network prune -f
  assert "$output" == "podman1"
}

@test "-p publishes on 127.0.0.1; port, ps and inspect show it; a taken port is refused and leaves nothing" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local name=$(safename)
  local before=$(net_state)
  run_berth run -d --name $name -p 127.0.0.1:8080:80 -p 8443-8444:443-444 --network bridge $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8080
  assert "$output" =~ "^hello-" "the page, through the published port"
  run_berth port $name
  assert "${lines[0]}" == "80/tcp -> 127.0.0.1:8080"
  assert "${lines[1]}" == "443/tcp -> 0.0.0.0:8443"
  assert "${lines[2]}" == "444/tcp -> 0.0.0.0:8444"
  run_berth port $name 443
  assert "$output" == "0.0.0.0:8443"
  run_berth 125 port $name 99
  assert "$output" == 'Error: failed to find published port "99/tcp"'
  run_berth ps --format '{{.Names}} {{.Ports}}'
  assert "$output" == "$name 127.0.0.1:8080->80/tcp, 0.0.0.0:8443->443/tcp, 0.0.0.0:8444->444/tcp"
  run_berth inspect --format '{{.NetworkSettings.IPAddress}} {{(index .NetworkSettings.Ports "80/tcp")}}' $name
  assert "$output" =~ "^10\.88\.0\.[0-9]+ \[map\[HostIp:127.0.0.1 HostPort:8080\]\]$"
  local ip=${output%% *}
  run curl -s -m 2 http://$ip:80/
  assert "$output" =~ "^hello-" "the container's own address answers from the host's namespace"
  local during=$(net_state)
  run_berth 125 run --rm --network bridge -p 8080:80 $IMAGE true
  assert "$output" =~ "^Error: .*port 8080/tcp is already published by container $name"
  assert "$(net_state)" == "$during" "the refused container left no veth, rule or lease"
  run_berth rm -f -t 0 $name
  wait_net_state "$before"
  run curl -s -m 1 http://127.0.0.1:8080/
  assert "$status" != 0 "the port is closed again"
}

@test "-P publishes EXPOSE and --expose on random ports; a port bound on the host is refused" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local name=$(safename)
  run_berth run -d --name $name -P --expose 80 --network bridge $IMAGE sh -c "$HTTPD"
  run_berth port $name 80
  assert "$output" =~ "^0\.0\.0\.0:[0-9]+$"
  local port=${output##*:}
  run http_get 127.0.0.1:$port
  assert "$output" =~ "^hello-"
  run_berth rm -f -t 0 $name
  # A host process holding the port: the container cannot take it.
  python3 -c 'import socket,time; s=socket.socket(); s.bind(("0.0.0.0", 8090)); s.listen(); time.sleep(30)' &
  local holder=$! i
  for i in $(seq 50); do ss -ltn | grep -q ':8090 ' && break; sleep 0.1; done
  run_berth 125 run --rm --network bridge -p 8090:80 $IMAGE true
  assert "$output" =~ "^Error: cannot publish port 8090/tcp: .*Address already in use"
  kill $holder
}

@test "names resolve on a user-defined network, aliases and later containers too; other networks are cut off" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local n=$(safename) db=$(safename)
  run_berth network create $n
  run_berth network create $n-other
  run_berth network create --internal $n-int
  run_berth run -d --name $db --network $n --network-alias database $IMAGE sh -c "$HTTPD"
  run_berth run --rm --network $n $IMAGE sh -c "$FETCH; for h in $db database; do fetch \$h || exit 1; done"
  assert "${lines[0]}" =~ "^hello-" "reached by name"
  assert "${lines[1]}" =~ "^hello-" "reached by its alias"
  run_berth run -d --name $db-late --network $n $IMAGE sleep 100
  run_berth exec $db sh -c "grep -w $db-late /etc/hosts"
  assert "$output" =~ "^10\.89\.[0-9]+\.[0-9]+	$db-late " "a container started later is in the first one's /etc/hosts"
  local ip
  ip=$("$BERTH" inspect --format "{{(index .NetworkSettings.Networks \"$n\").IPAddress}}" $db)
  run_berth 1 run --rm --network $n-other $IMAGE sh -c "$FETCH; fetch $ip"
  run_berth run --rm --network $n-other $IMAGE sh -c "grep -c $db /etc/hosts || true"
  assert "$output" == 0 "another network's containers are not named"
  run_berth run --rm --network $n-int $IMAGE sh -c "ip route; $FETCH; fetch 10.88.0.1; echo rc=\$?"
  assert "$output" !~ "default" "an internal network has no way out"
  assert "${lines[-1]}" == "rc=1"
  run_berth 2 network rm $n
  assert "$output" =~ "has associated containers with it"
  run_berth rm -f -t 0 $db-late
  run_berth exec $db sh -c "grep -c $db-late /etc/hosts || true"
  assert "$output" == 0 "a container that is gone leaves the others' /etc/hosts"
  run_berth network rm -f -t 0 $n $n-other $n-int
  run_berth ps -aq
  assert "$output" == "" "network rm -f removed its containers"
  run ip link show berth1
  assert "$status" != 0 "and the bridge"
}

@test "network reload restores published ports after the firewall was flushed" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local name=$(safename)
  run_berth run -d --name $name -p 8081:80 --network bridge $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8081
  assert "$output" =~ "^hello-"
  nft flush ruleset
  run curl -s -m 1 http://127.0.0.1:8081/
  assert "$status" != 0 "no rules, no port"
  run_berth network reload $name
  run http_get 127.0.0.1:8081
  assert "$output" =~ "^hello-" "the port is back"
  nft flush ruleset
  run_berth network reload --all
  run http_get 127.0.0.1:8081
  assert "$output" =~ "^hello-"
  run_berth rm -f -t 0 $name
}

@test "20 parallel runs get 20 addresses; rm -af leaves no lease, veth or rule; a killed owner's lease is reclaimed" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local n=$(safename)
  run_berth network create --subnet 10.97.0.0/24 $n
  local before=$(net_state) veths=$(ip -o link show type veth | wc -l)
  local i pids=()
  for i in $(seq 20); do
    "$BERTH" run -d --network $n $IMAGE sleep 100 > $BATS_TEST_TMPDIR/id.$i 2>&1 &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait $i; done
  run_berth inspect --format "{{(index .NetworkSettings.Networks \"$n\").IPAddress}}" $(cat $BATS_TEST_TMPDIR/id.*)
  assert "$(echo "$output" | sort -u | wc -l)" == 20 "20 different addresses"
  assert "$(ip -o link show type veth | wc -l)" == $((veths + 20))
  run_berth rm -af -t 0
  wait_net_state "$before"
  # kill -9 of the monitor and the container: the next run takes the port and the address back.
  local name=$(safename)
  run_berth run -d --name $name --ip 10.97.0.50 -p 8082:80 --network $n $IMAGE sleep 100
  local pid=$("$BERTH" inspect --format '{{.State.Pid}}' $name)
  pkill -9 -f "__monitor.*$("$BERTH" inspect --format '{{.Id}}' $name)" || true
  kill -9 $pid
  run_berth run -d --name $name-2 --ip 10.97.0.50 -p 8082:80 --network $n $IMAGE sleep 100
  run_berth rm -af -t 0
  wait_net_state "$before"
}

@test "bad network flags: one Error line, 125, nothing created" {
  local arg
  for arg in "-p 70000" "-p abc" "-p 8000-8010:80-85" "-p 1.2.3:80:80" "-p 80/sctp" "--network a/b" \
             "--network nosuchnet" "--ip 10.0.0.1" "--ip 1.2.3.4.5 --network bridge" "--add-host nocolon" \
             "--dns notanip" "--mac-address zz:00:00:00:00:00 --network bridge" "-p 80 --network none"; do
    run_berth 125 run --rm $arg $IMAGE true
    assert "${#lines[@]}" == 1 "one line for $arg: $output"
    assert "$output" =~ "^Error: "
  done
  run_berth ps -aq
  assert "$output" == "" "no container was created"
}

@test "--add-host, --dns, --dns-search, --dns-option, --no-hosts" {
  run_berth run --rm --add-host db.local:10.1.2.3 --dns 10.0.0.53 --dns-search example.com --dns-option ndots:2 \
    $IMAGE sh -c 'cat /etc/hosts /etc/resolv.conf'
  assert "$output" =~ "10.1.2.3	db.local"
  assert "$output" =~ "nameserver 10.0.0.53"
  assert "$output" =~ "search example.com"
  assert "$output" =~ "options ndots:2"
  run_berth run --rm --no-hosts $IMAGE cat /etc/hosts
  assert "$output" !~ "127.0.1.1" "the image's own /etc/hosts, not berth's"
}

@test "rootless: bridge networks are refused with a clear error" {
  skip_if_not_rootless
  run_berth 125 run --rm --network bridge $IMAGE true
  assert "$output" == "Error: bridge networks need root: rootless containers use --network pasta"
}

@test "--network pasta: -p through pasta's own forwarding, port and ps show it, rm stops pasta" {
  command -v pasta >/dev/null || skip "pasta (Debian's passt) is not installed"
  [ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user"
  local name=$(safename)
  run_berth run --rm --network pasta $IMAGE sh -c 'ip addr show; ip route'
  assert "$output" =~ "10\.0\.2\.15" "pasta gives the container the uplink's address"
  assert "$output" =~ "default via 10\.0\.2\.2"
  run_berth run -d --name $name --network pasta -p 8087:80 $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8087
  assert "$output" =~ "^hello-" "the page, through pasta"
  run_berth port $name
  assert "$output" == "80/tcp -> 0.0.0.0:8087"
  run_berth ps --format '{{.Names}} {{.Ports}}'
  assert "$output" =~ "$name 0.0.0.0:8087->80/tcp"
  local id=$("$BERTH" inspect --format '{{.Id}}' $name)
  run pgrep -f "pasta .*$id"
  assert "$status" == 0 "pasta serves the container"
  run_berth rm -f -t 0 $name
  sleep 0.2
  run pgrep -f "pasta .*$id"
  assert "$status" != 0 "rm stopped pasta"
  run_berth 125 run --rm --network pasta --ip 10.0.2.20 $IMAGE true
  assert "$output" == "Error: --ip needs a bridge network, not --network pasta"
}

@test "network connect and disconnect a running container" {
  skip_if_rootless "rootless containers use pasta; berth has no rootless bridge yet"
  local n=$(safename) a=$(safename) b=$(safename)
  run_berth network create $n-1
  run_berth network create $n-2
  run_berth run -d --name $a --network $n-1 $IMAGE sh -c "$HTTPD"
  run_berth run -d --name $b --network $n-2 $IMAGE sleep 100
  run_berth 1 run --rm --network $n-2 $IMAGE sh -c "$FETCH; fetch $a"
  run_berth network connect --alias web $n-2 $a
  run_berth exec $a ip addr show eth1
  assert "$output" =~ "inet 10\.89\." "the running container got an interface on the second network"
  run_berth exec $b sh -c "$FETCH; fetch $a && fetch web"
  assert "${lines[0]}" =~ "^hello-" "and is reached there by name"
  assert "${lines[1]}" =~ "^hello-" "and by the alias given to connect"
  run_berth inspect --format "{{(index .NetworkSettings.Networks \"$n-2\").IPAddress}}" $a
  assert "$output" =~ "^10\.89\."
  run_berth 125 network connect $n-2 $a
  assert "$output" =~ "already connected"
  run_berth network disconnect $n-2 $a
  run_berth 1 exec $a ip addr show eth1
  run_berth exec $b sh -c "grep -c $a /etc/hosts || true"
  assert "$output" == 0 "the peers no longer name it"
  run_berth 125 network disconnect $n-2 $a
  assert "$output" =~ "not connected"
  run_berth 125 network disconnect $n-1 $a
  assert "$output" =~ "only network"
  run_berth 125 network connect nosuchnet $a
  run_berth rm -f -t 0 $a $b
  run_berth network rm $n-1 $n-2
}

@test "--network slirp4netns: -p through its API socket; rm stops it" {
  command -v slirp4netns >/dev/null || skip "slirp4netns is not installed"
  [ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user"
  local name=$(safename)
  run_berth run --rm --network slirp4netns:mtu=1500 $IMAGE sh -c 'ip addr show tap0; ip route'
  assert "$output" =~ "inet 10\.0\.2\.100/24" "slirp4netns's own network"
  assert "$output" =~ "mtu 1500" "its options, podman's way"
  assert "$output" =~ "default via 10\.0\.2\.2"
  run_berth run -d --name $name --network slirp4netns -p 8089:80 $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8089
  assert "$output" =~ "^hello-" "the page, through slirp4netns"
  run_berth port $name
  assert "$output" == "80/tcp -> 0.0.0.0:8089"
  local id=$("$BERTH" inspect --format '{{.Id}}' $name)
  run pgrep -f "slirp4netns .*$id"
  assert "$status" == 0 "slirp4netns serves the container"
  run_berth rm -f -t 0 $name
  run pgrep -f "slirp4netns .*$id"
  assert "$status" != 0 "rm stopped it"
}

@test "info names the network backend" {
  run_berth info --format '{{.Host.NetworkBackend}}'
  if is_rootless; then
    assert "$output" == pasta "rootless containers get pasta"
  else
    assert "$output" == berth "root: berth's own bridges"
  fi
}

@test "--network container:CTR shares its namespace (localhost between them); ns:PATH joins a bound one" {
  local name=$(safename)
  run_berth run -d --name $name --network private $IMAGE sh -c "$HTTPD"
  run_berth run --rm --network container:$name $IMAGE sh -c "$FETCH; for i in \$(seq 50); do fetch 127.0.0.1 && exit; sleep 0.1; done; exit 1"
  assert "$output" =~ "^hello-" "the other container's server, on the shared 127.0.0.1"
  run_berth inspect --format '{{.State.Pid}}' $name
  local pid=$output
  run_berth run --rm --network container:$name $IMAGE readlink /proc/self/ns/net
  assert "$output" == "$(readlink /proc/$pid/ns/net 2>/dev/null || "$BERTH" exec $name readlink /proc/self/ns/net)"
  run_berth 125 run --rm --network container:nosuchctr $IMAGE true
  assert "$output" =~ "^Error: --network container:nosuchctr: no container with name or ID"
  run_berth create --name $name-c --network container:$name $IMAGE true
  run_berth stop -t 0 $name
  run_berth 125 start $name-c
  assert "$output" =~ "is not running: .* cannot join its network namespace"
  run_berth rm -f -t 0 $name $name-c
  run_berth 125 run --rm --network ns:/nonexistent $IMAGE true
  if ! is_rootless; then
    touch $BATS_TEST_TMPDIR/ns
    unshare --net=$BATS_TEST_TMPDIR/ns true
    run_berth run --rm --network ns:$BATS_TEST_TMPDIR/ns $IMAGE readlink /proc/self/ns/net
    assert "$output" == "$(readlink $BATS_TEST_TMPDIR/ns 2>/dev/null || nsenter --net=$BATS_TEST_TMPDIR/ns readlink /proc/self/ns/net)"
    umount $BATS_TEST_TMPDIR/ns
  fi
}

@test "-p without --network: the default network that publishes (bridge as root, pasta rootless); without -p loopback only" {
  if is_rootless; then
    command -v pasta >/dev/null || skip "pasta (Debian's passt) is not installed"
    [ -r /dev/net/tun ] && [ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user"
  fi
  local name=$(safename) want=bridge
  is_rootless && want=pasta
  run_berth run -d --name $name -p 127.0.0.1:8091:80 $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8091
  assert "$output" =~ "^hello-" "the page, through the port published on the default network"
  run_berth inspect --format '{{.HostConfig.NetworkMode}}' $name
  assert "$output" == "$want"
  run_berth rm -f -t 0 $name
  run_berth run --rm $IMAGE sh -c 'ls /sys/class/net | sort | tr "\n" " "'
  assert "$output" == "lo " "no -p: loopback only, as before"
  # a pod's ports the same way: its infra gets the default publishing network
  run_berth pod create --name $name-pod -p 127.0.0.1:8092:80
  run_berth run -d --pod $name-pod --name $name-web $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8092
  assert "$output" =~ "^hello-" "the page, through the pod's published port"
  run_berth pod rm -f -t 0 $name-pod
  # containers.conf's netns names the default for every container
  printf '[containers]\nnetns = "none"\n' > $BATS_TEST_TMPDIR/c.conf
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/c.conf run_berth run --rm $IMAGE sh -c 'ls /sys/class/net | tr "\n" " "'
  assert "$output" == "lo "
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/c.conf run_berth 125 run --rm -p 8093:80 $IMAGE true
  assert "$output" == "Error: -p/--publish needs a bridge, pasta or slirp4netns network, not --network none"
  # podman's netns = "private" is its default: berth's default then (with -p, the publishing one)
  printf '[containers]
netns = "private"
' > $BATS_TEST_TMPDIR/c.conf
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/c.conf run_berth run -d --name $name-p -p 127.0.0.1:8094:80 $IMAGE sh -c "$HTTPD"
  run http_get 127.0.0.1:8094
  assert "$output" =~ "^hello-"
  run_berth rm -f -t 0 $name-p
}

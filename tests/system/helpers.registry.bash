# Registries for the registry tests, all on 127.0.0.1 with a free port: Debian's
# docker-registry (plain HTTP, TLS with a throw-away certificate, htpasswd basic auth) and
# tests/helpers/fake-registry.py for faults a real registry cannot stage.

FAKE_REGISTRY=${FAKE_REGISTRY:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../helpers" && pwd)/fake-registry.py}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL [curl flags]: until the URL answers at all (any status).
wait_http() {
  local url=$1 i
  shift
  for i in $(seq 100); do
    curl -s -o /dev/null "$@" "$url" && return 0
    sleep 0.1
  done
  echo "# $url never answered" >&2
  return 1
}

# start_registry DIR [plain|tls|htpasswd USER PASS]: docker-registry serving DIR/data; prints
# host:port. DIR/pid, DIR/log; DIR/ca.crt for tls.
start_registry() {
  local dir=$1 mode=${2:-plain} port
  mkdir -p "$dir/data"
  port=$(free_port)
  {
    echo "version: 0.1"
    echo "log: {level: info, accesslog: {disabled: false}}"
    echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    if [ "$mode" = tls ]; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 -keyout "$dir/key.pem" -out "$dir/ca.crt" 2>/dev/null
      echo "  tls: {certificate: $dir/ca.crt, key: $dir/key.pem}"
    fi
    if [ "$mode" = htpasswd ]; then
      python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
        "$3" "$4" > "$dir/htpasswd"
      echo "auth: {htpasswd: {realm: berth-test, path: $dir/htpasswd}}"
    fi
  } > "$dir/config.yml"
  # docker-registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH_FILE would name
  # an auth provider): it gets none of them.
  env $(compgen -e | grep '^REGISTRY_' | sed 's/^/-u /') docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  echo $! > "$dir/pid"
  if [ "$mode" = tls ]; then wait_http "https://127.0.0.1:$port/v2/" -k >&2; else wait_http "http://127.0.0.1:$port/v2/" >&2; fi
  echo "127.0.0.1:$port"
}

# start_fake DIR LAYOUT [FAULT...]: fake-registry.py serving the OCI layout LAYOUT; prints
# host:port.
start_fake() {
  local dir=$1 layout=$2 i
  shift 2
  mkdir -p "$dir"
  rm -f "$dir/port"
  python3 "$FAKE_REGISTRY" "$layout" "$dir/port" "$@" > "$dir/log" 2>&1 &
  echo $! > "$dir/pid"
  for i in $(seq 100); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  echo "127.0.0.1:$(cat "$dir/port")"
}

stop_server() {
  local dir=$1
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null
  rm -f "$dir/pid"
  return 0
}

need_registry() {
  command -v docker-registry >/dev/null || skip "docker-registry (Debian package docker-registry) is not installed"
}

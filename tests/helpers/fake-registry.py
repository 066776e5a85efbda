#!/usr/bin/env python3
"""A small read-only registry for the fault tests that a real registry cannot stage.

Serves one OCI image layout directory (as `berth save --format oci-dir` writes it) on
127.0.0.1 only: GET/HEAD /v2/, /v2/<any repo>/manifests/<tag or digest> (tags from the
org.opencontainers.image.ref.name annotations) and /v2/<any repo>/blobs/<digest>.

Usage: fake-registry.py LAYOUT_DIR PORT_FILE [FAULT ...]
The port it listens on is written to PORT_FILE. Faults (each NAME or NAME=VALUE):
  corrupt-blobs          blobs are served with their first byte changed
  truncate-blobs=N       blobs are cut after N bytes (the connection is closed)
  slow-blobs             blobs trickle out (1 KiB every 0.2 s)
  manifest-body=FILE     every manifest request gets FILE's bytes
  manifest-huge          every manifest is 64 MiB of spaces
  redirect-blobs=URL     blobs answer 307 to URL + the request path
  bearer=USER:PASS       /v2/ needs a bearer token from /token (basic USER:PASS there);
                         each token request is counted in PORT_FILE.tokens
"""
import base64
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

layout, port_file = sys.argv[1], sys.argv[2]
faults = {}
for f in sys.argv[3:]:
    k, _, v = f.partition("=")
    faults[k] = v
token_count = 0
lock = threading.Lock()
TOKEN = "tok-" + base64.b16encode(os.urandom(8)).decode()


def index():
    with open(os.path.join(layout, "index.json")) as f:
        return json.load(f)


def blob_path(digest):
    algo, _, hexd = digest.partition(":")
    if algo != "sha256" or len(hexd) != 64 or not all(c in "0123456789abcdef" for c in hexd):
        return None
    return os.path.join(layout, "blobs", "sha256", hexd)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, code, ecode, msg):
        body = json.dumps({"errors": [{"code": ecode, "message": msg}]}).encode()
        self.send(code, body, {"Content-Type": "application/json"})

    def authorized(self):
        if "bearer" not in faults:
            return True
        if self.headers.get("Authorization") == "Bearer " + TOKEN:
            return True
        host = self.headers.get("Host")
        chal = 'Bearer realm="http://%s/token",service="fake-registry"' % host
        parts = self.path.split("/")
        if len(parts) > 3:
            repo = "/".join(parts[2:-2])
            chal += ',scope="repository:%s:pull"' % repo
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}).encode()
        self.send(401, body, {"WWW-Authenticate": chal, "Content-Type": "application/json"})
        return False

    def token(self):
        global token_count
        want = "Basic " + base64.b64encode(faults["bearer"].encode()).decode()
        if self.headers.get("Authorization") != want:
            return self.error(401, "UNAUTHORIZED", "invalid username or password")
        with lock:
            token_count += 1
            with open(port_file + ".tokens", "w") as f:
                f.write(str(token_count))
        self.send(200, json.dumps({"token": TOKEN}).encode(), {"Content-Type": "application/json"})

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/token":
            return self.token()
        if not path.startswith("/v2/"):
            return self.error(404, "NOT_FOUND", "not found")
        if not self.authorized():
            return
        if path == "/v2/":
            return self.send(200, b"{}", {"Content-Type": "application/json"})
        parts = path.split("/")
        if len(parts) < 5:
            return self.error(404, "NAME_UNKNOWN", "repository name not known to registry")
        kind, ref = parts[-2], parts[-1]
        if kind == "manifests":
            return self.manifest(ref)
        if kind == "blobs":
            return self.blob(ref)
        return self.error(404, "NOT_FOUND", "not found")

    def manifest(self, ref):
        if "manifest-huge" in faults:
            return self.send(200, b" " * (64 << 20), {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        if "manifest-body" in faults:
            with open(faults["manifest-body"], "rb") as f:
                return self.send(200, f.read(), {"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        for m in index()["manifests"]:
            name = m.get("annotations", {}).get("org.opencontainers.image.ref.name", "")
            tag = name.rsplit(":", 1)[-1] if ":" in name.rsplit("/", 1)[-1] else name
            if ref in (m["digest"], tag):
                with open(blob_path(m["digest"]), "rb") as f:
                    body = f.read()
                return self.send(200, body, {"Content-Type": m["mediaType"], "Docker-Content-Digest": m["digest"]})
        return self.error(404, "MANIFEST_UNKNOWN", "manifest unknown")

    def blob(self, digest):
        if "redirect-blobs" in faults:
            return self.send(307, b"", {"Location": faults["redirect-blobs"] + self.path})
        p = blob_path(digest)
        if not p or not os.path.exists(p):
            return self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        with open(p, "rb") as f:
            body = f.read()
        if "corrupt-blobs" in faults:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if self.command == "HEAD":
            return
        if "truncate-blobs" in faults:
            self.wfile.write(body[: int(faults["truncate-blobs"])])
            self.wfile.flush()
            self.close_connection = True
            return
        if "slow-blobs" in faults:
            for i in range(0, len(body), 1024):
                self.wfile.write(body[i : i + 1024])
                self.wfile.flush()
                time.sleep(0.2)
            return
        self.wfile.write(body)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()

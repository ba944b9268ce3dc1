"""A small HTTP device for the Request connector tests (stdlib only).

Usage: request_device.py PORT [--user NAME --password SECRET]

Serves JSON readings, counts requests per path, records every request it gets
(method, path, body, Authorization header) and shows them on GET /_received,
checks basic auth on /secure/*, and can be slow on /slow.

  GET  /getdata             {"serial": "SN-001", "Developer": "Alice", "hum": 41, "temp": 21.5}
  GET  /devices             [{"id": 1, ...}, {"id": 2, ...}]   (a list: one record each)
  GET  /devices/<id>/extra  {"extra": <id * 10>}               (sub-requests)
  GET  /wrapped             {"result": {"devices": [...]}}     (dataUnpackExpression)
  GET  /secure/data         basic auth required, else 401
  GET  /slow?delay=S        answers after S seconds (default 3)
  GET  /fast                {"tick": <how many times /fast was asked>}
  GET  /hex                 {"data": {"value": "<hex bytes>"}}
  GET  /notjson             plain text
  GET  /failthen/notjson    503 for the first two requests, then plain text
  GET  /status/<code>       answers with that status
  *    /sensor/...          recorded; answers {"ok": true, "temp": 22.5, "received": <body as JSON or text>}
  GET  /_received           every recorded request, oldest first
  GET  /_count              {path: count}
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

PORT = int(sys.argv[1])
USER = PASSWORD = None
if "--user" in sys.argv:
    USER = sys.argv[sys.argv.index("--user") + 1]
    PASSWORD = sys.argv[sys.argv.index("--password") + 1]

LOCK = threading.Lock()
RECEIVED = []
COUNTS = {}

HEX = "41C80000" + "0096" + "0000" + "FF38" + "0000" + "03E8" + "00" + "B3"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def reply(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        path = url.path
        with LOCK:
            COUNTS[path] = COUNTS.get(path, 0) + 1
            count = COUNTS[path]
        if path == "/_received":
            with LOCK:
                return self.reply(200, list(RECEIVED))
        if path == "/_count":
            with LOCK:
                return self.reply(200, dict(COUNTS))
        if path.startswith("/secure/"):
            expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self.reply(401, {"error": "unauthorized"})
            return self.reply(200, {"name": "Secure Meter", "power": 7})
        if path == "/getdata":
            return self.reply(200, {"serial": "SN-001", "Developer": "Alice", "hum": 41, "temp": 21.5})
        if path == "/devices":
            return self.reply(200, [{"id": 1, "type": "meter", "serialNr": "A1", "name": "m1"},
                                    {"id": 2, "type": "meter", "serialNr": "B2", "name": "m2"}])
        if path.startswith("/devices/") and path.endswith("/extra"):
            device_id = int(path.split("/")[2])
            return self.reply(200, {"extra": device_id * 10})
        if path == "/wrapped":
            return self.reply(200, {"result": {"devices": [{"name": "W1", "t": 1.5}, {"name": "W2", "t": 2.5}]}})
        if path == "/slow":
            delay = float(parse_qs(url.query).get("delay", ["3"])[0])
            time.sleep(delay)
            return self.reply(200, {"slow": True})
        if path == "/fast":
            return self.reply(200, {"tick": count})
        if path == "/hex":
            return self.reply(200, {"data": {"value": HEX}})
        if path == "/notjson":
            return self.reply(200, b"this is not json", "text/plain")
        if path == "/failthen/notjson":
            if count <= 2:
                return self.reply(503, {"error": "warming up"})
            return self.reply(200, b"this is not json", "text/plain")
        if path.startswith("/status/"):
            return self.reply(int(path.split("/")[2]), {"error": "as asked"})
        if path.startswith("/sensor/"):
            text = body.decode("utf-8", "replace")
            try:
                parsed = json.loads(text) if text else None
            except ValueError:
                parsed = text
            with LOCK:
                RECEIVED.append({"method": self.command, "path": self.path, "body": text,
                                 "contentType": self.headers.get("Content-Type"),
                                 "authorization": self.headers.get("Authorization")})
            return self.reply(200, {"ok": True, "temp": 22.5, "received": parsed})
        return self.reply(404, {"error": "no such path", "path": path})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", PORT), Handler)
print("READY", PORT, flush=True)
server.serve_forever()

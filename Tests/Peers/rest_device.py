#!/usr/bin/env python3
"""A field device for the REST connector's downlink tests (stdlib only).

Usage: rest_device.py PORT

Records every request it gets (method, path, headers, body) and answers:
  GET  /_received  -> the recorded requests as JSON (not recorded itself)
  any other        -> 200 {"device": "ok", "method": M, "path": P, "body": <JSON body or text>}
Prints "READY <port>" once listening.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stdout.write("%s %s\n" % (self.command, self.path))

    def _reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.command == "GET" and self.path == "/_received":
            with lock:
                self._reply(200, list(received))
            return
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = text
        entry = {"method": self.command, "path": self.path, "body": body, "text": text,
                 "contentType": self.headers.get("Content-Type")}
        with lock:
            received.append(entry)
        self._reply(200, {"device": "ok", "method": self.command, "path": self.path, "body": body})

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle
    do_DELETE = _handle


def main():
    port = int(sys.argv[1])
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("READY %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

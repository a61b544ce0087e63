"""A tiny portal on loopback whose every answer a test decides, with a log of
every request (arrival time, path, headers) for the test to read."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Reply:
    def __init__(self, status: int = 200, body: str | bytes = b"", headers: dict | None = None):
        self.status = status
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        server = self.server
        with server.lock:
            seen = sum(1 for entry in server.log if entry[1] == self.path)
            server.log.append((time.monotonic(), self.path, dict(self.headers)))
        reply = server.route(self.path, dict(self.headers), seen)
        self.send_response(reply.status)
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, *args):
        pass


class LoopbackPortal:
    """`route(path, headers, times_seen_before) -> Reply` answers each GET."""

    def __init__(self, route, host: str = "127.0.0.1"):
        # Another loopback address (127.0.0.2) is another host name, so another download slot.
        self.server = ThreadingHTTPServer((host, 0), _Handler)
        self.server.daemon_threads = True
        self.server.route = route
        self.server.log = []
        self.server.lock = threading.Lock()
        self.base = f"http://{host}:{self.server.server_address[1]}"

    @property
    def log(self) -> list[tuple[float, str, dict]]:
        with self.server.lock:
            return list(self.server.log)

    def times(self, path: str) -> list[float]:
        return [t for t, p, _ in self.log if p == path]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

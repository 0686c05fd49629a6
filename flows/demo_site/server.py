"""A small loopback web server for the demo and the tests.

It serves a directory of files with ETag/Last-Modified validators (answering 304 when
they match), and ``routes`` set at run time for special answers (an error status, a slow
or oversized body). POSTs are accepted and kept, so it doubles as a webhook receiver;
``queued`` answers
make it fail a given number of times first.
Every request is logged, so tests can count what a run cost.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering (a slow server)."""
    unsized: bool = False
    """Send no Content-Length: the body ends when the connection closes."""


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    at: float = field(default_factory=time.monotonic)
    """When it arrived (monotonic seconds), to measure the spacing of requests."""


class LocalSite:
    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self.routes: dict[str, Route] = {}
        self.queued: dict[str, list[Route]] = {}
        """Path → answers for the next requests, used up one per request (a flaky server)."""
        self.received: list[LoggedRequest] = []
        """POSTs answered with success."""
        self.requests: list[LoggedRequest] = []
        self.content_types: dict[str, str] = {}
        """Path suffix → Content-Type, to serve e.g. ``.htm`` without a charset."""
        self.in_flight = 0
        """GETs being answered right now; ``max_in_flight`` is the most seen at once."""
        self.max_in_flight = 0
        self._count_lock = threading.Lock()
        self._httpd = _QuietServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() quick (the default 0.5 s adds up over tests).
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> LocalSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def enter(self) -> None:
        with self._count_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._count_lock:
            self.in_flight -= 1

    def hits(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path == path]

    def next_route(self, path: str) -> Route | None:
        queued = self.queued.get(path)
        if queued:
            return queued.pop(0)
        return self.routes.get(path)

    def file_for(self, path: str) -> Path | None:
        if self.root is None:
            return None
        candidate = (self.root / path.split("?", 1)[0].lstrip("/")).resolve()
        root = self.root.resolve()
        if root not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def content_type(self, file: Path) -> str:
        for suffix, value in self.content_types.items():
            if file.name.endswith(suffix):
                return value
        return mimetypes.guess_type(file.name)[0] or "application/octet-stream"


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on purpose (a size cap, a timeout): not worth a traceback.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.requests.append(LoggedRequest("GET", self.path, dict(self.headers)))
            site.enter()
            try:
                route = site.next_route(self.path)
                if route is not None:
                    self._answer_route(route)
                elif (file := site.file_for(self.path)) is not None:
                    self._answer_file(file)
                else:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
            finally:
                site.leave()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            route = site.next_route(self.path) or Route(200, b"ok", {"Content-Type": "text/plain"})
            request = LoggedRequest("POST", self.path, dict(self.headers), body)
            site.requests.append(request)
            if route.status < 300:
                site.received.append(request)
            self._answer_route(route)

        def _answer_route(self, route: Route) -> None:
            if route.delay:
                time.sleep(route.delay)
            self._send(route.status, route.body, route.headers, sized=not route.unsized)

        def _answer_file(self, file: Path) -> None:
            body = file.read_bytes()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            last_modified = formatdate(file.stat().st_mtime, usegmt=True)
            validators = {"ETag": etag, "Last-Modified": last_modified}
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", validators)
                return
            headers = {"Content-Type": site.content_type(file), **validators}
            self._send(200, body, headers)

        def _send(
            self, status: int, body: bytes, headers: dict[str, str], sized: bool = True
        ) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304 and sized:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request log above is the record; stderr noise helps nobody

    return Handler

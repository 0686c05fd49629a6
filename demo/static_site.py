"""A loopback web server for a folder of files, with ETag/Last-Modified validators
(answering 304 when they match), as a small news site serves its pages.

The demo serves its bundled site with it; the tests' servers (``tests/servers.py``) build
on it to add special answers, a request log and a webhook receiver.
"""

from __future__ import annotations

import hashlib
import mimetypes
import sys
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class StaticSite:
    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root
        self.content_types: dict[str, str] = {}
        """Path suffix → Content-Type, to serve e.g. ``.htm`` without a charset."""
        self._httpd = _QuietServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        # A short poll interval makes stop() quick (the default 0.5 s adds up over tests).
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> StaticSite:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> StaticSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        """Answer a GET with a file of ``root``, or 404."""
        file = self.file_for(request.path)
        if file is None:
            send(request, 404, b"not found", {"Content-Type": "text/plain"})
        else:
            self.answer_file(request, file)

    def handle_post(self, request: BaseHTTPRequestHandler) -> None:
        send(request, 405, b"read-only site", {"Content-Type": "text/plain"})

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

    def answer_file(self, request: BaseHTTPRequestHandler, file: Path) -> None:
        body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        last_modified = formatdate(file.stat().st_mtime, usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        if request.headers.get("If-None-Match") == etag:
            send(request, 304, b"", validators)
            return
        send(request, 200, body, {"Content-Type": self.content_type(file), **validators})


def send(
    request: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str],
    sized: bool = True,
) -> None:
    """Answer ``request``; without ``sized`` the body ends when the connection closes."""
    request.send_response(status)
    for key, value in headers.items():
        request.send_header(key, value)
    if status != 304 and sized:
        request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    if status != 304:
        request.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hang up on purpose (a size cap, a timeout): not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def _handler_for(site: StaticSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.handle_get(self)

        def do_POST(self) -> None:
            site.handle_post(self)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the tests keep their own request log; stderr noise helps nobody

    return Handler

"""Loopback servers for the tests: a news site with special answers and a request log,
which doubles as a webhook receiver.

``LocalSite`` serves a folder of files like the demo's site (validators, 304s) and adds
``routes`` set at run time for special answers (an error status, a slow or oversized
body), ``queued`` answers that are used up one per request (a flaky server), and a log of
every request, so tests can count what a run cost. POSTs are accepted and kept.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypeVar

from ieiwatch.config import Settings
from ieiwatch.config.schema import SourceConfig
from ieiwatch.demo.static_site import StaticSite, send
from ieiwatch.scrapers.fetch import Fetcher, make_client
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.source import fetch_listing

T = TypeVar("T")
Scrape = Callable[[Fetcher, Settings, SourceConfig, list[ListedItem]], Awaitable[T]]


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


class LocalSite(StaticSite):
    def __init__(self, root: Path | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(root, host, port)
        self.routes: dict[str, Route] = {}
        self.queued: dict[str, list[Route]] = {}
        """Path → answers for the next requests, used up one per request (a flaky server)."""
        self.received: list[LoggedRequest] = []
        """POSTs answered with success."""
        self.requests: list[LoggedRequest] = []
        self.in_flight = 0
        """GETs being answered right now; ``max_in_flight`` is the most seen at once."""
        self.max_in_flight = 0
        self._count_lock = threading.Lock()

    def __enter__(self) -> LocalSite:
        self.start()
        return self

    def hits(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path == path]

    def next_route(self, path: str) -> Route | None:
        queued = self.queued.get(path)
        if queued:
            return queued.pop(0)
        return self.routes.get(path)

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        self.requests.append(LoggedRequest("GET", request.path, dict(request.headers)))
        with self._count_lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            route = self.next_route(request.path)
            if route is None:
                super().handle_get(request)
            else:
                _answer(request, route)
        finally:
            with self._count_lock:
                self.in_flight -= 1

    def handle_post(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length)
        route = self.next_route(request.path) or Route(200, b"ok", {"Content-Type": "text/plain"})
        logged = LoggedRequest("POST", request.path, dict(request.headers), body)
        self.requests.append(logged)
        if route.status < 300:
            self.received.append(logged)
        _answer(request, route)


def _answer(request: BaseHTTPRequestHandler, route: Route) -> None:
    if route.delay:
        time.sleep(route.delay)
    send(request, route.status, route.body, route.headers, sized=not route.unsized)


# ------------------------------------------------------------------ hostile sites


@dataclass
class Drip:
    """A body sent one byte at a time, ``interval`` seconds apart (a server that never
    quite stops answering: each read returns something, so read timeouts never fire)."""

    body: bytes
    interval: float = 0.2
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/xml"})


class HostileSite(LocalSite):
    """A ``LocalSite`` that can also drip: ``drips`` maps paths to bodies sent a byte at
    a time. ``family`` 6 serves on ``::1`` (links are then IPv6 literals)."""

    def __init__(self, root: Path | None = None, family: int = 4) -> None:
        super().__init__(root)
        self.drips: dict[str, Drip] = {}
        self._stopping = threading.Event()
        if family == 6:
            self._serve_on_ipv6_loopback()

    @property
    def url(self) -> str:
        host, port = (str(part) for part in self._httpd.server_address[:2])
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        drip = self.drips.get(request.path)
        if drip is None:
            super().handle_get(request)
            return
        self.requests.append(LoggedRequest("GET", request.path, dict(request.headers)))
        request.send_response(200)
        for key, value in drip.headers.items():
            request.send_header(key, value)
        request.send_header("Content-Length", str(len(drip.body)))
        request.end_headers()
        for i in range(len(drip.body)):
            if self._stopping.wait(drip.interval):
                return
            request.wfile.write(drip.body[i : i + 1])
            request.wfile.flush()

    def _serve_on_ipv6_loopback(self) -> None:
        handler = self._httpd.RequestHandlerClass
        self._httpd.server_close()
        self._httpd = _IPv6Server(("::1", 0), handler)  # type: ignore[assignment,arg-type]
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


def scrape_html_site(folder: Path, item_selector: str, scrape: Scrape[T]) -> T:
    """``scrape`` the items of ``folder``'s ``list.htm``, served locally as an HTML source
    (its ``.htm`` pages as ``text/html``)."""

    async def go() -> T:
        settings = Settings()
        with LocalSite(folder) as site:
            site.content_types = {".htm": "text/html"}
            source = SourceConfig(
                name=folder.name,
                kind="html",
                url=f"{site.url}/list.htm",
                item_selector=item_selector,
            )
            async with make_client(settings) as client:
                fetcher = Fetcher(client, settings)
                listing = await fetch_listing(fetcher, source, None, None)
                return await scrape(fetcher, settings, source, listing.items)

    return asyncio.run(go())

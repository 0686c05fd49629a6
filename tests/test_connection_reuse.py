"""A pass over many hosts reuses each host's connection (it reconnected for nearly every
request when the client kept only as many idle connections as requests in flight)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ieiwatch.config import Settings
from ieiwatch.scrapers.fetch import make_client

HOSTS = 40  # more than the requests allowed in flight at once (16 by default)


class _KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.connections += 1  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _server(host: str) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer((host, 0), _KeepAlive)
    server.connections = 0  # type: ignore[attr-defined]
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_each_host_keeps_its_connection_across_a_pass() -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(_server(f"127.0.3.{i + 1}")) for i in range(HOSTS)]
        urls = [f"http://{s.server_address[0]}:{s.server_address[1]}/" for s in servers]

        async def two_rounds() -> None:
            async with make_client(Settings()) as client:
                for _ in range(2):
                    for url in urls:
                        assert (await client.get(url)).status_code == 200

        asyncio.run(two_rounds())
    assert sum(s.connections for s in servers) == HOSTS  # type: ignore[attr-defined]

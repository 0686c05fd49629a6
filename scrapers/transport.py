"""Connections kept per host, so that a pass over many sites reuses them; the HTTP/1.1
under httpx is spoken by aiohttp.

httpx's own transport (httpcore over h11, both pure Python) was most of what fetching cost
in CPU: on the local farm, 4,200 pages from 200 hosts took 7.4–7.7 CPU seconds through
httpx with it and 4.2–4.4 s through httpx with aiohttp's client (its parser is C) under it
(three runs each, alternating; aiohttp alone, 1.7–1.8 s). So ``httpx.AsyncClient`` stays,
with everything above it (the Fetcher, its redirects, the link guard), and only the
exchange below it is aiohttp's, made to behave as httpx's own transport did: it follows no
redirect (httpx and the Fetcher do, checking each hop), decodes no ``Content-Encoding``
(the Fetcher decodes the raw bytes itself, counting them against the size cap), streams
the body, keeps httpx's timeouts of each request, sends httpx's headers and no others of
its own, and fails with the httpx exceptions httpx's transport raised for the same
failures.

One shared pool sized for the whole pass either drops each host's connection as soon as
the next host needs the slot (a new TCP connection per request) or, made large, costs a
scan of every pooled connection on each request. So each host gets its own small pool (an
aiohttp session of its own), created on its first request, with at most ``per_host``
connections open, in use or idle. Beyond ``max_hosts`` pools, the least recently used
ones with no request in flight are closed, so open sockets stay bounded however many
sources a pass has.

HTTPS hosts share one TLS context (building one loads the CA bundle: tens of
milliseconds), httpx's own, so certificates are checked against the same CA bundle as
before; it is built on the first HTTPS request, and plain-HTTP hosts get none. Importing
aiohttp builds two default contexts of its own, once a process (some 0.08 s of the 0.2 s
that importing aiohttp costs).
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache

import aiohttp
import httpx
from yarl import URL

_Origin = tuple[bytes, str, int | None]

MAX_HEAD_LINE = 100 * 1024
"""The longest status or header line read. httpcore read response heads of up to 100 KiB;
aiohttp's own limit, 8 KiB a line, would refuse a page httpx read before for one long
header (a big cookie, a content security policy)."""


@dataclass
class _HostPool:
    session: aiohttp.ClientSession
    in_flight: int = 0
    """Responses not closed yet: a pool is never closed under them."""


class PerHostTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, per_host: int, max_hosts: int = 256, keepalive_expiry: float = 5.0):
        # The politeness rules bound the requests to a host to ``per_host`` at once, so a
        # pool of that many connections never makes one wait for another.
        self._per_host = per_host
        self._keepalive_expiry = keepalive_expiry
        self._tls: ssl.SSLContext | None = None
        self._max_hosts = max_hosts
        self._hosts: OrderedDict[_Origin, _HostPool] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.raw_scheme not in (b"http", b"https"):
            # httpcore's message: aiohttp would name it otherwise.
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'."
            )
        origin = (url.raw_scheme, url.host, url.port)
        pool = self._hosts.get(origin)
        created = pool is None
        if pool is None:
            pool = self._hosts[origin] = _HostPool(self._session(origin[0]))
        self._hosts.move_to_end(origin)
        pool.in_flight += 1  # before any await: this pool is never the one closed
        try:
            if created:
                await self._close_idle()
            response = await _send(pool.session, request)
        except BaseException:
            pool.in_flight -= 1
            raise
        return httpx.Response(
            response.status,
            # As received: repeated fields (Set-Cookie, Link) stay apart, names keep case.
            headers=response.raw_headers,
            stream=_Body(response, pool),
            extensions={
                "http_version": _http_version(response.version),
                "reason_phrase": (response.reason or "").encode("latin-1", "replace"),
            },
        )

    def _session(self, scheme: bytes) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._per_host,
            keepalive_timeout=self._keepalive_expiry,
            # Only HTTPS pools have a context: aiohttp builds none for a plain connection.
            ssl=self._verify() if scheme == b"https" else True,
        )
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # the Fetcher decodes (and counts) the raw bytes
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies
            # The request's headers are httpx's (which has the client's User-Agent and
            # Accept-Encoding): aiohttp adds none of its defaults where httpx sent none.
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"),
            timeout=aiohttp.ClientTimeout(total=None),  # each request brings httpx's
            max_line_size=MAX_HEAD_LINE,
            max_field_size=MAX_HEAD_LINE,
        )

    def _verify(self) -> ssl.SSLContext:
        """The shared TLS context, built on the first HTTPS host: a pass over plain-HTTP
        hosts (or one where every source answers 304 over HTTP) builds none."""
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls

    async def _close_idle(self) -> None:
        """Close the least recently used pools beyond ``max_hosts`` that are idle."""
        excess = len(self._hosts) - self._max_hosts
        if excess <= 0:
            return  # without a scan of every pool: a pass opens one per host
        # The least recently used come first: the scan stops once it has enough.
        idle: list[_Origin] = []
        for origin, pool in self._hosts.items():
            if len(idle) == excess:
                break
            if pool.in_flight == 0:
                idle.append(origin)
        # Out of the table before the first await: the other requests see them gone.
        closing = [self._hosts.pop(origin) for origin in idle]
        for pool in closing:
            await pool.session.close()

    async def aclose(self) -> None:
        pools, self._hosts = list(self._hosts.values()), OrderedDict()
        for pool in pools:
            await pool.session.close()


async def _send(session: aiohttp.ClientSession, request: httpx.Request) -> aiohttp.ClientResponse:
    timeout = request.extensions.get("timeout", {})
    # Already percent-encoded by httpx: sent as it is, not quoted again.
    url = URL(str(request.url), encoded=True)
    if request.url.userinfo:
        url = url.with_user(None)  # httpx has made them its Authorization header
    try:
        return await session.request(
            request.method,
            url,
            # As httpx wrote them, names in their case (a server may read them so).
            headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in request.headers.raw
            ],
            data=(await request.aread()) or None,
            allow_redirects=False,  # httpx and the Fetcher follow them, checking each hop
            timeout=_timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool")),
        )
    except aiohttp.ClientError as exc:
        raise _httpx_error(exc) from exc


def _http_version(version: aiohttp.HttpVersion | None) -> bytes:
    version = version or aiohttp.HttpVersion11
    return b"HTTP/%d.%d" % (version.major, version.minor)


@lru_cache(maxsize=8)
def _timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    """httpx's timeouts of a request (the same for every request of a client, so built
    once). aiohttp has no write timeout: a GET's head is written at once."""
    return aiohttp.ClientTimeout(
        total=None,  # the Fetcher keeps its own deadline for the whole response
        # aiohttp's ``connect`` is the wait for a free connection and the connecting too.
        connect=None if connect is None or pool is None else connect + pool,
        sock_connect=connect,
        sock_read=read,  # per read, as httpx's
    )


def _httpx_error(exc: aiohttp.ClientError) -> Exception:
    """The exception httpx's own transport raises for the same failure, so that the
    Fetcher's handling and messages stay what they were."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc))
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(str(exc))
    if isinstance(exc, aiohttp.ClientConnectorError):
        # The OS's reason ("[Errno 111] Connect call failed ...", "[Errno -2] Name or
        # service not known", a certificate failure), as httpx named it.
        return httpx.ConnectError(str(exc.os_error) or str(exc))
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError("Server disconnected without sending a response.")
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        # An unreadable head, or a body cut short.
        return httpx.RemoteProtocolError(str(exc))
    if isinstance(exc, aiohttp.ClientConnectionError):
        return httpx.ReadError(str(exc) or type(exc).__name__)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.InvalidURL(str(exc))
    return httpx.TransportError(str(exc) or type(exc).__name__)


class _Body(httpx.AsyncByteStream):
    """A response body as aiohttp reads it, whose closing tells the host's pool."""

    def __init__(self, response: aiohttp.ClientResponse, pool: _HostPool) -> None:
        self._response = response
        self._pool: _HostPool | None = pool

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except aiohttp.ClientError as exc:
            raise _httpx_error(exc) from exc

    async def aclose(self) -> None:
        # Back to the pool if the body was read to its end, else the connection is closed.
        self._response.release()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.in_flight -= 1

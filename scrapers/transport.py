"""Connections kept per host, so that a pass over many sites reuses them.

One shared pool sized for the whole pass either drops each host's connection as soon as
the next host needs the slot (a new TCP connection per request) or, made large, costs a
scan of every pooled connection on each request. So each host gets its own small pool,
created on its first request, sharing one TLS context (building one loads the CA bundle:
tens of milliseconds), built on the first HTTPS request. Beyond ``max_hosts`` pools, the
least recently used ones with no request in flight are closed, so open sockets stay
bounded however many sources a pass has (a host's pool keeps at most ``per_host`` idle
connections).
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

_Origin = tuple[bytes, str, int | None]


@dataclass
class _HostPool:
    transport: httpx.AsyncHTTPTransport
    in_flight: int = 0
    """Responses not closed yet: a pool is never closed under them."""


class PerHostTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, per_host: int, max_hosts: int = 256, keepalive_expiry: float = 5.0):
        # The politeness rules bound the requests to a host; the pool only keeps
        # ``per_host`` connections open between them (and a connection that a cancelled
        # request left behind never blocks the next one).
        self._limits = httpx.Limits(
            max_connections=None,
            max_keepalive_connections=per_host,
            keepalive_expiry=keepalive_expiry,
        )
        self._tls: ssl.SSLContext | None = None
        self._plain: ssl.SSLContext | None = None
        self._max_hosts = max_hosts
        self._hosts: OrderedDict[_Origin, _HostPool] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.raw_scheme, request.url.host, request.url.port)
        pool = self._hosts.get(origin)
        created = pool is None
        if pool is None:
            pool = self._hosts[origin] = _HostPool(
                httpx.AsyncHTTPTransport(verify=self._verify(origin[0]), limits=self._limits)
            )
        self._hosts.move_to_end(origin)
        pool.in_flight += 1  # before any await: this pool is never the one closed
        try:
            if created:
                await self._close_idle()
            response = await pool.transport.handle_async_request(request)
        except BaseException:
            pool.in_flight -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Counted(response.stream, lambda: _done(pool))
        return response

    def _verify(self, scheme: bytes) -> ssl.SSLContext | bool:
        """The shared TLS context, built on the first HTTPS host: a pass over plain-HTTP
        hosts (or one where every source answers 304 over HTTP) loads no CA bundle."""
        if scheme != b"https":
            # A pool is per scheme too: this one never speaks TLS. httpx still builds a
            # context for it, unless given one (``verify=False`` builds a new one for each
            # host: about 0.4 s for 1,000 hosts), so every plain pool shares one.
            if self._plain is None:
                self._plain = httpx.create_ssl_context(verify=False)
            return self._plain
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
            await pool.transport.aclose()

    async def aclose(self) -> None:
        pools, self._hosts = list(self._hosts.values()), OrderedDict()
        for pool in pools:
            await pool.transport.aclose()


def _done(pool: _HostPool) -> None:
    pool.in_flight -= 1


class _Counted(httpx.AsyncByteStream):
    """A response body that says when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, closed: Callable[[], None]) -> None:
        self._stream = stream
        self._closed: Callable[[], None] | None = closed

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            closed, self._closed = self._closed, None
            if closed is not None:
                closed()

"""Connections kept per host, so that a pass over many sites reuses them.

One shared pool sized for the whole pass either drops each host's connection as soon as
the next host needs the slot (a new TCP connection per request) or, made large, costs a
scan of every pooled connection on each request. So each host gets its own small pool (as
many kept-alive connections as the politeness rules let one host have), created on its first
request, sharing one TLS context (building one loads the CA bundle: milliseconds each).
Pools of hosts not asked for a while are closed, so open sockets do not grow with the
number of sources.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

import httpx

_Origin = tuple[bytes, str, int | None]


@dataclass
class _HostPool:
    transport: httpx.AsyncHTTPTransport
    last_used: float


class PerHostTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        per_host: int,
        idle_after: float,
        max_hosts: int = 256,
        keepalive_expiry: float = 5.0,
    ) -> None:
        """``idle_after``: seconds after its last request when a host's pool may be closed;
        longer than any request may take, so that none is in flight then."""
        # The politeness rules bound the requests to a host; the pool only keeps
        # ``per_host`` connections open between them (and a connection a cancelled
        # request left behind never blocks the next one).
        self._limits = httpx.Limits(
            max_connections=None,
            max_keepalive_connections=per_host,
            keepalive_expiry=keepalive_expiry,
        )
        self._tls = httpx.create_ssl_context()
        self._idle_after = idle_after
        self._max_hosts = max_hosts
        self._hosts: OrderedDict[_Origin, _HostPool] = OrderedDict()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        origin = (request.url.raw_scheme, request.url.host, request.url.port)
        now = time.monotonic()
        pool = self._hosts.get(origin)
        if pool is None:
            await self._close_idle(now)
            transport = httpx.AsyncHTTPTransport(verify=self._tls, limits=self._limits)
            pool = self._hosts[origin] = _HostPool(transport, now)
        else:
            self._hosts.move_to_end(origin)
            pool.last_used = now
        return await pool.transport.handle_async_request(request)

    async def _close_idle(self, now: float) -> None:
        """Close the least recently used pools beyond ``max_hosts`` that are idle."""
        while len(self._hosts) > self._max_hosts:
            origin, pool = next(iter(self._hosts.items()))
            if now - pool.last_used < self._idle_after:
                return  # the oldest is still (possibly) busy: so are the others
            del self._hosts[origin]
            await pool.transport.aclose()

    async def aclose(self) -> None:
        pools, self._hosts = list(self._hosts.values()), OrderedDict()
        for pool in pools:
            await pool.transport.aclose()

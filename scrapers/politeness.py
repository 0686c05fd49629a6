"""How hard we may press on a host: concurrency per host and overall, and spacing.

httpx limits connections per client, not per host, so one slow site could take every
connection and one fast site could be hammered. ``Politeness.slot(host)`` is held around each
request: at most ``host_limit`` requests to one host name at a time, their starts at least the
host's delay apart (our minimum, or its robots.txt ``Crawl-delay`` when larger), nothing
before a time the host asked for (``Retry-After``) or that a backoff chose, and at most
``global_limit`` requests in flight in all.

Times are read and waited for through a ``Clock``: the event loop's by default, a virtual one
in tests, so that spacing and backoff can be checked without waiting for them.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    """Where politeness reads the time and waits: monotonic seconds."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopClock:
    """The running event loop's time and ``asyncio.sleep``: the clock of every real run."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


LOOP_CLOCK = LoopClock()


@dataclass
class _Host:
    gate: asyncio.Semaphore
    delay: float
    last_start: float = -math.inf
    not_before: float = -math.inf
    """Clock time before which no request may start (Retry-After, backoff)."""

    def ready_at(self) -> float:
        return max(self.last_start + self.delay, self.not_before)


class Politeness:
    """The politeness state of one run; owned by the ``Fetcher``."""

    def __init__(
        self,
        *,
        global_limit: int,
        host_limit: int,
        min_delay: float,
        clock: Clock = LOOP_CLOCK,
    ) -> None:
        self._clock = clock
        self._global = asyncio.Semaphore(global_limit)
        self._host_limit = host_limit
        self._min_delay = min_delay
        self._hosts: dict[str, _Host] = {}

    def set_crawl_delay(self, host: str, seconds: float) -> None:
        """A robots.txt ``Crawl-delay`` (already capped): used when longer than our minimum."""
        state = self._host(host)
        state.delay = max(self._min_delay, seconds)

    def defer(self, host: str, seconds: float) -> None:
        """Start nothing on ``host`` for ``seconds`` (the host asked us to wait, or failed)."""
        state = self._host(host)
        state.not_before = max(state.not_before, self._clock.now() + seconds)

    def delay_of(self, host: str) -> float:
        return self._host(host).delay

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        state = self._host(host)
        async with state.gate:
            await self._start_turn(state)
            try:
                yield
            finally:
                self._global.release()

    async def _start_turn(self, state: _Host) -> None:
        """Wait for the host's turn, then take a global slot (kept on return).

        The host wait happens without a global slot, so a slow or deferred host never holds
        one while it sleeps; the turn is checked again after the global wait, which may have
        let another request to this host start first.
        """
        while True:
            wait = state.ready_at() - self._clock.now()
            if wait > 0:
                await self._clock.sleep(wait)
                continue
            await self._global.acquire()
            now = self._clock.now()
            if state.ready_at() <= now:
                state.last_start = now
                return
            self._global.release()

    def _host(self, host: str) -> _Host:
        key = host.lower()
        state = self._hosts.get(key)
        if state is None:
            state = _Host(asyncio.Semaphore(self._host_limit), self._min_delay)
            self._hosts[key] = state
        return state

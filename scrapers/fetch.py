"""HTTP GET for sources and article pages: one shared client, politeness (robots.txt, per-host
limits and spacing, Retry-After), retries of transient failures, conditional requests, a size
cap and a total deadline, with failures mapped to ``scrapers.errors`` in one place.

Redirects are followed here rather than by httpx, so that every hop is checked against
robots.txt and the caller's link guard, and a loop is named as one.

Every request goes through a link guard (``scrapers.safety``), robots.txt and redirects
included: without one from the caller, the requested URL's own host is trusted and nothing
else, so a redirect (or a robots.txt redirect) cannot lead to a private address. Bodies are
decoded here too (``scrapers.decoding``), counting decoded bytes as they come, so a
compression bomb stops at the size cap.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from ieiwatch.config.settings import Settings
from ieiwatch.domain import RobotsAnswer
from ieiwatch.scrapers.decoding import ACCEPT_ENCODING, BodyDecoder
from ieiwatch.scrapers.errors import (
    BlockedByRobots,
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    ScrapeError,
    TooManyRedirects,
    UnsafeLink,
)
from ieiwatch.scrapers.politeness import LOOP_CLOCK, Clock, Politeness
from ieiwatch.scrapers.robots import (
    ROBOTS_MAX_BYTES,
    RobotsCache,
    RobotsFile,
    agent_token,
    origin_of,
)
from ieiwatch.scrapers.safety import LinkGuard, LinkPolicy, UrlGuard
from ieiwatch.scrapers.transport import PerHostTransport

__all__ = ["Fetcher", "Response", "UrlGuard", "make_client", "parse_retry_after"]


@dataclass(frozen=True)
class Response:
    url: str
    """After redirects."""
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def make_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.http_timeout),
        follow_redirects=False,  # the Fetcher follows them, checking each hop
        # Only what BodyDecoder decodes (and counts) itself.
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        transport=PerHostTransport(per_host=settings.http_host_concurrency),
    )


class Fetcher:
    """GETs through one shared client with the limits from the settings.

    One instance serves one run: it owns the politeness state (host slots, last request
    times, deferrals) and the robots.txt cache.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        robots: Iterable[RobotsAnswer] = (),
        *,
        clock: Clock = LOOP_CLOCK,
    ) -> None:
        """``clock`` times the spacing, Retry-After and backoff waits (a test may pass a
        virtual one); the network deadline stays on the event loop's own clock."""
        self._client = client
        self._max_bytes = settings.http_max_bytes
        # httpx's read timeout is per read: a server dripping bytes never trips it.
        self._deadline = settings.http_timeout * 2
        self._max_redirects = settings.http_max_redirects
        self._retries = settings.http_retries
        self._backoff = settings.http_backoff
        self._retry_after_max = settings.http_retry_after_max
        self._crawl_delay_max = settings.http_crawl_delay_max
        self._agent = agent_token(settings.user_agent)
        self._politeness = Politeness(
            global_limit=settings.http_global_concurrency,
            host_limit=settings.http_host_concurrency,
            min_delay=settings.http_host_delay,
            clock=clock,
        )
        self._robots = RobotsCache(self._fetch_robots, self._agent, robots)
        self._jitter = random.Random()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        obey_robots: bool = True,
        guard: UrlGuard | None = None,
    ) -> Response:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._follow(
            url,
            headers,
            obey_robots=obey_robots,
            guard=guard or trusting_only(url),
            retries=self._retries,
        )

    async def _follow(
        self,
        url: str,
        headers: dict[str, str],
        *,
        obey_robots: bool,
        guard: UrlGuard,
        retries: int,
        max_bytes: int | None = None,
    ) -> Response:
        seen: list[str] = []
        while True:
            if url in seen:
                raise TooManyRedirects(seen[0], f"redirect loop: {' -> '.join([*seen, url])}")
            if len(seen) > self._max_redirects:
                raise TooManyRedirects(seen[0], f"more than {self._max_redirects} redirects")
            seen.append(url)
            await guard(url)
            if obey_robots:
                await self._check_robots(url, guard)
            result = await self._with_retries(url, headers, retries, max_bytes)
            if isinstance(result, Response):
                return result
            url = result

    async def _with_retries(
        self, url: str, headers: dict[str, str], retries: int, max_bytes: int | None
    ) -> Response | str:
        attempt = 0
        while True:
            try:
                return await self._attempt(url, headers, max_bytes)
            except ScrapeError as exc:
                if not exc.transient:
                    raise
                wait = self._retry_wait(exc, attempt)  # first: it may veto any retry
                if attempt >= retries:
                    raise
                # Other requests to the host wait too: it is the host that is struggling.
                self._politeness.defer(_host(url), wait)
                attempt += 1

    def _retry_wait(self, exc: ScrapeError, attempt: int) -> float:
        """Seconds before retry number ``attempt + 1``: Retry-After, else backoff with jitter."""
        if isinstance(exc, HTTPStatusError) and exc.retry_after is not None:
            if exc.retry_after > self._retry_after_max:
                raise _not_retried(exc, self._retry_after_max) from None
            return exc.retry_after
        # Exponential backoff with ±50 % jitter, so that requests failing together do not
        # retry in lockstep.
        return self._backoff * (2**attempt) * self._jitter.uniform(0.5, 1.5)

    async def _attempt(
        self, url: str, headers: dict[str, str], max_bytes: int | None
    ) -> Response | str:
        """One request: the response, or the URL a redirect points to."""
        async with self._politeness.slot(_host(url)):
            try:
                async with asyncio.timeout(self._deadline):
                    return await self._exchange(url, headers, max_bytes)
            except (TimeoutError, httpx.TimeoutException):
                raise FetchTimeout(
                    url, f"no complete response within {self._deadline:g}s"
                ) from None
            except httpx.RemoteProtocolError as exc:
                if "Invalid URL in location header" not in str(exc):
                    raise ConnectionFailed(url, f"RemoteProtocolError: {exc}") from None
                raise UnsafeLink(url, f"not fetched: redirect to an invalid URL ({exc})") from None
            except httpx.TransportError as exc:
                raise ConnectionFailed(
                    url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                ) from None
            except httpx.InvalidURL as exc:
                # The link is wrong, not the network: retrying cannot help.
                raise UnsafeLink(url, f"not fetched: invalid URL ({exc})") from None

    async def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int | None
    ) -> Response | str:
        async with self._client.stream("GET", url, headers=headers, follow_redirects=False) as r:
            if r.next_request is not None:
                return str(r.next_request.url)
            if r.status_code >= 400:
                retry_after = (
                    parse_retry_after(r.headers.get("retry-after"))
                    if r.status_code in (429, 503)
                    else None
                )
                raise HTTPStatusError(url, r.status_code, retry_after=retry_after)
            content = b"" if r.status_code == 304 else await self._read_capped(url, r, max_bytes)
            return Response(
                url=str(r.url),
                status=r.status_code,
                content=content,
                content_type=r.headers.get("content-type"),
                etag=r.headers.get("etag"),
                last_modified=r.headers.get("last-modified"),
            )

    async def _read_capped(self, url: str, r: httpx.Response, truncate_at: int | None) -> bytes:
        """The decoded body, at most ``http_max_bytes`` (more is an error) or ``truncate_at``
        bytes (more is cut off silently, as robots.txt readers do).

        Counted while decoding: a few kilobytes of ``gzip, gzip`` can inflate to a gigabyte,
        and no more than the cap and one decoded piece is ever held.
        """
        cap = truncate_at or self._max_bytes
        declared = r.headers.get("content-length", "")
        if truncate_at is None and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(url, f"{declared} bytes declared, cap {cap}")
        decoder = BodyDecoder.for_header(url, r.headers.get("content-encoding"))
        buf = bytearray()
        async for raw in r.aiter_raw():
            for piece in decoder.decode(raw):
                buf += piece
                if len(buf) > cap:
                    return self._over_cap(url, buf, cap, truncate_at)
        for piece in decoder.flush():
            buf += piece
            if len(buf) > cap:
                return self._over_cap(url, buf, cap, truncate_at)
        return bytes(buf)

    @staticmethod
    def _over_cap(url: str, buf: bytearray, cap: int, truncate_at: int | None) -> bytes:
        if truncate_at is None:
            raise ResponseTooLarge(url, f"over the {cap}-byte cap (decoded)")
        return bytes(buf[:cap])

    async def _check_robots(self, url: str, guard: UrlGuard) -> None:
        rules = await self._robots.rules_for(url, guard)
        if rules.crawl_delay:
            self._politeness.set_crawl_delay(
                _host(url), min(rules.crawl_delay, self._crawl_delay_max)
            )
        if not rules.allows(url):
            raise BlockedByRobots(
                url,
                f"robots.txt disallows it for {self._agent!r} "
                "(set robots: ignore on the source only with consent)",
            )

    def fetched_robots(self) -> list[RobotsFile]:
        """robots.txt files fetched in this run, for the caller to keep for the next ones."""
        return self._robots.fetched()

    async def _fetch_robots(self, robots_url: str, guard: UrlGuard) -> RobotsFile:
        """robots.txt through the guard of the request that needs it: a robots.txt that
        redirects to a private address is not followed (and counts as unreachable)."""
        now = datetime.now(UTC)
        try:
            response = await self._follow(
                robots_url,
                {},
                obey_robots=False,
                guard=guard,
                retries=0,
                max_bytes=ROBOTS_MAX_BYTES,
            )
        except HTTPStatusError as exc:
            return RobotsFile(origin_of(robots_url), exc.status, "", now)
        except ScrapeError:
            return RobotsFile(origin_of(robots_url), 0, "", now)
        body = response.content.decode("utf-8", errors="replace")
        return RobotsFile(origin_of(robots_url), 200, body, now)


def _not_retried(exc: HTTPStatusError, cap: float) -> HTTPStatusError:
    """The server wants more patience than we have this run.

    Not transient: retrying sooner than asked would be rude, so the Prefect task retry must
    not try either; the next run will.
    """
    error = HTTPStatusError(
        exc.url,
        exc.status,
        retry_after=exc.retry_after,
        detail=f" (Retry-After {exc.retry_after:g}s is over the {cap:g}s cap; "
        "not retried this run)",
    )
    error.transient = False
    return error


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def trusting_only(url: str) -> LinkGuard:
    """The guard for a URL the caller chose itself: its host is trusted, whatever it
    resolves to; any other host a redirect names must be public."""
    return LinkGuard(LinkPolicy(source_host=_host(url)))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` in seconds (RFC 9110: delay-seconds or an HTTP date); None if absent
    or unreadable. A date in the past means "now"."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())

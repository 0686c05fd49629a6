"""HTTP GET for sources and article pages: one shared client, conditional requests, a size
cap and a total deadline, with failures mapped to ``scrapers.errors`` in one place."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from ieiwatch.config.settings import Settings
from ieiwatch.scrapers.errors import (
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    TooManyRedirects,
)


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
        follow_redirects=True,
        max_redirects=settings.http_max_redirects,
        headers={"User-Agent": settings.user_agent},
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
    )


class Fetcher:
    """GETs through one shared client with the limits from the settings."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings) -> None:
        self._client = client
        self._max_bytes = settings.http_max_bytes
        # httpx's read timeout is per read: a server dripping bytes never trips it.
        self._deadline = settings.http_timeout * 2

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Response:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(self._deadline):
                return await self._get(url, headers)
        except (TimeoutError, httpx.TimeoutException):
            raise FetchTimeout(url, f"no complete response within {self._deadline:g}s") from None
        except httpx.TooManyRedirects:
            raise TooManyRedirects(url, "too many redirects") from None
        except httpx.TransportError as exc:
            raise ConnectionFailed(url, f"{type(exc).__name__}: {exc}" if str(exc)
                                   else type(exc).__name__) from None

    async def _get(self, url: str, headers: dict[str, str]) -> Response:
        async with self._client.stream("GET", url, headers=headers) as r:
            if r.status_code >= 400:
                raise HTTPStatusError(url, r.status_code)
            content = b"" if r.status_code == 304 else await self._read_capped(url, r)
            return Response(
                url=str(r.url),
                status=r.status_code,
                content=content,
                content_type=r.headers.get("content-type"),
                etag=r.headers.get("etag"),
                last_modified=r.headers.get("last-modified"),
            )

    async def _read_capped(self, url: str, r: httpx.Response) -> bytes:
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise ResponseTooLarge(url, f"{declared} bytes declared, cap {self._max_bytes}")
        buf = bytearray()
        async for chunk in r.aiter_bytes():
            buf += chunk
            if len(buf) > self._max_bytes:
                raise ResponseTooLarge(url, f"over the {self._max_bytes}-byte cap")
        return bytes(buf)

"""Connections per host: a pass over many sites reuses each site's connections, and the
pools of sites it is done with are closed, so open sockets do not grow with the sources."""

from __future__ import annotations

import asyncio
import ssl

import httpx

from ieiwatch.config import Settings
from ieiwatch.scrapers.fetch import make_client
from ieiwatch.scrapers.transport import PerHostTransport


class KeepAliveSite:
    """An HTTP/1.1 server on loopback that keeps connections open and counts them."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> KeepAliveSite:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed += 1
            writer.close()


def test_requests_to_one_site_reuse_its_connection() -> None:
    async def go() -> int:
        async with KeepAliveSite() as site, make_client(Settings()) as client:
            for _ in range(10):
                assert (await client.get(site.url)).text == "ok"
            return site.opened

    assert asyncio.run(go()) == 1


def test_pools_of_sites_left_idle_are_closed() -> None:
    async def go() -> tuple[list[int], int]:
        transport = PerHostTransport(per_host=2, max_hosts=2)
        sites = [KeepAliveSite() for _ in range(5)]
        for site in sites:
            await site.__aenter__()
        async with httpx.AsyncClient(transport=transport) as client:
            for site in sites:
                await client.get(site.url)
            await asyncio.sleep(0)  # let the servers see the closed connections
            kept = len(transport._hosts)
            closed = [site.closed for site in sites]
        for site in sites:
            await site.__aexit__()
        return closed, kept

    closed, kept = asyncio.run(go())
    assert kept == 2
    assert closed == [1, 1, 1, 0, 0]  # the least recently asked sites' connections


def test_a_site_with_a_response_still_open_keeps_its_pool() -> None:
    async def go() -> tuple[str, int]:
        transport = PerHostTransport(per_host=2, max_hosts=1)
        async with (
            KeepAliveSite() as a,
            KeepAliveSite() as b,
            httpx.AsyncClient(transport=transport) as client,
        ):
            async with client.stream("GET", a.url) as reading:
                await client.get(b.url)  # one pool too many, but ``a`` is busy
                body = (await reading.aread()).decode()
            await client.get(b.url)
            return body, a.closed

    body, closed = asyncio.run(go())
    assert body == "ok" and closed == 0


def test_many_sites_asked_at_once_beyond_the_pool_limit_all_answer() -> None:
    """Pools closed while other requests create and use theirs: none is lost or reused."""

    async def go() -> list[str]:
        transport = PerHostTransport(per_host=2, max_hosts=2)
        sites = [KeepAliveSite() for _ in range(40)]
        for site in sites:
            await site.__aenter__()
        answers = []
        async with httpx.AsyncClient(transport=transport) as client:
            for wave in (sites[:20], sites[20:]):  # the second closes the first's pools
                answers += await asyncio.gather(*(client.get(site.url) for site in wave))
        for site in sites:
            await site.__aexit__()
        return [a.text for a in answers]

    assert asyncio.run(go()) == ["ok"] * 40


def test_plain_http_hosts_load_no_ca_bundle_and_https_hosts_share_one() -> None:
    transport = PerHostTransport(per_host=2)

    async def go() -> None:
        async with (
            KeepAliveSite() as one,
            KeepAliveSite() as two,
            httpx.AsyncClient(transport=transport) as client,
        ):
            assert (await client.get(one.url)).text == "ok"
            assert (await client.get(two.url)).text == "ok"

    asyncio.run(go())
    assert transport._tls is None  # a pass of 304s over HTTP builds no TLS context
    first = transport._verify(b"https")
    assert first is transport._verify(b"https")
    plain = transport._verify(b"http")
    assert isinstance(plain, ssl.SSLContext) and plain.verify_mode == ssl.CERT_NONE
    assert plain is not first


def test_plain_http_hosts_share_one_context_instead_of_building_one_each() -> None:
    transport = PerHostTransport(per_host=2)

    async def go() -> set[int]:
        sites = [KeepAliveSite() for _ in range(3)]
        for site in sites:
            await site.__aenter__()
        async with httpx.AsyncClient(transport=transport) as client:
            for site in sites:
                assert (await client.get(site.url)).text == "ok"
            contexts = {id(p.transport._pool._ssl_context) for p in transport._hosts.values()}
        for site in sites:
            await site.__aexit__()
        return contexts

    assert len(asyncio.run(go())) == 1

"""Connections per host: a pass over many sites reuses each site's connections, and the
pools of sites it is done with are closed, so open sockets do not grow with the sources.
The exchange below httpx is aiohttp's: against real loopback servers, it behaves as httpx's
own transport did (redirects and compressed bodies handed up as they came, the body
streamed, httpx's timeouts and exceptions, the same request on the wire)."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import ssl
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import httpx
import pytest
from tls_certs import self_signed

from ieiwatch.config import Settings
from ieiwatch.scrapers.fetch import make_client
from ieiwatch.scrapers.transport import PerHostTransport


def test_requests_to_one_site_reuse_its_connection() -> None:
    async def go() -> int:
        async with _ok_site() as site, make_client(Settings()) as client:
            for _ in range(10):
                assert (await client.get(site.url)).text == "ok"
            return site.opened

    assert asyncio.run(go()) == 1


def test_pools_of_sites_left_idle_are_closed() -> None:
    async def go() -> tuple[list[int], int]:
        transport = PerHostTransport(per_host=2, max_hosts=2)
        sites = [_ok_site() for _ in range(5)]
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
            _ok_site() as a,
            _ok_site() as b,
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
        sites = [_ok_site() for _ in range(40)]
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


def test_plain_http_hosts_build_no_tls_context_and_https_hosts_share_one() -> None:
    transport = PerHostTransport(per_host=2)

    async def go() -> None:
        sites = [_ok_site() for _ in range(3)]
        for site in sites:
            await site.__aenter__()
        async with httpx.AsyncClient(transport=transport) as client:
            for site in sites:
                assert (await client.get(site.url)).text == "ok"
        for site in sites:
            await site.__aexit__()

    asyncio.run(go())
    assert transport._tls is None  # a pass of 304s over HTTP builds no TLS context
    first = transport._verify()
    assert isinstance(first, ssl.SSLContext) and first.verify_mode == ssl.CERT_REQUIRED
    assert first is transport._verify()


# ----------------------------------------------- the exchange, as httpx's transport made it


Answer = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]
"""Writes the answer to a request (given its head); False closes the connection after it."""


class ScriptedSite:
    """An HTTP/1.1 server on loopback that answers each request as the test says, keeps
    every request's head, and counts the connections it was given."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.heads: list[bytes] = []
        self.opened = 0
        self.closed = 0
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> ScriptedSite:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                keep = await self.answer(head, writer)
                await writer.drain()
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed += 1
            writer.close()


def _answer(status: str, body: bytes = b"", headers: Sequence[tuple[str, str]] = ()) -> Answer:
    async def answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        return True

    return answer


def _ok_site() -> ScriptedSite:
    """A site that answers every request "ok" and keeps its connections open."""
    return ScriptedSite(_answer("200 OK", b"ok"))


def _client(**timeouts: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=PerHostTransport(per_host=2),
        timeout=httpx.Timeout(5.0, **timeouts),
    )


def test_a_redirect_is_handed_to_httpx_not_followed() -> None:
    async def go() -> tuple[httpx.Response, int]:
        answer = _answer("302 Found", headers=[("Location", "/elsewhere")])
        async with ScriptedSite(answer) as site, _client() as client:
            response = await client.get(f"{site.url}/here")
            return response, len(site.heads)

    response, requests = asyncio.run(go())
    assert response.status_code == 302 and requests == 1
    assert response.next_request is not None
    assert response.next_request.url.path == "/elsewhere"


def test_compressed_bytes_reach_httpx_as_sent_and_httpx_decodes_them() -> None:
    text = b"<rss>" + b"news " * 2000 + b"</rss>"
    packed = gzip.compress(text)

    async def go() -> tuple[bytes, bytes]:
        answer = _answer("200 OK", packed, [("Content-Encoding", "gzip")])
        async with ScriptedSite(answer) as site, _client() as client:
            async with client.stream("GET", site.url) as response:
                raw = b"".join([chunk async for chunk in response.aiter_raw()])
            decoded = (await client.get(site.url)).content
            return raw, decoded

    raw, decoded = asyncio.run(go())
    assert raw == packed and decoded == text


def test_the_body_is_streamed_as_it_arrives() -> None:
    """The first part of a body reaches the reader before the server sends the rest."""
    first_seen = asyncio.Event()

    async def answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
        await writer.drain()
        await first_seen.wait()
        writer.write(b"world")
        return True

    async def go() -> list[bytes]:
        chunks = []
        async with (
            ScriptedSite(answer) as site,
            _client() as client,
            client.stream("GET", site.url) as response,
        ):
            async for chunk in response.aiter_raw():
                chunks.append(chunk)
                first_seen.set()
        return chunks

    assert asyncio.run(go()) == [b"hello", b"world"]


def test_repeated_headers_reason_and_version_are_kept() -> None:
    cookie = "big=" + "c" * 20_000  # over aiohttp's default 8 KiB a line, under httpcore's
    answer = _answer(
        "299 Fine Thanks",
        b"ok",
        [("Set-Cookie", "a=1"), ("X-Custom-Case", "v"), ("Set-Cookie", cookie)],
    )

    async def go() -> httpx.Response:
        async with ScriptedSite(answer) as site, _client() as client:
            return await client.get(site.url)

    response = asyncio.run(go())
    assert response.status_code == 299 and response.reason_phrase == "Fine Thanks"
    assert response.http_version == "HTTP/1.1"
    assert response.headers.get_list("set-cookie") == ["a=1", cookie]
    assert (b"X-Custom-Case", b"v") in response.headers.raw
    assert response.text == "ok"


def test_the_server_sees_the_request_httpx_own_transport_sent() -> None:
    """Same target (escapes and query as httpx wrote them) and the same headers, names in
    the same case: aiohttp adds none of its own (no Accept-Encoding httpx did not ask
    for), and credentials in the URL go as httpx's Authorization header."""
    path = "/a%2Fb/%7euser/%e6%96%b0.htm?q=a+b&x=%20y&t=%7E#frag"  # not normalised

    def heard(head: bytes) -> tuple[str, set[str]]:
        lines = head.decode("latin-1").split("\r\n")
        return lines[0], {line for line in lines[1:] if line}  # names in their case

    async def go() -> list[tuple[str, set[str]]]:
        async with ScriptedSite(_answer("200 OK")) as site:
            for transport in (httpx.AsyncHTTPTransport(), PerHostTransport(per_host=2)):
                async with httpx.AsyncClient(
                    transport=transport,
                    headers={"User-Agent": "ieiwatch/test", "Accept-Encoding": "gzip"},
                ) as client:
                    await client.get(f"{site.url}{path}", headers={"If-None-Match": '"e1"'})
                    await client.get(site.url.replace("//", "//us%40er:p%3Aw@") + "/private")
            return [heard(head) for head in site.heads]

    own, own_private, aiohttp_, aiohttp_private = asyncio.run(go())
    assert aiohttp_ == own and aiohttp_private == own_private
    assert "Authorization: Basic dXNAZXI6cDp3" in own_private[1]  # us@er:p:w
    assert own[0] == "GET /a%2Fb/%7euser/%e6%96%b0.htm?q=a+b&x=%20y&t=%7E HTTP/1.1"


def test_a_server_that_stops_answering_is_a_read_timeout() -> None:
    release = asyncio.Event()

    async def silent(head: bytes, writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        return False

    async def stalls_mid_body(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
        await writer.drain()
        await release.wait()
        return False

    async def go() -> list[type[BaseException]]:
        raised: list[type[BaseException]] = []
        for answer in (silent, stalls_mid_body):
            async with ScriptedSite(answer) as site, _client(read=0.2) as client:
                try:
                    await client.get(site.url)
                except httpx.HTTPError as exc:
                    raised.append(type(exc))
        release.set()
        return raised

    assert asyncio.run(go()) == [httpx.ReadTimeout, httpx.ReadTimeout]


def test_a_connection_that_cannot_be_made_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed

    async def go() -> None:
        async with _client() as client:
            await client.get(f"http://127.0.0.1:{port}/")

    with pytest.raises(httpx.ConnectError, match="Errno"):
        asyncio.run(go())


def test_a_connection_that_hangs_is_a_connect_timeout() -> None:
    """A listening socket whose backlog is full drops the handshake: connecting hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(4):  # never accepted: they fill the backlog
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)

        async def go() -> None:
            async with _client(connect=0.3) as client:
                await client.get(f"http://127.0.0.1:{port}/")

        try:
            with pytest.raises(httpx.ConnectTimeout):
                asyncio.run(go())
        finally:
            for filler in fillers:
                filler.close()


def test_a_connection_closed_early_is_a_protocol_error() -> None:
    async def no_answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        return False

    async def cut_body(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel")
        return False

    async def garbage(head: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"SPAM 200 not http\r\n\r\n")
        return False

    async def go() -> list[type[BaseException]]:
        raised: list[type[BaseException]] = []
        for answer in (no_answer, cut_body, garbage):
            async with ScriptedSite(answer) as site, _client() as client:
                try:
                    await client.get(site.url)
                except httpx.HTTPError as exc:
                    raised.append(type(exc))
        return raised

    assert asyncio.run(go()) == [httpx.RemoteProtocolError] * 3


def test_per_host_connections_at_most_and_a_request_given_up_frees_its_own() -> None:
    release = asyncio.Event()

    async def answer(head: bytes, writer: asyncio.StreamWriter) -> bool:
        if head.startswith(b"GET /hang "):
            await release.wait()
            return False
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        return True

    async def go() -> tuple[list[str], int, str]:
        async with ScriptedSite(answer) as site, _client() as client:
            answers = await asyncio.gather(*(client.get(f"{site.url}/{i}") for i in range(12)))
            opened = site.opened
            for _ in range(2):  # both connections taken by requests given up on
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.2):
                        await client.get(f"{site.url}/hang")
            after = (await client.get(f"{site.url}/after")).text
            release.set()
            return [a.text for a in answers], opened, after

    texts, opened, after = asyncio.run(go())
    assert texts == ["ok"] * 12 and opened <= 2
    assert after == "ok"


def test_closing_the_client_closes_its_connections() -> None:
    async def go() -> tuple[int, int]:
        async with _ok_site() as one, _ok_site() as two:
            async with make_client(Settings()) as client:
                await asyncio.gather(client.get(one.url), client.get(two.url))
            await asyncio.sleep(0)  # let the servers see the closed connections
            return one.opened + two.opened, one.closed + two.closed

    opened, closed = asyncio.run(go())
    assert opened == closed == 2


def test_https_is_verified_against_httpx_ca_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)

    async def go() -> str:
        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
                await reader.readuntil(b"\r\n\r\n")
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret")
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_tls)
        url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        try:
            async with _client() as client:
                return (await client.get(url)).text
        finally:
            server.close()

    # A certificate no authority of httpx's bundle signed is refused...
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        asyncio.run(go())
    # ... and accepted once httpx is told to trust it (SSL_CERT_FILE, as httpx reads it).
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert asyncio.run(go()) == "secret"

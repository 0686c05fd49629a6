"""Hostile sites over loopback (issue 15): one route per attack, each fetched on its own,
then every attack in one monitoring pass next to a good source, on SQLite and PostgreSQL.

Each hostile source must end in a clear error of its own or in clean stored data; the good
source is stored and alerted whatever the others do; the process running the pass stays
under 400 MB at its peak (measured in a fresh process, so earlier tests do not count).
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
from collections.abc import Iterator
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pytest
from fresh_process import pass_in_fresh_process
from servers import Drip, HostileSite, LocalSite, Route
from sqlmodel import select

from ieiwatch.config import AppConfig, Settings
from ieiwatch.config.schema import SourceConfig
from ieiwatch.domain.text import MAX_TITLE_CHARS
from ieiwatch.flows.polling import run_pass
from ieiwatch.scrapers.errors import ResponseTooLarge, TooManyRedirects, UnsafeLink
from ieiwatch.scrapers.fetch import Fetcher, Response, make_client
from ieiwatch.scrapers.source import fetch_listing
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article, Source

DATA = Path(__file__).parent / "data"
HOSTILE = DATA / "hostile"
GZIP_GZIP_BOMB = (HOSTILE / "gzip_gzip_1gib.bin").read_bytes()
"""1,827 bytes that inflate to 1 GiB through ``Content-Encoding: gzip, gzip``."""
MB = 1 << 20
XML = {"Content-Type": "application/rss+xml"}
GOOD_TITLE = "Lakeside University signs strategic cooperation agreement with Orion Robotics Inc."
UNSAFE_CHARS = ("\x00", "\x1b", "\u202e", "\x07")


def _big_title_feed(chars: int = MB) -> bytes:
    """A feed whose one title is ``chars`` characters of capitals (the classifier's worst
    case) and whose link is a real article."""
    title = ("T" * 40 + " ") * (chars // 41)
    item = f"<item><title>{title}</title><link>/art/201.htm?v=big</link></item>"
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{item}</channel></rss>'.encode()


def _huge_list(links: int) -> bytes:
    """An HTML list page of ``links`` items, each a link to a real article page (terse
    markup, so 100,000 of them stay under the 5 MB size cap)."""
    items = "".join(f"<li><a href=/art/101.htm?{i}>Item {i}</a>" for i in range(links))
    return f"<html><body><ul>{items}</ul></body></html>".encode()


def _localhost(site: LocalSite) -> str:
    """The site under the name ``localhost``: then 127.0.0.1 is another, private host."""
    return site.url.replace("127.0.0.1", "localhost")


def arm(site: HostileSite) -> None:
    """One route per attack on ``site`` (which serves tests/data/site besides)."""
    site.content_types = {".htm": "text/html", ".xml": "application/rss+xml"}
    site.routes["/gzip-bomb.xml"] = Route(
        200, gzip.decompress(GZIP_GZIP_BOMB), {**XML, "Content-Encoding": "gzip"}
    )
    site.routes["/gzip-gzip-bomb.xml"] = Route(
        200, GZIP_GZIP_BOMB, {**XML, "Content-Encoding": "gzip, gzip"}
    )
    site.drips["/drip.xml"] = Drip((DATA / "site" / "feed.xml").read_bytes(), interval=0.2)
    site.routes["/loop-a.xml"] = Route(302, b"", {"Location": "/loop-b.xml"})
    site.routes["/loop-b.xml"] = Route(302, b"", {"Location": "/loop-a.xml"})
    site.routes["/to-private.xml"] = Route(302, b"", {"Location": f"{site.url}/secret"})
    site.routes["/secret"] = Route(200, b"User-agent: *\nDisallow: /\n# secret", {})
    site.routes["/huge.htm"] = Route(200, _huge_list(100_000), {"Content-Type": "text/html"})
    site.routes["/big-title.xml"] = Route(200, _big_title_feed(), XML)
    site.routes["/gbk_declared_utf8.xml"] = Route(
        200,
        (HOSTILE / "gbk_declared_utf8.xml").read_bytes(),
        {"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    for name in ("escapes.xml", "stray_bytes_utf8.xml", "bad_links.xml"):
        site.routes[f"/{name}"] = Route(200, (HOSTILE / name).read_bytes(), XML)


def arm_robots_redirect(robots_site: LocalSite, target: LocalSite) -> None:
    """robots.txt of ``robots_site`` redirects to a private address (``target``'s secret)."""
    robots_site.content_types = {".htm": "text/html", ".xml": "application/rss+xml"}
    robots_site.routes["/robots.txt"] = Route(302, b"", {"Location": f"{target.url}/secret"})


@pytest.fixture
def hostile() -> Iterator[HostileSite]:
    with HostileSite(DATA / "site") as site:
        arm(site)
        yield site


@pytest.fixture
def robots_site(hostile: HostileSite) -> Iterator[HostileSite]:
    with HostileSite(DATA / "site") as site:
        arm_robots_redirect(site, hostile)
        yield site


@pytest.fixture
def ipv6_site() -> Iterator[HostileSite]:
    with HostileSite(DATA / "site", family=6) as site:
        site.content_types = {".htm": "text/html", ".xml": "application/rss+xml"}
        yield site


def _get(url: str, settings: Settings | None = None) -> Response:
    settings = settings or Settings()

    async def go() -> Response:
        async with make_client(settings) as client:
            return await Fetcher(client, settings).get(url)

    return asyncio.run(go())


# ------------------------------------------------------------- one attack at a time


@pytest.mark.parametrize("path", ["/gzip-bomb.xml", "/gzip-gzip-bomb.xml"])
def test_a_compression_bomb_stops_at_the_cap_without_being_inflated(
    hostile: HostileSite, path: str
) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLarge, match="cap"):
            _get(f"{hostile.url}{path}", Settings(http_max_bytes=5 * MB))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # The cap, one decoded piece and the raw body; not the gigabyte it would inflate to.
    assert peak < 40 * MB, f"peak {peak / MB:.0f} MB"


def test_robots_txt_redirecting_to_a_private_address_is_not_followed(
    hostile: HostileSite, robots_site: HostileSite
) -> None:
    settings = Settings()

    async def go() -> tuple[Response, Fetcher]:
        async with make_client(settings) as client:
            fetcher = Fetcher(client, settings)
            return await fetcher.get(f"{_localhost(robots_site)}/feed.xml"), fetcher

    response, fetcher = asyncio.run(go())
    assert response.status == 200  # unreachable robots.txt: nothing to honour
    assert hostile.hits("/secret") == []  # never requested
    assert all("secret" not in f.body for f in fetcher.fetched_robots())


def test_a_listing_redirecting_to_a_private_address_is_refused(hostile: HostileSite) -> None:
    source = SourceConfig(name="s", kind="feed", url=f"{_localhost(hostile)}/to-private.xml")
    settings = Settings()

    async def go() -> None:
        async with make_client(settings) as client:
            await fetch_listing(Fetcher(client, settings), source, None, None)

    with pytest.raises(UnsafeLink, match="loopback"):
        asyncio.run(go())
    assert hostile.hits("/secret") == []


def test_a_redirect_loop_is_named(hostile: HostileSite) -> None:
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        _get(f"{hostile.url}/loop-a.xml")


def test_a_redirect_to_an_unreadable_location_is_refused_not_retried(
    hostile: HostileSite,
) -> None:
    hostile.routes["/bad-location"] = Route(302, b"", {"Location": "http://[::1/x"})
    with pytest.raises(UnsafeLink, match="invalid URL"):
        _get(f"{hostile.url}/bad-location")
    assert len(hostile.hits("/bad-location")) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/x", "http://[::1/x"])
def test_a_url_no_request_can_be_made_for_is_refused_not_retried(url: str) -> None:
    with pytest.raises(UnsafeLink, match="invalid URL"):
        _get(url)


def test_ipv6_literal_links_are_fetched_and_kept_with_brackets(
    ipv6_site: HostileSite, sqlite_url: str
) -> None:
    config = AppConfig.model_validate(
        {"sources": [{"name": "v6", "kind": "feed", "url": f"{ipv6_site.url}/feed.xml"}]}
    )
    report = asyncio.run(run_pass(Settings(database_url=sqlite_url, source_retries=0), config))
    assert report.sources[0].status == "ok", report.sources[0].errors
    assert len(ipv6_site.hits("/art/201.htm")) == 1
    urls = {a.url for a in _articles(sqlite_url)}
    assert f"{ipv6_site.url}/art/201.htm" in urls and ipv6_site.url.startswith("http://[::1]:")


# ------------------------------------------------------------------ the combined pass


SOURCE_TIMEOUT = 15.0
"""Short, so the drip (one byte every 0.2 s for minutes) is given up within the test."""


def _sources(site: HostileSite, robots_site: HostileSite, v6: HostileSite) -> list[dict]:
    def feed(name: str, url: str) -> dict:
        return {"name": name, "kind": "feed", "url": url}

    return [
        feed("good", f"{site.url}/feed.xml"),
        feed("gzip-bomb", f"{site.url}/gzip-bomb.xml"),
        feed("gzip-gzip-bomb", f"{site.url}/gzip-gzip-bomb.xml"),
        feed("drip", f"{site.url}/drip.xml"),
        feed("redirect-loop", f"{site.url}/loop-a.xml"),
        feed("redirect-to-private", f"{_localhost(site)}/to-private.xml"),
        feed("robots-to-private", f"{_localhost(robots_site)}/feed.xml"),
        {"name": "huge-list", "kind": "html", "url": f"{site.url}/huge.htm", "item_selector": "li"},
        feed("big-title", f"{site.url}/big-title.xml"),
        feed("gbk-declared-utf8", f"{site.url}/gbk_declared_utf8.xml"),
        feed("stray-bytes", f"{site.url}/stray_bytes_utf8.xml"),
        feed("escapes", f"{site.url}/escapes.xml"),
        feed("bad-links", f"{site.url}/bad_links.xml"),
        feed("ipv6", f"{v6.url}/feed.xml"),
    ]


def _run_in_fresh_process(settings: Settings, config: AppConfig) -> dict[str, Any]:
    context = get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    # The child imports its target by module name: from tests/ (on sys.path), not from
    # this test module, which pytest imports under a name of its own.
    child = context.Process(target=pass_in_fresh_process, args=(settings, config, sending))
    child.start()
    try:
        if not receiving.poll(300):
            raise AssertionError("the pass did not finish within 300 s")
        result: dict[str, Any] = receiving.recv()
        return result
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()


def test_every_attack_at_once_leaves_the_good_source_stored_and_alerted(
    hostile: HostileSite,
    robots_site: HostileSite,
    ipv6_site: HostileSite,
    receiver: LocalSite,
    database_url: str,
) -> None:
    config = AppConfig.model_validate(
        {
            "sources": _sources(hostile, robots_site, ipv6_site),
            "subscribers": [{"name": "ops", "notify": [f"json://{receiver.url[7:]}/hook"]}],
            "alert_window_days": 36500,  # the fixtures are from 2025
        }
    )
    settings = Settings(database_url=database_url, source_retries=0, source_timeout=SOURCE_TIMEOUT)
    result = _run_in_fresh_process(settings, config)
    outcome: dict[str, tuple[str, list[str], int]] = result["sources"]

    def error(name: str) -> str:
        status, errors, _ = outcome[name]
        assert status == "error", (name, outcome[name])
        return " ".join(errors)

    def clean(name: str) -> int:
        status, errors, new = outcome[name]
        assert status == "ok", (name, errors)
        return new

    print(f"peak RSS of the combined pass: {result['peak_rss'] / MB:.0f} MB")  # shown by -s
    assert result["peak_rss"] < 400 * MB, f"peak RSS {result['peak_rss'] / MB:.0f} MB"
    assert clean("good") == 2
    assert "cap" in error("gzip-bomb") and "cap" in error("gzip-gzip-bomb")
    assert "source_timeout" in error("drip")
    assert "redirect loop" in error("redirect-loop")
    assert "loopback" in error("redirect-to-private")
    assert clean("robots-to-private") == 2 and hostile.hits("/secret") == []
    assert clean("huge-list") == Settings().max_articles_per_source
    assert clean("big-title") == 1
    assert clean("gbk-declared-utf8") == 1 and clean("stray-bytes") == 2
    assert clean("escapes") == 1
    assert clean("bad-links") == 1
    assert any("skipped 1 item(s)" in e and "99999" in e for e in outcome["bad-links"][1])
    assert clean("ipv6") == 2

    titles = {a.url: a.title for a in _articles(database_url)}
    assert GOOD_TITLE in titles.values()
    assert any(
        t.startswith("11月14日上午，滨江大学与华信科技有限公司签署") for t in titles.values()
    )
    (stray,) = [t for u, t in titles.items() if u.endswith("v=stray1")]
    assert stray.startswith("滨江大学与华信科技签署") and stray.endswith("合作协议")
    assert all(len(t) <= MAX_TITLE_CHARS for t in titles.values())
    for article in _articles(database_url):
        assert not any(c in article.title + article.text for c in UNSAFE_CHARS), article.url
    assert all(len(s.last_error or "") <= 2000 for s in _sources_stored(database_url))
    assert any(GOOD_TITLE in r.body.decode() for r in receiver.received)


def _articles(database_url: str) -> list[Article]:
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        rows = list(s.exec(select(Article)))
    engine.dispose()
    return rows


def _sources_stored(database_url: str) -> list[Source]:
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        rows = list(s.exec(select(Source)))
    engine.dispose()
    return rows

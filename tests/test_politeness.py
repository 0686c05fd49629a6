"""Politeness and hard answers in the fetch layer, against real loopback servers.

robots.txt (parsing unit tests, then honoured over HTTP), per-host and global concurrency
measured at the server, spacing between requests to one host, Retry-After, retries with
backoff, redirect loops and oversized responses.

Waits are checked on a ``VirtualClock``: the fetcher's waits pass at once, and the requests'
starts are read in virtual seconds, so a 1 s Retry-After costs no real second. Concurrency is
measured at a real server, on the real clock, with short server delays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from itertools import pairwise
from typing import Any

import httpx
import pytest
from servers import LocalSite, Route

from ieiwatch.config import AppConfig, Settings
from ieiwatch.flows.polling import RunReport, run_pass
from ieiwatch.scrapers.errors import (
    BlockedByRobots,
    HTTPStatusError,
    ResponseTooLarge,
    TooManyRedirects,
)
from ieiwatch.scrapers.fetch import Fetcher, Response, make_client, parse_retry_after
from ieiwatch.scrapers.robots import agent_token, parse_robots
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Source

AGENT = "ieiwatch"


@dataclass
class VirtualClock:
    """The fetcher's clock in a test: time passes only when the fetcher waits, and a wait
    returns at once with the clock moved on to its end. ``sent`` logs each request as the
    client sends it, at its virtual start."""

    time: float = 0.0
    sent: list[tuple[str, float]] = field(default_factory=list)

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        wake = self.time + seconds
        # The other tasks run first, at this same moment: waits that overlap end together,
        # as on the real clock, rather than one after the other.
        await asyncio.sleep(0)
        self.time = max(self.time, wake)

    async def log(self, request: httpx.Request) -> None:
        self.sent.append((request.url.path, self.time))

    def starts(self, path: str | None = None) -> list[float]:
        """Virtual start times of the requests for ``path`` (all requests if None)."""
        return [at for sent, at in self.sent if path is None or sent == path]


def _fetching(
    settings: Settings,
    work: Callable[[Fetcher], Awaitable[Any]],
    clock: VirtualClock | None = None,
) -> Any:
    async def go() -> Any:
        async with make_client(settings) as client:
            if clock is None:
                return await work(Fetcher(client, settings))
            client.event_hooks["request"].append(clock.log)
            return await work(Fetcher(client, settings, clock=clock))

    return asyncio.run(go())


def _get(settings: Settings, url: str, clock: VirtualClock | None = None, **kw: Any) -> Response:
    return _fetching(settings, lambda f: f.get(url, **kw), clock)


def _robots(site: LocalSite, text: str, status: int = 200) -> None:
    site.routes["/robots.txt"] = Route(status, text.encode(), {"Content-Type": "text/plain"})


# ------------------------------------------------------------------ robots.txt parsing


def test_longest_match_wins_not_the_first_rule() -> None:
    rules = parse_robots("User-agent: *\nAllow: /\nDisallow: /private/\n", AGENT)
    assert not rules.allows("http://x.cn/private/a.htm")  # urllib.robotparser says True
    assert rules.allows("http://x.cn/news/a.htm")


def test_a_longer_allow_opens_a_hole_in_a_disallow() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /news/\nAllow: /news/public/\n", AGENT)
    assert rules.allows("http://x.cn/news/public/1.htm")
    assert not rules.allows("http://x.cn/news/secret/1.htm")


def test_allow_wins_a_tie() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /page\nAllow: /page\n", AGENT)
    assert rules.allows("http://x.cn/page")


def test_wildcards_and_end_anchor() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /*.pdf$\nDisallow: /*?sessionid=\n", AGENT)
    assert not rules.allows("http://x.cn/files/a.pdf")
    assert rules.allows("http://x.cn/files/a.pdf.htm")
    assert not rules.allows("http://x.cn/list.htm?sessionid=42")
    assert rules.allows("http://x.cn/list.htm?page=2")


def test_our_own_group_replaces_the_star_group() -> None:
    text = (
        "User-agent: *\nDisallow: /\n\n"
        "User-agent: OtherBot\nUser-agent: IEIWatch\nDisallow: /private\nCrawl-delay: 3\n"
    )
    rules = parse_robots(text, AGENT)
    assert rules.allows("http://x.cn/news/1.htm")
    assert not rules.allows("http://x.cn/private/1.htm")
    assert rules.crawl_delay == 3.0


def test_groups_for_the_same_agent_are_merged() -> None:
    text = "User-agent: ieiwatch\nDisallow: /a/\n\nUser-agent: ieiwatch\nDisallow: /b/\n"
    rules = parse_robots(text, AGENT)
    assert not rules.allows("http://x.cn/a/1") and not rules.allows("http://x.cn/b/1")


def test_empty_disallow_comments_and_non_ascii_paths() -> None:
    rules = parse_robots("# hi\nUser-agent: *  # all\nDisallow:\nDisallow: /新闻/\n", AGENT)
    assert rules.allows("http://x.cn/index.htm")
    assert not rules.allows("http://x.cn/%E6%96%B0%E9%97%BB/1.htm")


def test_no_matching_group_allows_everything_and_robots_txt_is_always_allowed() -> None:
    assert parse_robots("User-agent: googlebot\nDisallow: /\n", AGENT).allows("http://x/a")
    assert parse_robots("User-agent: *\nDisallow: /\n", AGENT).allows("http://x/robots.txt")


def test_agent_token_is_the_product_name() -> None:
    assert agent_token("ieiwatch/0.1 (news monitor)") == "ieiwatch"
    assert agent_token(Settings().user_agent) == AGENT


# --------------------------------------------------------------- robots.txt over HTTP


def test_robots_disallow_is_respected_and_robots_is_read_once(site: LocalSite) -> None:
    _robots(site, "User-agent: *\nDisallow: /art/\n")

    async def work(fetcher: Fetcher) -> BaseException | None:
        await fetcher.get(f"{site.url}/feed.xml")
        await fetcher.get(f"{site.url}/list.htm")
        try:
            await fetcher.get(f"{site.url}/art/101.htm")
        except BlockedByRobots as exc:
            return exc
        return None

    blocked = _fetching(Settings(), work)
    assert isinstance(blocked, BlockedByRobots) and not blocked.transient
    assert "robots.txt disallows" in str(blocked) and "/art/101.htm" in str(blocked)
    assert site.hits("/art/101.htm") == []
    assert len(site.hits("/robots.txt")) == 1


@pytest.mark.parametrize(
    ("status", "allowed"), [(401, False), (403, False), (404, True), (500, True)]
)
def test_robots_status_rules(site: LocalSite, status: int, allowed: bool) -> None:
    _robots(site, "", status)
    if allowed:
        assert _get(Settings(), f"{site.url}/feed.xml").status == 200
    else:
        with pytest.raises(BlockedByRobots):
            _get(Settings(), f"{site.url}/feed.xml")


def test_unreachable_robots_means_allow_all(site: LocalSite) -> None:
    site.routes["/robots.txt"] = Route(200, b"User-agent: *\nDisallow: /\n", delay=1.0)
    # robots.txt times out: no rules to honour; the page itself answers at once.
    settings = Settings(http_timeout=0.2, http_retries=0)
    site.routes["/fast"] = Route(200, b"ok")
    assert _get(settings, f"{site.url}/fast").content == b"ok"


def test_robots_ignore_is_an_explicit_source_setting(site: LocalSite, sqlite_url: str) -> None:
    _robots(site, "User-agent: *\nDisallow: /\n")
    feed = {"name": "lakeside", "kind": "feed", "url": f"{site.url}/feed.xml"}
    obeying = _run(sqlite_url, AppConfig.model_validate({"sources": [feed]}))
    assert obeying.sources[0].status == "error"
    assert "robots.txt disallows" in obeying.sources[0].errors[0]
    assert site.hits("/feed.xml") == []
    ignoring = _run(
        sqlite_url, AppConfig.model_validate({"sources": [{**feed, "robots": "ignore"}]})
    )
    assert ignoring.sources[0].status == "ok" and ignoring.sources[0].new == 2


def test_crawl_delay_is_honoured_up_to_the_cap(site: LocalSite) -> None:
    _robots(site, "User-agent: *\nCrawl-delay: 0.4\n")
    clock = VirtualClock()
    _fetch_three(site, Settings(http_host_delay=0), clock)
    gaps = [b - a for a, b in pairwise(clock.starts("/feed.xml"))]
    assert len(gaps) == 2 and min(gaps) >= 0.38

    site.requests.clear()
    _robots(site, "User-agent: *\nCrawl-delay: 30\n")
    clock = VirtualClock()
    _fetch_three(site, Settings(http_host_delay=0, http_crawl_delay_max=0.2), clock)
    gaps = [b - a for a, b in pairwise(clock.starts("/feed.xml"))]
    assert min(gaps) >= 0.18 and max(gaps) < 5
    assert len(site.hits("/feed.xml")) == 3


def _fetch_three(site: LocalSite, settings: Settings, clock: VirtualClock) -> None:
    async def work(fetcher: Fetcher) -> None:
        await asyncio.gather(*(fetcher.get(f"{site.url}/feed.xml") for _ in range(3)))

    _fetching(settings, work, clock)


# ------------------------------------------------------------ concurrency and spacing


def _slow_gets(urls: list[str], settings: Settings) -> None:
    async def work(fetcher: Fetcher) -> None:
        await asyncio.gather(*(fetcher.get(url) for url in urls))

    _fetching(settings, work)


# A server delay long enough for the requests let through to overlap at the server.
OVERLAP = 0.1


def test_per_host_concurrency_holds_at_the_server(site: LocalSite) -> None:
    site.routes["/slow"] = Route(200, b"ok", delay=OVERLAP)
    _slow_gets([f"{site.url}/slow"] * 6, Settings(http_host_delay=0))
    assert len(site.hits("/slow")) == 6
    assert site.max_in_flight == 2  # the default per-host limit


def test_per_host_limit_is_a_setting(site: LocalSite) -> None:
    site.routes["/slow"] = Route(200, b"ok", delay=OVERLAP)
    _slow_gets([f"{site.url}/slow"] * 4, Settings(http_host_delay=0, http_host_concurrency=1))
    assert site.max_in_flight == 1


def test_global_limit_caps_requests_over_all_hosts(site: LocalSite) -> None:
    # One server under two host names: two hosts for the politeness rules.
    site.routes["/slow"] = Route(200, b"ok", delay=OVERLAP)
    other = site.url.replace("127.0.0.1", "localhost")
    urls = [f"{site.url}/slow"] * 4 + [f"{other}/slow"] * 4
    _slow_gets(urls, Settings(http_host_delay=0, http_host_concurrency=2))
    assert site.max_in_flight == 4  # 2 per host
    site.max_in_flight = 0
    _slow_gets(
        urls, Settings(http_host_delay=0, http_host_concurrency=2, http_global_concurrency=3)
    )
    assert site.max_in_flight == 3


def test_requests_to_one_host_are_spaced(site: LocalSite) -> None:
    clock = VirtualClock()
    _fetch_three(site, Settings(http_host_delay=0.3), clock)
    starts = clock.starts()  # robots.txt, then the three pages
    assert len(starts) == 4 and len(site.requests) == 4
    assert min(b - a for a, b in pairwise(starts)) >= 0.28


# ----------------------------------------------------------- Retry-After and retries


def test_429_with_retry_after_is_waited_out(site: LocalSite) -> None:
    site.queued["/feed.xml"] = [Route(429, b"slow down", {"Retry-After": "1"})]
    clock = VirtualClock()
    response = _get(Settings(), f"{site.url}/feed.xml", clock)
    assert response.status == 200
    first, second = clock.starts("/feed.xml")
    assert second - first >= 0.95
    assert len(site.hits("/feed.xml")) == 2


def test_503_with_an_http_date_retry_after(site: LocalSite) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=1), usegmt=True)
    site.queued["/feed.xml"] = [Route(503, b"", {"Retry-After": soon})]
    assert _get(Settings(), f"{site.url}/feed.xml", VirtualClock()).status == 200
    assert len(site.hits("/feed.xml")) == 2


@pytest.mark.parametrize("retries", [0, 2])
def test_retry_after_over_the_cap_is_not_retried_this_run(site: LocalSite, retries: int) -> None:
    site.queued["/feed.xml"] = [Route(429, b"", {"Retry-After": "3600"})]
    with pytest.raises(HTTPStatusError, match="over the 60s cap") as err:
        _get(Settings(http_retries=retries), f"{site.url}/feed.xml")
    assert not err.value.transient  # the Prefect task retry must not hammer it either
    assert len(site.hits("/feed.xml")) == 1


def test_parse_retry_after() -> None:
    now = datetime(2025, 9, 15, 10, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 15 Sep 2025 10:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 15 Sep 2025 09:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_transient_errors_are_retried_with_backoff(site: LocalSite) -> None:
    site.queued["/feed.xml"] = [Route(503), Route(500)]
    settings = Settings(http_retries=2, http_backoff=0.2)
    clock = VirtualClock()
    assert _get(settings, f"{site.url}/feed.xml", clock).status == 200
    first, second, third = clock.starts("/feed.xml")
    assert len(site.hits("/feed.xml")) == 3
    # 0.2 s then 0.4 s, each ±50 % jitter
    assert second - first >= 0.09 and third - second >= 0.19


def test_retries_are_bounded(site: LocalSite) -> None:
    site.routes["/down"] = Route(503)
    with pytest.raises(HTTPStatusError, match="HTTP 503"):
        _get(Settings(http_retries=1), f"{site.url}/down")
    assert len(site.hits("/down")) == 2


def test_permanent_errors_are_not_retried(site: LocalSite) -> None:
    with pytest.raises(HTTPStatusError, match="HTTP 404"):
        _get(Settings(http_retries=3), f"{site.url}/missing")
    assert len(site.hits("/missing")) == 1


# ------------------------------------------------------------------ redirects and size


def test_redirect_loop_stops(site: LocalSite) -> None:
    site.routes["/a"] = Route(302, b"", {"Location": "/b"})
    site.routes["/b"] = Route(302, b"", {"Location": f"{site.url}/a"})
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        _get(Settings(), f"{site.url}/a")
    assert len(site.hits("/a")) == 1 and len(site.hits("/b")) == 1


def test_too_long_a_redirect_chain_stops(site: LocalSite) -> None:
    for i in range(10):
        site.routes[f"/r{i}"] = Route(301, b"", {"Location": f"/r{i + 1}"})
    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        _get(Settings(http_max_redirects=3), f"{site.url}/r0")
    assert len(site.hits("/r4")) == 0


def test_redirects_are_followed_and_checked_against_robots(site: LocalSite) -> None:
    _robots(site, "User-agent: *\nDisallow: /art/\n")
    site.routes["/moved"] = Route(301, b"", {"Location": "/feed.xml"})
    site.routes["/sneaky"] = Route(302, b"", {"Location": "/art/101.htm"})
    assert _get(Settings(), f"{site.url}/moved").url == f"{site.url}/feed.xml"
    with pytest.raises(BlockedByRobots):
        _get(Settings(), f"{site.url}/sneaky")
    assert site.hits("/art/101.htm") == []


def test_oversized_response_without_a_length_is_cut_off_while_streaming(
    site: LocalSite,
) -> None:
    site.routes["/big"] = Route(200, b"x" * 50_000, unsized=True)
    with pytest.raises(ResponseTooLarge, match="cap"):
        _get(Settings(http_max_bytes=1000), f"{site.url}/big")


def test_oversized_article_is_recorded_on_the_run_and_the_source(
    site: LocalSite, sqlite_url: str
) -> None:
    site.routes["/art/101.htm"] = Route(
        200, b"<html>" + b"x" * 20_000, {"Content-Type": "text/html"}
    )
    config = AppConfig.model_validate(
        {
            "sources": [
                {
                    "name": "nanhu",
                    "kind": "html",
                    "url": f"{site.url}/list.htm",
                    "item_selector": "ul.news li",
                }
            ]
        }
    )
    report = _run(sqlite_url, config, http_max_bytes=10_000)
    (source,) = report.sources
    assert source.status == "ok" and source.new == 1  # the other article
    assert any("/art/101.htm" in e and "cap" in e for e in source.errors)
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        row = s.get(Source, 1)
        assert row is not None and "/art/101.htm" in (row.last_error or "")
    engine.dispose()


def _run(database_url: str, config: AppConfig, **settings: Any) -> RunReport:
    return asyncio.run(run_pass(Settings(database_url=database_url, **settings), config))

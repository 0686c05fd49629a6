"""feedparser's own test feeds (shared/corpora/feedparser-tests) as sources of one real run.

Every file is served from a loopback server with the HTTP headers its comment block names,
and all of them go through ``run_pass`` together. The run must not crash; each feed either
yields its entries (stored, with the feed's own text where the page is not fetched) or records
a clear error naming its URL; script injection comes out sanitised. The entries link to
example.org and friends: with ``article_hosts=source`` nothing but the loopback server is
contacted, which the test checks on every request and every DNS lookup.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from servers import LocalSite, Route
from sqlmodel import select

from ieiwatch.config import AppConfig, Settings
from ieiwatch.flows import runtime
from ieiwatch.flows.polling import RunReport, run_pass
from ieiwatch.scrapers.errors import ScrapeError
from ieiwatch.scrapers.feed import parse_feed
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article, Source

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/feedparser-tests"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"feed corpus test skipped: {CORPUS} is absent (it lives in ../shared; CI has it)",
)

_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
_UNSAFE = re.compile(r"<\s*script|javascript\s*:|<\s*iframe|\bon(click|error|load)\s*=", re.I)


@dataclass(frozen=True)
class CorpusFeed:
    name: str
    """Source name: f0001 …"""
    relpath: str
    body: bytes
    headers: dict[str, str]


def corpus_files() -> list[Path]:
    skip = {"LICENSE", "MANIFEST.tsv", "README.md"}
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name not in skip)


def comment_text(body: bytes) -> str:
    """The file as text for reading its comment block, decoded the way upstream does."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\x00\x00\xfe\xff", "utf-32be"),
        (b"\xff\xfe\x00\x00", "utf-32le"),
        (b"\xfe\xff", "utf-16be"),
        (b"\xff\xfe", "utf-16le"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="ignore")
    for start, codec in (
        (b"\x00\x00\x00<", "utf-32be"),
        (b"<\x00\x00\x00", "utf-32le"),
        (b"\x00<\x00?", "utf-16be"),
        (b"<\x00?\x00", "utf-16le"),
    ):
        if body.startswith(start):
            return body.decode(codec, errors="ignore")
    return body.decode("utf-8", errors="ignore")


def response_headers(path: Path, body: bytes) -> dict[str, str]:
    """The ``Header:`` lines of the file; Content-Type defaults to text/xml (as upstream)."""
    headers: dict[str, str] = {}
    for name, value in _HEADER.findall(comment_text(body)):
        name = "Content-Type" if name.strip().lower() == "content-type" else name.strip()
        headers[name] = value.strip()
    if "Content-Type" not in headers:
        headers["Content-Type"] = "application/feed+json" if path.suffix == ".json" else "text/xml"
    return headers


def load_corpus() -> list[CorpusFeed]:
    feeds = []
    for i, path in enumerate(corpus_files(), 1):
        body = path.read_bytes()
        feeds.append(
            CorpusFeed(
                f"f{i:04d}", path.relative_to(CORPUS).as_posix(), body, response_headers(path, body)
            )
        )
    return feeds


_FIRST_ENTRY = re.compile(rb"<(entry|item)(\s[^>]*)?>")


def with_entry_link(feed: CorpusFeed, name: str) -> CorpusFeed | None:
    """A sanitize case whose first entry is given a link, so that the pipeline stores it.

    Most of these cases have entries without a link, which cannot be stored (the link is an
    article's identity). The link points to example.org: never fetched in this run, so the
    stored text is the feed's own, sanitised one.
    """
    match = _FIRST_ENTRY.search(feed.body)
    if match is None:
        return None
    href = f"http://example.org/sanitize/{name}".encode()
    link = (
        b'<link rel="alternate" href="' + href + b'"/>'
        if match.group(1) == b"entry"
        else b"<link>" + href + b"</link>"
    )
    body = feed.body[: match.end()] + link + feed.body[match.end() :]
    return CorpusFeed(name, "linked/" + feed.relpath, body, feed.headers)


def linked_sanitize_cases(feeds: list[CorpusFeed]) -> list[CorpusFeed]:
    cases = [
        with_entry_link(f, f"s{i:04d}")
        for i, f in enumerate(feeds, 1)
        if f.relpath.startswith("wellformed/sanitize/")
    ]
    return [case for case in cases if case is not None]


def url_path(feed: CorpusFeed) -> str:
    return "/c/" + quote(feed.relpath)


class Traffic:
    """Every request the run's HTTP client sends and every name it looks up."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.lookups: list[str] = []


def record_traffic(mp: pytest.MonkeyPatch) -> Traffic:
    """Record what the run's HTTP client sends, and every host name looked up."""
    seen = Traffic()
    real_make_client = runtime.make_client

    def recording_client(settings: Settings) -> httpx.AsyncClient:
        client = real_make_client(settings)

        async def record(request: httpx.Request) -> None:
            seen.requests.append(str(request.url))

        client.event_hooks["request"].append(record)
        return client

    real_getaddrinfo = socket.getaddrinfo

    def recording_getaddrinfo(host: Any, *args: Any, **kw: Any) -> Any:
        seen.lookups.append(host.decode() if isinstance(host, bytes) else str(host))
        return real_getaddrinfo(host, *args, **kw)

    mp.setattr(runtime, "make_client", recording_client)
    mp.setattr(socket, "getaddrinfo", recording_getaddrinfo)
    return seen


@dataclass
class CorpusRun:
    site_url: str
    feeds: list[CorpusFeed]
    """Every file of the corpus, as it is."""
    linked: list[CorpusFeed]
    """The sanitize cases again, with a link on their first entry."""
    report: RunReport
    articles: list[Article]
    sources: dict[str, Source]
    seconds: float
    traffic: Traffic


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    """One run over the whole corpus, shared by the tests below."""
    feeds = load_corpus()
    linked = linked_sanitize_cases(feeds)
    tmp_path = tmp_path_factory.mktemp("corpus")
    with LocalSite() as site, pytest.MonkeyPatch.context() as mp:
        traffic = record_traffic(mp)
        for feed in feeds + linked:
            site.routes[url_path(feed)] = Route(200, feed.body, feed.headers)
        config = AppConfig.model_validate(
            {
                "sources": [
                    {"name": f.name, "kind": "feed", "url": site.url + url_path(f)}
                    for f in feeds + linked
                ]
            }
        )
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'corpus.db'}",
            article_hosts="source",  # entry links to example.org etc. are not fetched
            http_host_concurrency=8,
            http_host_delay=0,
            http_retries=0,
            http_timeout=5,
        )
        started = time.monotonic()
        report = asyncio.run(run_pass(settings, config))
        seconds = time.monotonic() - started
        engine = make_engine(settings.database_url)
        with session_scope(engine) as s:
            articles = list(s.exec(select(Article)))
            sources = {row.name: row for row in s.exec(select(Source))}
        engine.dispose()
        yield CorpusRun(site.url, feeds, linked, report, articles, sources, seconds, traffic)


def test_every_corpus_feed_runs_without_a_crash(corpus_run: CorpusRun) -> None:
    run = corpus_run
    assert len(run.feeds) >= 590
    assert len(run.report.sources) == len(run.feeds) + len(run.linked)
    assert run.seconds < 60
    by_name = {f.name: f for f in run.feeds + run.linked}
    for source in run.report.sources:
        url = run.site_url + url_path(by_name[source.name])
        assert source.status in ("ok", "not_modified", "error"), source
        if source.status == "error":
            # A clear per-source error names the feed's URL: a ScrapeError, not a bug.
            assert source.errors and source.errors[0].startswith(url), source
            assert run.sources[source.name].consecutive_failures == 1
    ok = [s for s in run.report.sources if s.status == "ok"]
    assert len(ok) > 500  # feedparser's tests are feeds, after all


def test_each_feed_yields_its_entries_or_says_why_not(corpus_run: CorpusRun) -> None:
    run = corpus_run
    stored = {a.url for a in run.articles}
    reports = {s.name: s for s in run.report.sources}
    with_entries = 0
    for feed in run.feeds:
        report = reports[feed.name]
        url = run.site_url + url_path(feed)
        try:
            items = parse_feed(feed.body, feed.headers["Content-Type"], url).items
        except ScrapeError:
            assert report.status == "error"
            continue
        assert report.status == "ok" and report.listed == len(items), feed.relpath
        for item in items:
            # Stored (by this source or another carrying the same link), or a named error.
            assert item.url in stored or any(item.url in e for e in report.errors), (
                feed.relpath,
                item.url,
                report.errors,
            )
        with_entries += bool(items)
    # Most of feedparser's cases test feed-level elements, or entries without a link
    # (which cannot be stored: the link is an article's identity).
    assert with_entries >= 50


def test_entries_keep_the_feeds_own_text_when_the_page_is_not_fetched(
    corpus_run: CorpusRun,
) -> None:
    cdf = next(
        f for f in corpus_run.feeds if f.relpath == "wellformed/base/cdf_item_abstract_xml_base.xml"
    )
    report = next(s for s in corpus_run.report.sources if s.name == cdf.name)
    assert [e for e in report.errors if e.startswith("skipped link")] == [
        "skipped link http://base.example.org/item/1: not fetched: host base.example.org is "
        "not the source's host (article_hosts=source)"
    ]
    source_id = corpus_run.sources[cdf.name].id
    (article,) = [a for a in corpus_run.articles if a.source_id == source_id]
    assert (article.title, article.text) == ("item title", "item abstract")


def test_script_injection_comes_out_sanitised(corpus_run: CorpusRun) -> None:
    linked_ids = {corpus_run.sources[f.name].id for f in corpus_run.linked}
    from_sanitize = {
        a.url.rsplit("/", 1)[-1]: a for a in corpus_run.articles if a.source_id in linked_ids
    }
    # The rest have no text once sanitised (an <img onclick=…>): nothing to store.
    assert len(from_sanitize) >= 40
    script_case = next(
        f.name for f in corpus_run.linked if f.relpath.endswith("sanitize/entry_content_script.xml")
    )
    assert from_sanitize[script_case].text == "safe description"
    for article in corpus_run.articles:
        assert not _UNSAFE.search(article.title), (article.url, article.title)
        assert not _UNSAFE.search(article.text), (article.url, article.text)


def test_bozo_feeds_are_used_and_the_problem_recorded(corpus_run: CorpusRun) -> None:
    warned = [
        s
        for s in corpus_run.report.sources
        if s.status == "ok" and any(e.startswith("feed: ") for e in s.errors)
    ]
    assert warned, "some corpus feeds are bozo but readable"
    for report in warned:
        row = corpus_run.sources[report.name]
        assert row.last_error and "feed: " in row.last_error
        assert row.consecutive_failures == 0


def test_no_request_left_loopback(corpus_run: CorpusRun) -> None:
    traffic = corpus_run.traffic
    own = urlsplit(corpus_run.site_url).netloc
    assert traffic.requests, "the recording hook saw the run's requests"
    elsewhere = sorted({urlsplit(u).netloc for u in traffic.requests} - {own})
    # Other ports of 127.0.0.1 (upstream's test server, :8097) are the source's host and
    # loopback all the same; nothing else may appear.
    assert all(n.split(":")[0] == "127.0.0.1" for n in elsewhere), elsewhere
    assert {h for h in traffic.lookups if h != "127.0.0.1"} == set()

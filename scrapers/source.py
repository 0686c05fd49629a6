"""Scrape one configured source: its listing (feed or list page), then new article pages.

Which items are new is the caller's business (it asks storage); this module only fetches
and extracts.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from ieiwatch.config.schema import SourceConfig
from ieiwatch.scrapers.cms import get_preset
from ieiwatch.scrapers.discover import ListStructure
from ieiwatch.scrapers.errors import Refused, ScrapeError
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.listing_reader import ListRules, ListSelectors, ReadListing, read_listing
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle
from ieiwatch.scrapers.page import (
    PageRules,
    RawPage,
    ReadPage,
    read_page,
    titled_by_listing,
)
from ieiwatch.scrapers.safety import LinkGuard, LinkPolicy

T = TypeVar("T")


@dataclass(frozen=True)
class Listing:
    items: list[ListedItem]
    not_modified: bool
    etag: str | None
    last_modified: str | None
    warning: str | None = None
    structure: ListStructure | None = None
    """The list found on a source without selectors: to keep for the next poll."""


PageReader = Callable[[ListedItem, RawPage, frozenset[str]], Awaitable[tuple[ReadPage, T]]]
"""Reads a fetched page as ``scrapers.page.read_page`` does (given the site's names, the
``<title>``s its pages share), and adds what its caller wants of it (a classification):
called as each page arrives, and again for a page whose ``<title>`` is the site's."""


@dataclass
class ArticleBatch(Generic[T]):
    articles: list[ScrapedArticle] = field(default_factory=list)
    """The articles read or made from the listing, except those given to ``settled``:
    their caller has them, and holding them here would keep every article of a source
    (and, on a pass, of every source in flight) until its last page."""
    extras: list[T | None] = field(default_factory=list)
    """What the reader added to each article; None for those made from the listing alone
    (their page refused or gone)."""
    dates: dict[str, datetime | None] = field(default_factory=dict)
    """The published date of every article read or made from the listing (also those given
    to ``settled``), by the listed item's URL."""
    errors: list[str] = field(default_factory=list)
    """One line per article page that could not be read; those items are retried next run."""
    skipped: list[str] = field(default_factory=list)
    """One line per link we chose not to fetch (unsafe, or robots.txt says no); the item is
    kept with the listing's own title and text when it has any."""

    def add(self, url: str, article: ScrapedArticle, extra: T | None) -> None:
        self.articles.append(article)
        self.extras.append(extra)
        self.dates[url] = article.published_at


def list_selectors(source: SourceConfig) -> ListSelectors:
    """The source's own selectors, falling back to its CMS preset's."""
    preset = get_preset(source.cms) if source.cms else None
    item = source.item_selector or (preset.item_selector if preset else None)
    if item is None:
        raise ValueError(f"source {source.name!r} has neither item_selector nor cms")
    return ListSelectors(
        item=item,
        link=source.link_selector or (preset.link_selector if preset else "a"),
        date=source.date_selector or (preset.date_selector if preset else None),
    )


ListingReader = Callable[[ListRules, RawPage, ListStructure | None], Awaitable[ReadListing]]
"""Reads a fetched listing as ``listing_reader.read_listing`` does (here, or in a worker)."""


async def read_listing_here(
    rules: ListRules, page: RawPage, structure: ListStructure | None
) -> ReadListing:
    return read_listing(rules, page, structure)


async def fetch_listing(
    fetcher: Fetcher,
    source: SourceConfig,
    etag: str | None,
    last_modified: str | None,
    structure: ListStructure | None = None,
    reader: ListingReader = read_listing_here,
) -> Listing:
    """``structure``: the list found on an earlier poll of a source without selectors;
    reused while it matches, found again once when it does not."""
    # The configured URL's host is trusted (the operator chose it), with allow_hosts; a
    # redirect (or robots.txt) to any other private address is refused.
    response = await fetcher.get(
        source.url,
        etag=etag,
        last_modified=last_modified,
        obey_robots=obeys_robots(source),
        guard=LinkGuard(LinkPolicy.for_source(source)),
    )
    if response.not_modified:
        return Listing([], True, etag, last_modified)
    page = RawPage(response.url, response.content, response.content_type)
    read = await reader(list_rules(source), page, structure)
    return Listing(
        read.items, False, response.etag, response.last_modified, read.warning, read.structure
    )


def list_rules(source: SourceConfig) -> ListRules:
    if source.kind == "feed":
        return ListRules(feed=True)
    selectors = None if needs_discovery(source) else list_selectors(source)
    return ListRules(feed=False, selectors=selectors)


def needs_discovery(source: SourceConfig) -> bool:
    """An HTML source with neither selectors nor a CMS preset: its list is found by
    ``scrapers.discover``."""
    return source.kind == "html" and not (source.item_selector or source.cms)


def obeys_robots(source: SourceConfig) -> bool:
    return source.robots != "ignore"


async def fetch_articles(
    fetcher: Fetcher,
    source: SourceConfig,
    items: Sequence[ListedItem],
    concurrency: int,
    *,
    same_host_only: bool = False,
) -> ArticleBatch[None]:
    """Fetch the items' pages and read them here; links failing the safety rules are not
    fetched."""
    return await fetch_and_read(
        fetcher,
        source,
        items,
        concurrency,
        reading_here(page_rules(source)),
        same_host_only=same_host_only,
    )


async def fetch_and_read(
    fetcher: Fetcher,
    source: SourceConfig,
    items: Sequence[ListedItem],
    concurrency: int,
    reader: PageReader[T],
    *,
    same_host_only: bool = False,
    settled: Callable[[ScrapedArticle, T], None] | None = None,
) -> ArticleBatch[T]:
    """Fetch the items' pages and have ``reader`` read each as it arrives; links failing
    the safety rules are not fetched.

    ``settled`` is told each page's article as soon as nothing can change it (the batch
    has them all): at once for a page that will not be read again, and when every page is
    in for the others (those whose ``<title>`` may prove to be the site's). The batch then
    lists only the articles made from the listing alone, and the dates of all."""
    gate = asyncio.Semaphore(concurrency)
    guard = LinkGuard(LinkPolicy.for_source(source, same_host_only=same_host_only))
    rules = page_rules(source)

    async def one(item: ListedItem) -> _Page[T] | _Settled | ScrapeError:
        async with gate:
            try:
                page = await _fetch_page(fetcher, source, item, guard)
            except ScrapeError as exc:
                return exc
        read, extra = await reader(item, page, frozenset())
        # Kept (if not huge) until every page is in, to read again if its <title> turns
        # out to be the site's; not when the listing's title is the one kept anyway.
        small = len(page.content) <= KEEP_FOR_SITE_NAMES
        raw = page if small and not titled_by_listing(rules, item) else None
        if raw is None and settled is not None:
            settled(read.article, extra)
            return _Settled(read.page_title, read.article.published_at)
        return _Page(read, extra, raw)

    fetching = [asyncio.ensure_future(one(i)) for i in items]
    try:
        results = await asyncio.gather(*fetching)
    except BaseException:
        # A page that could not be read (a content selector that is no selector) fails the
        # source: the others stop here, rather than go on reading for no one.
        for task in fetching:
            task.cancel()
        raise
    # A <title> that several of the source's pages share names the site, not an article.
    titles = Counter(
        r.page_title if isinstance(r, _Settled) else r.read.page_title
        for r in results
        if isinstance(r, _Page | _Settled)
    )
    site_names = frozenset(title for title, n in titles.items() if n > 1 and title)
    rereadable = [
        (n, r.read.page_title, r.raw)
        for n, r in enumerate(results)
        if isinstance(r, _Page) and r.raw is not None
    ]
    again = {
        n: reader(items[n], raw, site_names) for n, title, raw in rereadable if title in site_names
    }
    for n, (read, extra) in zip(again, await asyncio.gather(*again.values()), strict=True):
        results[n] = _Page(read, extra, None)
    if settled is not None:
        for n, _, _ in rereadable:
            if isinstance(page := results[n], _Page):
                settled(page.read.article, page.extra)
                results[n] = _Settled(page.read.page_title, page.read.article.published_at)
    batch: ArticleBatch[T] = ArticleBatch()
    for item, result in zip(items, results, strict=True):
        if isinstance(result, _Settled):
            batch.dates[item.url] = result.published_at
        elif isinstance(result, _Page):
            batch.add(item.url, result.read.article, result.extra)
        elif isinstance(result, Refused):
            batch.skipped.append(
                str(result) if result.url == item.url else f"{item.url}: redirected to {result}"
            )
            if item.title or item.summary:
                batch.add(item.url, _from_listing(item), None)
        elif item.summary and not result.transient:
            # The page is gone for good, but the feed told us enough to store the item.
            batch.add(item.url, _from_listing(item), None)
        else:
            batch.errors.append(f"article {result}")
    return batch


def page_rules(source: SourceConfig) -> PageRules:
    return PageRules(source.content_selector, source.cms, listing_titles=source.kind == "feed")


def reading_here(rules: PageRules) -> PageReader[None]:
    """A reader that reads pages in this process and adds nothing to them."""

    async def read(
        item: ListedItem, page: RawPage, site_names: frozenset[str]
    ) -> tuple[ReadPage, None]:
        return read_page(rules, item, page, site_names), None

    return read


def _from_listing(item: ListedItem) -> ScrapedArticle:
    return ScrapedArticle(item.url, item.title, item.published_at, item.summary)


async def _fetch_page(
    fetcher: Fetcher, source: SourceConfig, item: ListedItem, guard: LinkGuard
) -> RawPage:
    response = await fetcher.get(item.url, obey_robots=obeys_robots(source), guard=guard)
    return RawPage(response.url, response.content, response.content_type)


@dataclass(frozen=True)
class _Page(Generic[T]):
    read: ReadPage
    extra: T
    raw: RawPage | None
    """The page as fetched, while it may have to be read again."""


@dataclass(frozen=True)
class _Settled:
    """A page whose article went to ``settled``: what the batch still needs of it."""

    page_title: str
    published_at: datetime | None


KEEP_FOR_SITE_NAMES = 1_000_000
"""Bytes of a page kept until its source's other pages are in (bounds memory)."""

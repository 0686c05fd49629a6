"""Scrape one configured source: its listing (feed or list page), then new article pages.

Which items are new is the caller's business (it asks storage); this module only fetches
and extracts.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ieiwatch.config.schema import SourceConfig
from ieiwatch.scrapers.article import TitleHints, extract_article, page_title
from ieiwatch.scrapers.cms import get_preset
from ieiwatch.scrapers.discover import ListStructure, read_list
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.errors import Refused, ScrapeError
from ieiwatch.scrapers.feed import parse_feed, skipped_note
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.listing import parse_list_page
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle
from ieiwatch.scrapers.safety import LinkGuard, LinkPolicy


@dataclass(frozen=True)
class Listing:
    items: list[ListedItem]
    not_modified: bool
    etag: str | None
    last_modified: str | None
    warning: str | None = None
    structure: ListStructure | None = None
    """The list found on a source without selectors: to keep for the next poll."""


@dataclass
class ArticleBatch:
    articles: list[ScrapedArticle] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """One line per article page that could not be read; those items are retried next run."""
    skipped: list[str] = field(default_factory=list)
    """One line per link we chose not to fetch (unsafe, or robots.txt says no); the item is
    kept with the listing's own title and text when it has any."""


@dataclass(frozen=True)
class ListSelectors:
    item: str
    link: str
    date: str | None


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


async def fetch_listing(
    fetcher: Fetcher,
    source: SourceConfig,
    etag: str | None,
    last_modified: str | None,
    structure: ListStructure | None = None,
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
    warning = None
    if source.kind == "feed":
        parsed = parse_feed(response.content, response.content_type, response.url)
        items, warning = parsed.items, parsed.warning
    elif needs_discovery(source):
        html = decode_html(response.content, response.content_type).text
        items, structure = read_list(html, response.url, structure)
        return Listing(items, False, response.etag, response.last_modified, structure=structure)
    else:
        html = decode_html(response.content, response.content_type).text
        selectors = list_selectors(source)
        skipped: list[str] = []
        items = parse_list_page(
            html,
            response.url,
            item_selector=selectors.item,
            link_selector=selectors.link,
            date_selector=selectors.date,
            skipped=skipped,
        )
        warning = "; ".join(skipped_note(skipped)) or None
    return Listing(items, False, response.etag, response.last_modified, warning)


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
) -> ArticleBatch:
    """Fetch and extract the items' pages; links failing the safety rules are not fetched."""
    gate = asyncio.Semaphore(concurrency)
    guard = LinkGuard(LinkPolicy.for_source(source, same_host_only=same_host_only))

    async def one(item: ListedItem) -> _Page | ScrapeError:
        async with gate:
            try:
                html, url = await _fetch_page(fetcher, source, item, guard)
            except ScrapeError as exc:
                return exc
        # Kept (if not huge) until every page is in, to read again if its <title> turns
        # out to be the site's; not when the listing's title is the one kept anyway.
        kept = (
            html
            if len(html) <= KEEP_FOR_SITE_NAMES and not _titled_by_listing(source, item)
            else None
        )
        return _Page(_extract(source, item, html, url), page_title(html), kept, url)

    results = await asyncio.gather(*(one(i) for i in items))
    # A <title> that several of the source's pages share names the site, not an article.
    titles = Counter(r.page_title for r in results if isinstance(r, _Page) and r.page_title)
    site_names = frozenset(title for title, n in titles.items() if n > 1)
    batch = ArticleBatch()
    for item, result in zip(items, results, strict=True):
        if isinstance(result, _Page):
            again = result.page_title in site_names and result.html is not None
            batch.articles.append(
                _extract(source, item, result.html or "", result.url, site_names)
                if again
                else result.article
            )
        elif isinstance(result, Refused):
            batch.skipped.append(
                str(result) if result.url == item.url else f"{item.url}: redirected to {result}"
            )
            if item.title or item.summary:
                batch.articles.append(_from_listing(item))
        elif item.summary and not result.transient:
            # The page is gone for good, but the feed told us enough to store the item.
            batch.articles.append(_from_listing(item))
        else:
            batch.errors.append(f"article {result}")
    return batch


def _from_listing(item: ListedItem) -> ScrapedArticle:
    return ScrapedArticle(item.url, item.title, item.published_at, item.summary)


async def fetch_article(
    fetcher: Fetcher, source: SourceConfig, item: ListedItem, *, guard: LinkGuard | None = None
) -> ScrapedArticle:
    # A discovered link: never fetched without the safety check, whoever calls.
    guard = guard or LinkGuard(LinkPolicy.for_source(source))
    return _extract(source, item, *await _fetch_page(fetcher, source, item, guard))


async def _fetch_page(
    fetcher: Fetcher, source: SourceConfig, item: ListedItem, guard: LinkGuard
) -> tuple[str, str]:
    """(HTML, final URL) of an item's page."""
    response = await fetcher.get(item.url, obey_robots=obeys_robots(source), guard=guard)
    return decode_html(response.content, response.content_type).text, response.url


@dataclass(frozen=True)
class _Page:
    article: ScrapedArticle
    page_title: str
    html: str | None
    url: str


KEEP_FOR_SITE_NAMES = 1_000_000
"""Characters of a page kept until its source's other pages are in (bounds memory)."""


def _titled_by_listing(source: SourceConfig, item: ListedItem) -> bool:
    # Feed titles are written for readers; list-page titles are often cut short.
    return source.kind == "feed" and bool(item.title)


def _extract(
    source: SourceConfig,
    item: ListedItem,
    html: str,
    url: str,
    site_names: frozenset[str] = frozenset(),
) -> ScrapedArticle:
    # The page's headline first; the list's link text confirms it, and stands in for it.
    hints = TitleHints(link_text=item.title, site_names=site_names)
    page = extract_article(
        html, url, content_selector=source.content_selector, cms=source.cms, hints=hints
    )
    title = item.title if _titled_by_listing(source, item) else page.title or item.title
    return ScrapedArticle(
        url=item.url,
        title=title,
        published_at=item.published_at or page.published_at,
        text=page.text or item.summary,
    )

"""Scrape one configured source: its listing (feed or list page), then new article pages.

Which items are new is the caller's business (it asks storage); this module only fetches
and extracts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from ieiwatch.config.schema import SourceConfig
from ieiwatch.scrapers.article import extract_article
from ieiwatch.scrapers.cms import get_preset
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.errors import Refused, ScrapeError
from ieiwatch.scrapers.feed import parse_feed
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
    fetcher: Fetcher, source: SourceConfig, etag: str | None, last_modified: str | None
) -> Listing:
    # The configured URL itself is trusted (the operator chose it): no link guard here.
    response = await fetcher.get(
        source.url, etag=etag, last_modified=last_modified, obey_robots=obeys_robots(source)
    )
    if response.not_modified:
        return Listing([], True, etag, last_modified)
    warning = None
    if source.kind == "feed":
        parsed = parse_feed(response.content, response.content_type, response.url)
        items, warning = parsed.items, parsed.warning
    else:
        html = decode_html(response.content, response.content_type).text
        selectors = list_selectors(source)
        items = parse_list_page(
            html,
            response.url,
            item_selector=selectors.item,
            link_selector=selectors.link,
            date_selector=selectors.date,
        )
    return Listing(items, False, response.etag, response.last_modified, warning)


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

    async def one(item: ListedItem) -> ScrapedArticle | ScrapeError:
        async with gate:
            try:
                return await fetch_article(fetcher, source, item, guard=guard)
            except ScrapeError as exc:
                return exc

    batch = ArticleBatch()
    for item, result in zip(items, await asyncio.gather(*(one(i) for i in items)), strict=True):
        if isinstance(result, ScrapedArticle):
            batch.articles.append(result)
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
    response = await fetcher.get(item.url, obey_robots=obeys_robots(source), guard=guard)
    html = decode_html(response.content, response.content_type).text
    page = extract_article(
        html, response.url, content_selector=source.content_selector, cms=source.cms
    )
    # Feed titles are written for readers; list-page titles are often cut short.
    title = item.title if source.kind == "feed" and item.title else page.title or item.title
    return ScrapedArticle(
        url=item.url,
        title=title,
        published_at=item.published_at or page.published_at,
        text=page.text or item.summary,
    )

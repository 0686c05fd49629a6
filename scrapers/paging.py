"""Walking a source's history page by page, for backfills.

HTML list pages lead to the next (older) page through, in this order: the source's or its
CMS preset's ``next_selector``; a ``<link rel="next">`` or ``<a rel="next">``; a
``page_url`` template (``list{page}.htm``) counted from the first list page; or the next
link ``scrapers.discover`` finds (下一页/下页/Next/>, VSB's pager, WebPlus ``list2.htm``,
TRS's ``createPageHTML`` script). A page whose next-page control leads nowhere we can
follow (a ``javascript:`` link while its counter says more pages follow) is an error, never
the end of the history. Feeds lead on
through their paging links where they have any: RFC 5005 ``next`` (paged feeds) or
``prev-archive`` (archived feeds), as ``atom:link`` elements.

Which items to keep and when to stop are the caller's business; this module fetches one
page and says what it lists and where the next one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser

from ieiwatch.config.schema import SourceConfig
from ieiwatch.scrapers.cms import get_preset
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.errors import HTTPStatusError, ParseError, SelectorMatchedNothing
from ieiwatch.scrapers.feed import parse_feed
from ieiwatch.scrapers.fetch import Fetcher
from ieiwatch.scrapers.list_finder import read_list
from ieiwatch.scrapers.listing import next_link, parse_list_page
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.next_page import next_page
from ieiwatch.scrapers.safety import LinkGuard, LinkPolicy
from ieiwatch.scrapers.source import list_selectors, needs_discovery, obeys_robots

REL_NEXT_SELECTOR = 'link[rel~="next"], a[rel~="next"]'
FEED_NEXT_RELS = ("next", "prev-archive")
"""Older entries of a paged feed (RFC 5005 §3) or an archived feed (§4), in that order."""
GONE = (404, 410)


class NextPageUnreachable(ParseError):
    """The page shows a next-page control that leads nowhere we can follow: stopping
    there would wrongly report the end of the history."""


@dataclass(frozen=True)
class Paging:
    """How a source's list pages link to older ones."""

    next_selector: str | None
    page_url: str | None
    """Template of page N >= 2: ``{page}`` is N, ``{index}`` N - 1, ``{ext}`` the first
    page's extension."""

    @classmethod
    def for_source(cls, source: SourceConfig) -> Paging:
        """The source's own keys, falling back to its CMS preset's."""
        preset = get_preset(source.cms) if source.cms else None
        return cls(
            next_selector=source.next_selector or (preset.next_selector if preset else None),
            page_url=source.page_url or (preset.page_url if preset else None),
        )


@dataclass(frozen=True)
class ListPage:
    url: str
    """As fetched (after redirects)."""
    number: int
    """1 for the source's own URL."""
    items: list[ListedItem]
    next_url: str | None
    """The next, older page; None at the end of the history."""
    gone: bool = False
    """The page does not exist (404/410): past the end of a counted series."""


def template_url(template: str, list_url: str, page: int) -> str:
    """URL of list page ``page`` (1-based) from a ``page_url`` template."""
    if page <= 1:
        return list_url
    filename = urlsplit(list_url).path.rsplit("/", 1)[-1]
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "html"
    return urljoin(list_url, template.format(page=page, index=page - 1, ext=ext))


def html_next_url(
    html: str, page_url: str, number: int, paging: Paging, list_url: str
) -> str | None:
    """The page after this one: a link on the page, else the template's next number, else
    the next link discovery finds.

    Raises ``NextPageUnreachable`` when the page has a next-page control we cannot follow.
    """
    for selector in (paging.next_selector, REL_NEXT_SELECTOR):
        if selector and (url := next_link(html, page_url, selector)):
            return url
    if paging.page_url:
        return template_url(paging.page_url, list_url, number + 1)
    found = next_page(html, page_url)
    if found is None or found.url is not None:
        return found.url if found else None
    raise NextPageUnreachable(
        page_url,
        f"page {number} has a next page we cannot follow ({found.how}); set the source's "
        "next_selector or page_url",
    )


def feed_next_url(content: bytes, base_url: str) -> str | None:
    """The feed's link to older entries (RFC 5005), if it has one."""
    links = feedparser.parse(content).feed.get("links", [])
    for rel in FEED_NEXT_RELS:
        for link in links:
            if link.get("rel") == rel and link.get("href"):
                url = urljoin(base_url, link["href"])
                return url if url != base_url else None
    return None


def parse_page(
    source: SourceConfig, content: bytes, content_type: str | None, url: str, number: int
) -> ListPage:
    """The items of one fetched page and the URL of the next."""
    if source.kind == "feed":
        items = parse_feed(content, content_type, url).items
        return ListPage(url, number, items, feed_next_url(content, url))
    html = decode_html(content, content_type).text
    try:
        items = _list_items(source, html, url)
    except SelectorMatchedNothing:
        if number == 1:
            raise
        items = []  # past the last page some sites answer with an empty template
    if not items:  # a page without items has nothing older after it, whatever its links say
        return ListPage(url, number, items, None)
    next_url = html_next_url(html, url, number, Paging.for_source(source), source.url)
    return ListPage(url, number, items, next_url)


def _list_items(source: SourceConfig, html: str, url: str) -> list[ListedItem]:
    if needs_discovery(source):
        # Each page found afresh: backfill walks each page once, nothing to keep.
        return read_list(html, url, None)[0]
    selectors = list_selectors(source)
    return parse_list_page(
        html,
        url,
        item_selector=selectors.item,
        link_selector=selectors.link,
        date_selector=selectors.date,
    )


async def fetch_page(fetcher: Fetcher, source: SourceConfig, url: str, number: int) -> ListPage:
    """Fetch and parse one page of the source's history.

    A later page that does not exist ends the history (a counted series has no "last page"
    marker); on the first page, as any other error, it raises ``ScrapeError``.
    """
    # Pages after the first are links found on the site: checked like article links.
    guard = LinkGuard(LinkPolicy.for_source(source)) if number > 1 else None
    try:
        response = await fetcher.get(url, obey_robots=obeys_robots(source), guard=guard)
    except HTTPStatusError as exc:
        if number > 1 and exc.status in GONE:
            return ListPage(url, number, [], None, gone=True)
        raise
    return parse_page(source, response.content, response.content_type, response.url, number)

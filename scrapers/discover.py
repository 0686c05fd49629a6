"""What a news page offers, found from the page alone: its feed, its CMS, its main news list
(the repeating block of article links with titles and dates, not the navigation, sidebars,
"hot news" boxes or footer) and the link to its next page.

``scrapers.list_finder`` finds the list, ``scrapers.next_page`` the next page; this module
fetches the page (and the feeds it may have), puts the findings together and writes them as
a config entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urljoin, urlsplit

from ieiwatch.domain import BEIJING
from ieiwatch.scrapers.cms import detect_cms
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.errors import NotAFeed, ScrapeError
from ieiwatch.scrapers.feed import parse_feed
from ieiwatch.scrapers.html import RECORDS_CLASS, parse_html
from ieiwatch.scrapers.list_finder import ListStructure, find_items, read_list
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.next_page import NextPage, next_page

if TYPE_CHECKING:  # the fetcher is passed in; importing it here would cost the HTTP stack
    from ieiwatch.scrapers.fetch import Fetcher

__all__ = ["Discovery", "ListStructure", "NextPage", "NothingFound", "discover", "read_list"]

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
COMMON_FEED_PATHS = ("/rss.xml", "/feed", "/atom.xml", "/index.xml")
"""Tried, in this order, when the page links no feed."""


@dataclass(frozen=True)
class Discovery:
    kind: Literal["feed", "html"]
    url: str
    """The feed's URL for a feed, else the page's (after redirects)."""
    cms: str | None = None
    structure: ListStructure | None = None
    items: list[ListedItem] = field(default_factory=list)
    next_page: NextPage | None = None

    def source_entry(self, name: str) -> dict[str, Any]:
        """A config entry for this source that works as written."""
        entry: dict[str, Any] = {"name": name, "kind": self.kind, "url": self.url}
        if self.kind == "feed":
            return entry
        if self.structure is not None and RECORDS_CLASS in self.structure.item_selector:
            # Items only in Hanweb's script records: no selector of the page reaches them,
            # so the source is left to discovery on each poll.
            return entry
        if self.cms:
            entry["cms"] = self.cms
        if self.structure is not None:
            entry |= {k: v for k, v in self.structure.to_dict().items() if v}
        if self.next_page is not None and self.next_page.selector:
            entry["next_selector"] = self.next_page.selector
        elif self.next_page is not None and self.next_page.page_url:
            entry["page_url"] = self.next_page.page_url
        return entry

    def as_json(self, name: str | None = None) -> dict[str, Any]:
        """The shape ``ieiwatch sources discover --json`` prints."""
        return {
            "kind": self.kind,
            "url": self.url,
            "cms": self.cms,
            "source": self.source_entry(name or source_name(self.url)),
            "items": [{"url": i.url, "title": i.title, "date": _day(i)} for i in self.items],
            "next_page": self.next_page.url if self.next_page else None,
        }


class NothingFound(ScrapeError):
    """The page links no feed and shows no list of dated article links."""


def _day(item: ListedItem) -> str | None:
    return item.published_at.astimezone(BEIJING).date().isoformat() if item.published_at else None


def source_name(url: str) -> str:
    """A config name from the URL: host without www, then the column's file stem."""
    parts = urlsplit(url)
    host = (parts.hostname or "source").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    stem = segments[-1].rsplit(".", 1)[0] if segments else ""
    if stem in ("index", "list", "main", "") and len(segments) > 1:
        stem = segments[-2]
    name = f"{host}-{stem}" if stem and stem not in ("index", "list", "main") else host
    return re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-.") or "source"


async def discover(fetcher: Fetcher, url: str) -> Discovery:
    """Fetch ``url`` and find its feed, or else its CMS, news list and next page.

    Raises ``NothingFound`` when there is neither; fetch errors as ``ScrapeError``.
    """
    response = await fetcher.get(url)
    if _looks_like_feed(response.content, response.content_type):
        items = _feed_items(response.content, response.content_type, response.url)
        if items is not None:
            return Discovery("feed", response.url, items=items)
    html = decode_html(response.content, response.content_type).text
    for feed_url in [*feed_links(html, response.url), *_common_feed_urls(response.url)]:
        found = await _try_feed(fetcher, feed_url)
        if found is not None:
            return found
    result = discover_page(html, response.url)
    if result.structure is None:
        raise NothingFound(response.url, "no feed and no list of dated article links found")
    return result


async def _try_feed(fetcher: Fetcher, url: str) -> Discovery | None:
    try:
        response = await fetcher.get(url)
    except ScrapeError:
        return None
    items = _feed_items(response.content, response.content_type, response.url)
    return Discovery("feed", response.url, items=items) if items else None


def _feed_items(content: bytes, content_type: str | None, url: str) -> list[ListedItem] | None:
    try:
        return parse_feed(content, content_type, url).items
    except NotAFeed:
        return None


def _looks_like_feed(content: bytes, content_type: str | None) -> bool:
    head = content[:500].lstrip().lower()
    kind = (content_type or "").lower()
    return (
        "xml" in kind
        or "rss" in kind
        or "atom" in kind
        or head.startswith(b"<?xml")
        or head.startswith(b"<rss")
        or head.startswith(b"<feed")
    )


def feed_links(html: str, base_url: str) -> list[str]:
    """The feeds the page announces with ``<link rel="alternate" type="...">``."""
    root = parse_html(html)
    if root is None:
        return []
    found = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        if "alternate" in rels and kind in FEED_TYPES and link.get("href"):
            found.append(urljoin(base_url, link.get("href").strip()))
    return found


def _common_feed_urls(page_url: str) -> list[str]:
    return [urljoin(page_url, path) for path in COMMON_FEED_PATHS]


def discover_page(html: str, url: str) -> Discovery:
    """The CMS, main list and next page of an HTML page (no feed lookup, no fetching)."""
    structure, items = find_items(html, url)
    return Discovery("html", url, detect_cms(html), structure, items, next_page(html, url))

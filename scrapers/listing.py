"""HTML news-list pages: the configured selectors pick one element per item."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import lxml.html

from ieiwatch.scrapers.dates import find_all_dates, parse_cn_datetime
from ieiwatch.scrapers.errors import SelectorMatchedNothing
from ieiwatch.scrapers.html import css_select, document_base, parse_html, plain_text, unwrap_records
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.urls import InvalidLink, canonicalize

MAX_LIST_ITEMS = 1000
"""Items read from one list page or feed. News lists show 20–100; a page of 100,000 links
is a dump or an attack, and reading it whole would hold the event loop for seconds."""


class ListEntry(NamedTuple):
    url: str
    """Absolute."""
    title: str
    date_text: str | None


def parse_list_page(
    html: str,
    base_url: str,
    *,
    item_selector: str,
    link_selector: str = "a",
    date_selector: str | None = None,
    skipped: list[str] | None = None,
) -> list[ListedItem]:
    """The page's news items, or ``SelectorMatchedNothing`` when the layout has changed.

    An item whose link no request can be made for (port 99999) is left out, with a line in
    ``skipped`` when given."""
    entries = list_entries(html, base_url, item_selector, link_selector, date_selector, skipped)
    if not entries and not _matches(html, item_selector):
        raise SelectorMatchedNothing(base_url, f"item_selector {item_selector!r} matched nothing")
    return [
        ListedItem(
            url=canonicalize(e.url),
            title=e.title,
            published_at=parse_cn_datetime(e.date_text) if e.date_text else None,
        )
        for e in entries
    ]


def list_entries(
    html: str,
    base_url: str,
    item_selector: str,
    link_selector: str,
    date_selector: str | None,
    skipped: list[str] | None = None,
) -> list[ListEntry]:
    """(absolute url, title, date text) of each item, in page order.

    Templates reuse the news-list markup for footer link boxes; when some lists carry dates,
    items of lists (same parent element) without a single date are dropped.
    """
    root = parse_html(unwrap_records(html))
    if root is None:
        return []
    base_url = document_base(root, base_url)
    entries: list[tuple[object, ListEntry]] = []
    seen: set[str] = set()
    items = css_select(root, item_selector)
    if len(items) > MAX_LIST_ITEMS and skipped is not None:
        skipped.append(f"{len(items)} items listed; only the first {MAX_LIST_ITEMS} are read")
    for item in items[:MAX_LIST_ITEMS]:
        link = _item_link(item, link_selector)
        try:
            url = _http_url(base_url, link.get("href")) if link is not None else None
        except InvalidLink as exc:
            if skipped is not None:
                skipped.append(str(exc))
            continue
        if link is None or url is None or url in seen:
            continue
        seen.add(url)
        entry = ListEntry(url, _link_title(link), _item_date(item, date_selector))
        entries.append((item.getparent(), entry))
    dated_lists = {id(parent) for parent, entry in entries if entry.date_text}
    return [entry for parent, entry in entries if not dated_lists or id(parent) in dated_lists]


def next_link(html: str, base_url: str, next_selector: str) -> str | None:
    """The absolute URL of the next list page, if the page links one."""
    root = parse_html(html)
    if root is None:
        return None
    links = css_select(root, next_selector)
    try:
        url = _http_url(base_url, links[0].get("href")) if links else None
    except InvalidLink:
        return None
    return url if url != base_url else None


def _matches(html: str, selector: str) -> bool:
    root = parse_html(html)
    return root is not None and bool(css_select(root, selector))


def _item_link(item: lxml.html.HtmlElement, selector: str) -> lxml.html.HtmlElement | None:
    if item.tag == "a" and item.get("href"):
        return item
    links = css_select(item, selector)
    if links:
        return links[0]
    return next((a for a in item.iter("a") if a.get("href")), None)


def _http_url(base_url: str, href: str | None) -> str | None:
    """The absolute http(s) URL of a link, None for other schemes; ``InvalidLink`` when no
    request can be made for it."""
    if not href or not href.strip():
        return None
    canonicalize(href, base_url)  # raises InvalidLink for a port of 99999, a broken IPv6
    url = urljoin(base_url, href.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None  # not javascript:


def _link_title(link: lxml.html.HtmlElement) -> str:
    text = plain_text(link)
    attr = " ".join((link.get("title") or "").split())
    # The title attribute holds the full title when the visible one is cut to "…".
    return attr if attr and len(attr) >= len(text) else text


def _item_date(item: lxml.html.HtmlElement, date_selector: str | None) -> str | None:
    candidates = css_select(item, date_selector) if date_selector else []
    for element in [*candidates, item]:
        text = plain_text(element)
        found = find_all_dates(text)
        if found:
            return text[found[0].start : found[0].end]
    return None

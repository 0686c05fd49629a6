"""Reading a fetched listing (a feed or a list page) into its items.

A pure function of the listing's bytes and the source's rules, with no fetching, so that
a worker process can do it: parsing a feed is the most CPU a pass spends per source in the
process that fetches.
"""

from __future__ import annotations

from dataclasses import dataclass

from ieiwatch.scrapers.discover import ListStructure, read_list
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.feed import parse_feed, skipped_note
from ieiwatch.scrapers.listing import parse_list_page
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.page import RawPage


@dataclass(frozen=True)
class ListSelectors:
    item: str
    link: str
    date: str | None


@dataclass(frozen=True)
class ListRules:
    """How a source's listing is read: a feed, a list page with ``selectors``, or (neither)
    a list page whose list is found by ``scrapers.discover``."""

    feed: bool
    selectors: ListSelectors | None = None


@dataclass(frozen=True)
class ReadListing:
    items: list[ListedItem]
    warning: str | None = None
    structure: ListStructure | None = None
    """The list found on a source without selectors: to keep for the next poll."""


def read_listing(rules: ListRules, page: RawPage, structure: ListStructure | None) -> ReadListing:
    """The listing's items; ``structure`` is the list found on an earlier poll of a source
    without selectors, reused while it matches."""
    if rules.feed:
        parsed = parse_feed(page.content, page.content_type, page.url)
        return ReadListing(parsed.items, parsed.warning)
    html = decode_html(page.content, page.content_type).text
    if rules.selectors is None:
        items, found = read_list(html, page.url, structure)
        return ReadListing(items, structure=found)
    skipped: list[str] = []
    items = parse_list_page(
        html,
        page.url,
        item_selector=rules.selectors.item,
        link_selector=rules.selectors.link,
        date_selector=rules.selectors.date,
        skipped=skipped,
    )
    return ReadListing(items, "; ".join(skipped_note(skipped)) or None)

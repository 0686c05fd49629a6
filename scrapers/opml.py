"""OPML, the feed-list format feed readers import and export (OPML 2.0, opml.org/spec2).

Reading takes every ``outline`` with an ``xmlUrl``, however deeply categories nest them;
entities are not expanded and nothing is fetched while parsing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from ieiwatch.domain import IeiwatchError
from ieiwatch.domain.text import clean_line
from ieiwatch.scrapers.discover import source_name
from ieiwatch.scrapers.urls import is_http_url


class OpmlError(IeiwatchError, ValueError):
    """The file is not OPML we can read."""


@dataclass(frozen=True)
class FeedOutline:
    title: str
    xml_url: str
    html_url: str | None = None


def read_opml(content: bytes) -> list[FeedOutline]:
    """The feeds an OPML file lists, in document order, each URL once."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"not an OPML file: {exc}") from None
    if root.tag != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{root.tag}>, not <opml>")
    feeds: list[FeedOutline] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url or url in seen or not is_http_url(url):
            continue
        seen.add(url)
        title = clean_line(outline.get("title") or outline.get("text") or "")
        feeds.append(FeedOutline(title, url, (outline.get("htmlUrl") or "").strip() or None))
    return feeds


def write_opml(feeds: Sequence[FeedOutline], title: str, now: datetime | None = None) -> str:
    """An OPML 2.0 document listing the feeds."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = etree.SubElement(root, "body")
    for feed in feeds:
        outline = etree.SubElement(
            body, "outline", type="rss", text=feed.title, title=feed.title, xmlUrl=feed.xml_url
        )
        if feed.html_url:
            outline.set("htmlUrl", feed.html_url)
    text: str = etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text


def feed_entries(
    feeds: Sequence[FeedOutline], names: set[str], urls: set[str]
) -> list[dict[str, str]]:
    """Config entries for the feeds not configured yet (by URL), with fresh names."""
    entries = []
    taken = set(names)
    for feed in feeds:
        if feed.xml_url in urls:
            continue
        name = unique_name(source_name(feed.xml_url), taken)
        taken.add(name)
        entries.append({"name": name, "kind": "feed", "url": feed.xml_url})
    return entries


def unique_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"

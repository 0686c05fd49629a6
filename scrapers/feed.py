"""RSS/Atom/JSON feeds: bytes in, ``ListedItem``s out (feedparser does the parsing)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from ieiwatch.scrapers.dates import parse_cn_datetime
from ieiwatch.scrapers.encoding import charset_from_content_type
from ieiwatch.scrapers.errors import NotAFeed
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.urls import canonicalize, is_http_url

_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([^\"']+)", re.IGNORECASE)
# feedparser reports these for feeds it still read correctly.
_HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True)
class ParsedFeed:
    items: list[ListedItem]
    warning: str | None
    """The problem feedparser found in a feed it could still read (bozo with entries)."""


def parse_feed(content: bytes, content_type: str | None, base_url: str) -> ParsedFeed:
    headers = {
        "content-type": _content_type_with_charset(content, content_type),
        "content-location": base_url,
    }
    parsed = feedparser.parse(content, response_headers=headers)
    problem = parsed.get("bozo_exception")
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise NotAFeed(base_url, f"not a readable RSS/Atom feed ({problem or 'no feed elements'})")
    items = [_item(entry, base_url) for entry in parsed.entries]
    warning = None
    if parsed.bozo and not isinstance(problem, _HARMLESS_BOZO):
        warning = f"{type(problem).__name__}: {problem}"
    return ParsedFeed([item for item in items if item is not None], warning)


def _content_type_with_charset(content: bytes, content_type: str | None) -> str:
    """Name the charset when neither the header nor the XML declaration does.

    Without it feedparser falls back to windows-1252 and silently garbles GBK feeds.
    """
    content_type = content_type or "application/xml"
    if charset_from_content_type(content_type) or _XML_DECL_ENCODING.match(content[:200]):
        return content_type
    try:
        content.decode("utf-8")
        return content_type
    except UnicodeDecodeError:
        best = from_bytes(content).best()
        if best is None:
            return content_type
        return f"{content_type.split(';')[0]}; charset={best.encoding}"


def _item(entry: Any, base_url: str) -> ListedItem | None:
    link = entry.get("link") or _first_alternate(entry)
    if not link:
        return None
    url = canonicalize(link, base_url)
    if not is_http_url(url):
        return None
    return ListedItem(
        url=url,
        title=_plain(entry.get("title", "")),
        published_at=_entry_date(entry),
        summary=_plain(_entry_body(entry)),
    )


def _first_alternate(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _entry_body(entry: Any) -> str:
    contents = entry.get("content") or []
    if contents:
        return contents[0].get("value", "")
    return entry.get("summary", "")


def _entry_date(entry: Any) -> datetime | None:
    raw = entry.get("published") or entry.get("updated") or ""
    if "年" in raw:
        # feedparser's own parsers turn 2024年11月06日 into 1 November without complaint.
        return parse_cn_datetime(raw)
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return parse_cn_datetime(raw) if raw else None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _plain(markup: str) -> str:
    """Text only: feed titles of type text/plain are not sanitised by feedparser."""
    if "<" not in markup and "&" not in markup:
        return markup.strip()
    text = BeautifulSoup(markup, "lxml").get_text(" ")
    return re.sub(r"\s+", " ", text).strip()

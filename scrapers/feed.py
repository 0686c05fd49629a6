"""RSS/Atom/JSON feeds: bytes in, ``ListedItem``s out (feedparser does the parsing).

The bytes are decoded here (``encoding.decode_feed``), not by feedparser, which trusts a
declared charset over the bytes and reads undeclared GBK as windows-1252. One entry with a
link no request can be made for is skipped with a note; the others are kept.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ieiwatch.scrapers.dates import parse_cn_datetime
from ieiwatch.scrapers.encoding import decode_feed
from ieiwatch.scrapers.errors import NotAFeed
from ieiwatch.scrapers.listing import MAX_LIST_ITEMS
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.urls import INVALID_LINK, InvalidLink, canonicalize, is_http_url

_XML_DECL_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([^\"']+)", re.IGNORECASE)
MAX_NOTES = 5
"""Skipped entries named one by one in the warning; the rest are counted."""


@dataclass(frozen=True)
class ParsedFeed:
    items: list[ListedItem]
    warning: str | None
    """The problem feedparser found in a feed it could still read (bozo with entries)."""


def parse_feed(content: bytes, content_type: str | None, base_url: str) -> ParsedFeed:
    # Imported here: the process that fetches and stores hands feeds to the page pool's
    # workers (which load feedparser and bs4 before their first page), so a one-shot run
    # does not pay for them.
    import feedparser

    text = decode_feed(content, content_type).text
    # feedparser gets UTF-8 that says so everywhere, so it cannot second-guess the decoding.
    text = _XML_DECL_ENCODING.sub(r"\1utf-8", text, count=1)
    media_type = (content_type or "application/xml").split(";")[0].strip()
    headers = {"content-type": f"{media_type}; charset=utf-8", "content-location": base_url}
    parsed = feedparser.parse(text.encode("utf-8"), response_headers=headers)
    problem = parsed.get("bozo_exception")
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise NotAFeed(base_url, f"not a readable RSS/Atom feed ({problem or 'no feed elements'})")
    items: list[ListedItem] = []
    skipped: list[str] = []
    if len(parsed.entries) > MAX_LIST_ITEMS:
        skipped.append(f"{len(parsed.entries)} entries; only the first {MAX_LIST_ITEMS} are read")
    for entry in parsed.entries[:MAX_LIST_ITEMS]:
        try:
            item = _item(entry, base_url)
        except InvalidLink as exc:
            skipped.append(str(exc))
            continue
        if item is not None:
            items.append(item)
    notes = []
    # feedparser reports these for feeds it still read correctly.
    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.bozo and not isinstance(problem, harmless):
        notes.append(f"{type(problem).__name__}: {problem}")
    notes += skipped_note(skipped)
    return ParsedFeed(items, "; ".join(notes) or None)


def skipped_note(skipped: list[str]) -> list[str]:
    """The notes on a listing's skipped items: one naming the first few bad links and
    counting the rest, then any other note (a cut-off list) as it is."""
    bad = [s for s in skipped if s.startswith(INVALID_LINK)]
    notes = [s for s in skipped if not s.startswith(INVALID_LINK)]
    if bad:
        more = f" and {len(bad) - MAX_NOTES} more" if len(bad) > MAX_NOTES else ""
        notes.insert(0, f"skipped {len(bad)} item(s): {'; '.join(bad[:MAX_NOTES])}{more}")
    return notes


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
    from bs4 import BeautifulSoup  # as feedparser in parse_feed

    text = BeautifulSoup(markup, "lxml").get_text(" ")
    return re.sub(r"\s+", " ", text).strip()

"""What the scrapers produce, whatever the kind of source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ListedItem:
    """One entry of a feed or of an HTML list page, before its article page is fetched."""

    url: str
    """Absolute and canonical."""
    title: str
    published_at: datetime | None = None
    summary: str = ""
    """Plain text a feed carries for the entry; used when the article page cannot be read."""


@dataclass(frozen=True)
class ScrapedArticle:
    url: str
    title: str
    published_at: datetime | None
    text: str

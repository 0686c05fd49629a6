"""What the scrapers produce, whatever the kind of source.

Web text enters ieiwatch here: every title and text is cleaned and capped by the domain's
sanitiser when one of these is made (NUL, terminal escapes, bidi overrides out; titles at
``MAX_TITLE_CHARS``, bodies at ``MAX_TEXT_CHARS``), so no later step (classifier, storage,
mail encoder) ever sees a megabyte title or a byte PostgreSQL refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ieiwatch.domain.text import clean_line, clean_text


@dataclass(frozen=True)
class ListedItem:
    """One entry of a feed or of an HTML list page, before its article page is fetched."""

    url: str
    """Absolute and canonical."""
    title: str
    published_at: datetime | None = None
    summary: str = ""
    """Plain text a feed carries for the entry; used when the article page cannot be read."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean_line(self.title))
        object.__setattr__(self, "summary", clean_text(self.summary))


@dataclass(frozen=True)
class ScrapedArticle:
    url: str
    title: str
    published_at: datetime | None
    text: str
    site_names: tuple[str, ...] = ()
    """What its page calls the site (``scrapers.article.ArticleContent.site_names``); none
    for an article made from a feed alone."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", clean_line(self.title))
        object.__setattr__(self, "text", clean_text(self.text))

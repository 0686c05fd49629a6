"""An article page's bytes → the article: decoding, extraction, the page's ``<title>``.

Pure and picklable, and importing neither the config nor httpx, so that a pass can read
pages in worker processes (``flows.ingest``) while its event loop goes on fetching.
"""

from __future__ import annotations

from dataclasses import dataclass

from ieiwatch.scrapers.article import TitleHints, extract_article, page_title
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle


@dataclass(frozen=True)
class ReadOptions:
    """What a source's config says about reading its pages."""

    content_selector: str | None = None
    cms: str | None = None
    titled_by_listing: bool = False
    """The listing's title is the article's (feed titles are written for readers; list-page
    titles are often cut short)."""


@dataclass(frozen=True)
class PageRead:
    article: ScrapedArticle
    page_title: str
    """The page's ``<title>``: when several of a source's pages share it, it names the site."""


def read_page(
    content: bytes, content_type: str | None, url: str, item: ListedItem, options: ReadOptions
) -> PageRead:
    html = decode_html(content, content_type).text
    return PageRead(extract(html, url, item, options), page_title(html))


def reread_page(
    content: bytes,
    content_type: str | None,
    url: str,
    item: ListedItem,
    options: ReadOptions,
    site_names: frozenset[str],
) -> ScrapedArticle:
    """The page read again once the site's names are known, so none is taken for its title."""
    return extract(decode_html(content, content_type).text, url, item, options, site_names)


def extract(
    html: str,
    url: str,
    item: ListedItem,
    options: ReadOptions,
    site_names: frozenset[str] = frozenset(),
) -> ScrapedArticle:
    # The page's headline first; the list's link text confirms it, and stands in for it.
    hints = TitleHints(link_text=item.title, site_names=site_names)
    page = extract_article(
        html, url, content_selector=options.content_selector, cms=options.cms, hints=hints
    )
    title = item.title if options.titled_by_listing and item.title else page.title or item.title
    return ScrapedArticle(
        url=item.url,
        title=title,
        published_at=item.published_at or page.published_at,
        text=page.text or item.summary,
    )

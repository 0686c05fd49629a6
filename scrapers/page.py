"""Read a fetched article page: decode its bytes, extract the article, note its <title>.

Everything here is plain data in and out, small enough to send to another process: the
ingest step reads a source's pages in its worker processes, beside their classification,
so that parsing HTML neither holds up fetching nor leaves the other cores idle.
"""

from __future__ import annotations

from dataclasses import dataclass

from ieiwatch.scrapers.article import TitleHints, extract_article, page_title
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle


@dataclass(frozen=True)
class RawPage:
    """A page as fetched: an article, or a listing (a feed or a list page)."""

    url: str
    """Where it was read from, after redirects."""
    content: bytes
    content_type: str | None


@dataclass(frozen=True)
class PageRules:
    """What a source's configuration says about reading its article pages."""

    content_selector: str | None = None
    cms: str | None = None
    listing_titles: bool = False
    """The listing's title is the article's, where it gives one: a feed's titles are written
    for readers, a list page's are often cut short."""


@dataclass(frozen=True)
class ReadPage:
    article: ScrapedArticle
    page_title: str
    """The page's ``<title>``: one that several pages of a source share names the site."""


def read_page(
    rules: PageRules,
    item: ListedItem,
    page: RawPage,
    site_names: frozenset[str] = frozenset(),
) -> ReadPage:
    """The article of ``item``'s page; raises ValueError for an unknown CMS preset or an
    invalid content selector."""
    html = decode_html(page.content, page.content_type).text
    # The page's headline first; the list's link text confirms it, and stands in for it.
    hints = TitleHints(link_text=item.title, site_names=site_names)
    content = extract_article(
        html, page.url, content_selector=rules.content_selector, cms=rules.cms, hints=hints
    )
    title = item.title if titled_by_listing(rules, item) else content.title or item.title
    article = ScrapedArticle(
        url=item.url,
        title=title,
        published_at=item.published_at or content.published_at,
        text=content.text or item.summary,
        site_names=content.site_names,
    )
    return ReadPage(article, page_title(html))


def titled_by_listing(rules: PageRules, item: ListedItem) -> bool:
    return rules.listing_titles and bool(item.title)

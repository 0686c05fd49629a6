"""HTML news-list pages: the configured selectors pick one element per item."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from ieiwatch.scrapers.dates import parse_cn_datetime
from ieiwatch.scrapers.errors import SelectorMatchedNothing
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.urls import canonicalize, is_http_url


def parse_list_page(
    html: str,
    base_url: str,
    *,
    item_selector: str,
    link_selector: str = "a",
    date_selector: str | None = None,
) -> list[ListedItem]:
    soup = BeautifulSoup(html, "lxml")
    elements = soup.select(item_selector)
    if not elements:
        raise SelectorMatchedNothing(base_url, f"item_selector {item_selector!r} matched nothing")
    base = _document_base(soup, base_url)
    items: dict[str, ListedItem] = {}
    for element in elements:
        item = _item(element, base, link_selector, date_selector)
        if item and item.url not in items:
            items[item.url] = item
    return list(items.values())


def _document_base(soup: BeautifulSoup, page_url: str) -> str:
    base = soup.find("base", href=True)
    return canonicalize(str(base["href"]), page_url) if isinstance(base, Tag) else page_url


def _item(
    element: Tag, base: str, link_selector: str, date_selector: str | None
) -> ListedItem | None:
    link = element if element.name == "a" else element.select_one(link_selector)
    href = link.get("href") if link else None
    if not isinstance(href, str) or not href.strip():
        return None
    url = canonicalize(href, base)
    if not is_http_url(url):  # javascript:, mailto: and the like
        return None
    title = str(link.get("title") or "").strip() or link.get_text(" ", strip=True)
    published = None
    if date_selector and (date_el := element.select_one(date_selector)):
        published = parse_cn_datetime(date_el.get_text(" ", strip=True))
    return ListedItem(url=url, title=title, published_at=published)

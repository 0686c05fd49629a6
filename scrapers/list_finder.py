"""A list page's main news list: the repeating block of article links with titles and dates,
not the navigation, sidebars, "hot news" boxes or footer.

Every group of same-tag siblings holding article links is scored: many items, most of them
dated, with real titles, linking to article-like URLs, and not inside a navigation,
sidebar, ranking or footer block; a list cut into blocks (five items per ``ul``) counts as
one. The winner is written as CSS selectors (``ListStructure``) that ``extract_items``
applies again on later polls and that work as ``item_selector``/``date_selector`` in the
config file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from ieiwatch.domain import BEIJING
from ieiwatch.scrapers.dates import date_from_url, has_year, list_date
from ieiwatch.scrapers.errors import SelectorMatchedNothing
from ieiwatch.scrapers.html import (
    css_select,
    document_base,
    parse_html,
    plain_text,
    unwrap_records,
)
from ieiwatch.scrapers.models import ListedItem
from ieiwatch.scrapers.urls import canonicalize

MIN_ITEMS = 3
MIN_TITLE_CHARS = 5
MAX_ITEMS = 1000
"""Items read from one page at most, as ``scrapers.listing`` reads."""

"""The element Hanweb's script records are unwrapped into."""
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
# Class and id words of blocks that hold links but are not the news list.
_NOT_LIST_WORDS = re.compile(
    r"nav|menu|foot|copyright|sidebar|aside|hot|rank|paihang|friend|yqlj|banner|header|"
    r"crumb|position|location|dqwz|search|login|share|tab_?title|toolbar|quick"
)
_MARKUP = re.compile(r"<[^<>]*>")
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOT_LIST_TAGS = {"nav", "footer", "header", "aside", "select", "form"}
_SUBLIST_TAGS = {"ul", "ol", "li", "dl"}
# Article URLs of the usual CMSes: /info/1002/1234.htm, /t20240324_123.html,
# /art/2024/3/24/art_1_2.html, /c1234a5678/page.htm, content_123.html, or a long number.
_ARTICLE_URL = re.compile(
    r"/info/\d+/\d+|/t20\d{6}_\d+|/art/20\d\d/|/c\d+a\d+/|content_\d+|/\d{5,}\.s?html?$|"
    r"/20\d{2}[-/]?\d{2}|[?&](?:id|newsid|articleid|wbnewsid)=\d+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ListStructure:
    """Where a list page's items are: what is stored per source between polls."""

    item_selector: str
    link_selector: str | None = None
    """The title link inside an item; None: the item's link with the longest title."""
    date_selector: str | None = None
    """The date inside an item; None: the item's text outside its title."""

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListStructure:
        return cls(
            item_selector=str(data["item_selector"]),
            link_selector=data.get("link_selector"),
            date_selector=data.get("date_selector"),
        )


# --- the main list -------------------------------------------------------------------


@dataclass
class _Record:
    element: lxml.html.HtmlElement
    link: lxml.html.HtmlElement
    url: str
    title: str
    date_element: lxml.html.HtmlElement | None
    date_text: str | None


@dataclass
class _Group:
    parent: lxml.html.HtmlElement
    tag: str
    records: list[_Record]
    siblings: int
    score: float = 0.0
    parents: list[lxml.html.HtmlElement] = field(default_factory=list)
    """Every block of a list cut into blocks (``parent`` is the first)."""


def find_list(root: lxml.html.HtmlElement, base_url: str) -> ListStructure | None:
    """The selectors of the page's main news list, or None when it has none."""
    best: _Group | None = None
    for group in _merged(_groups(root, base_url)):
        group.score = _score(group)
        if best is None or group.score > best.score:
            best = group
    if best is None or best.score <= 0:
        return None
    return _structure(root, best)


def _groups(root: lxml.html.HtmlElement, base_url: str) -> Iterator[_Group]:
    for parent in root.iter():
        if not isinstance(parent.tag, str) or parent.tag in ("head", "script", "style", "select"):
            continue
        by_tag: dict[str, list[lxml.html.HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                by_tag.setdefault(child.tag, []).append(child)
        for tag, all_children in by_tag.items():
            if len(all_children) < MIN_ITEMS or tag in ("script", "style", "option", "br"):
                continue
            children = all_children[:MAX_ITEMS]  # a hostile page's 100,000 items: a sample
            records = [r for c in children if (r := _record(c, base_url)) is not None]
            if len(records) >= MIN_ITEMS:
                yield _Group(parent, tag, records, len(children))


def _merged(groups: Iterator[_Group]) -> list[_Group]:
    """Lists cut into blocks (five items per ``ul``, the ``ul``s side by side) as one."""
    merged: dict[tuple[int, str, str, str], _Group] = {}
    for group in groups:
        group.parents = [group.parent]
        up = [*group.parent.iterancestors()][:2]
        if len(up) < 2:
            merged[(id(group), "", "", "")] = group
            continue
        key = (id(up[1]), simple_selector(up[0]), simple_selector(group.parent), group.tag)
        if key not in merged:
            merged[key] = group
            continue
        first = merged[key]
        first.records += group.records
        first.siblings += group.siblings
        first.parents.append(group.parent)
    return list(merged.values())


def _record(element: lxml.html.HtmlElement, base_url: str) -> _Record | None:
    links = [element] if element.tag == "a" else list(element.iter("a"))
    best: tuple[lxml.html.HtmlElement, str, str] | None = None
    best_rank = (False, -1)
    for link in links:
        url = http_url(base_url, link.get("href"))
        if url is None:
            continue
        title = _title(link)
        # A list inside the item (its 相关解读 links) belongs to the item: its links are
        # not the item's title while a titled link stands outside it.
        own = len(title) >= MIN_TITLE_CHARS and not _in_sublist(link, element)
        rank = (own, _title_rank(link, title, element))
        if rank > best_rank:
            best, best_rank = (link, url, title), rank
    if best is None or len(best[2]) < MIN_TITLE_CHARS or (list_date(best[2]) and _is_date(best[2])):
        return None
    link, url, title = best
    date_element, date_text = _date_of(element, link)
    if date_element is not None and _inside(date_element, link):
        title = _title(link, without=date_element)
    return _Record(element, link, url, title, date_element, date_text)


def _in_sublist(link: lxml.html.HtmlElement, record: lxml.html.HtmlElement) -> bool:
    """Whether the link sits in a list nested inside the record."""
    for e in link.iterancestors():
        if e is record:
            return False
        if e.tag in _SUBLIST_TAGS:
            return True
    return False


def _title_rank(link: lxml.html.HtmlElement, title: str, record: lxml.html.HtmlElement) -> int:
    """How much a link looks like the item's title link: marked as a title (a heading, a
    "title" class, a title attribute) before long; a summary linked too is long, unmarked."""
    rank = min(len(title), 200) + (1000 if link.get("title") is not None else 0)
    for e in [link, *link.iterancestors()]:
        if e.tag in _HEADINGS or "tit" in (e.get("class") or "").lower():
            return rank + 2000
        if e is record:
            break
    return rank


def _is_date(text: str) -> bool:
    return len(re.sub(r"[\d\s\-/.:年月日\[\]【】()（）]", "", text)) == 0


def _title(link: lxml.html.HtmlElement, without: lxml.html.HtmlElement | None = None) -> str:
    # Joined as written: a keyword in <em> or <font> is part of its word, not a new one.
    text = _inline_text(link)
    if without is not None:
        text = " ".join(text.replace(_inline_text(without), " ", 1).split())
    # Some templates write markup into the attribute: title="…<br>（央视《新闻联播》）".
    attr = " ".join(_MARKUP.sub(" ", link.get("title") or "").split())
    # The title attribute holds the full title when the visible one is cut to "…".
    cut = text.rstrip(".…· ")
    return attr if attr and len(attr) >= len(cut) and not _is_date(attr) else text


def _inline_text(element: lxml.html.HtmlElement) -> str:
    return " ".join("".join(element.itertext()).split())


def _inside(element: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    return any(a is ancestor for a in element.iterancestors())


def _date_of(
    record: lxml.html.HtmlElement, link: lxml.html.HtmlElement
) -> tuple[lxml.html.HtmlElement | None, str | None]:
    """The smallest element of the record (outside the title's own text) holding a date."""
    found: tuple[lxml.html.HtmlElement, str] | None = None
    for element in record.iter():
        if not isinstance(element.tag, str) or element is record or element is link:
            continue
        if _inside(link, element):
            continue  # an ancestor of the title: its text is mostly the title
        text = plain_text(element)
        dated = bool(text) and len(text) <= 40 and list_date(text) is not None
        if dated and (found is None or _inside(element, found[0])):
            found = (element, text)
    if found is not None:
        return found
    rest = plain_text(record).replace(plain_text(link), " ", 1)
    return (None, rest) if list_date(rest) is not None else (None, None)


def _score(group: _Group) -> float:
    records = group.records
    n = len(records)
    urls = {r.url for r in records}
    if len(urls) < MIN_ITEMS:
        return 0.0
    dated = sum(1 for r in records if r.date_text) / n
    article_like = sum(1 for r in records if _ARTICLE_URL.search(r.url)) / n
    title_length = sum(min(len(r.title), 40) for r in records) / n
    score = n * (0.25 + dated) * min(max(title_length / 10, 0.25), 1.0) * (1 + article_like)
    score *= len(urls) / n  # repeated links: a menu or a slideshow
    # Links to sites' home pages (http://other.gov.cn/): a "related sites" block, not news.
    home = sum(1 for r in records if urlsplit(r.url).path in ("", "/")) / n
    score *= 1 - 0.8 * home
    score *= n / group.siblings  # many same-tag siblings without a link: not a list of links
    links = sum(_link_count(r.element) for r in records) / n
    if links > 3:  # each "item" a block of links: the list is inside them
        score *= 0.3
    if _not_a_list(group.parent):
        score *= 0.2
    return score


def _link_count(element: lxml.html.HtmlElement) -> int:
    """Distinct link targets: an item links its title, picture and "全文" to one page."""
    if element.tag == "a":
        return 1
    return len({a.get("href", "").strip() for a in element.iter("a") if a.get("href")})


def _not_a_list(element: lxml.html.HtmlElement) -> bool:
    for e in [element, *element.iterancestors()]:
        if e.tag in _NOT_LIST_TAGS:
            return True
        words = f"{e.get('class') or ''} {e.get('id') or ''}".lower()
        if words.strip() and _NOT_LIST_WORDS.search(words):
            return True
    return False


# --- selectors -----------------------------------------------------------------------


def simple_selector(element: lxml.html.HtmlElement) -> str:
    ident = element.get("id")
    if ident and _IDENT.match(ident) and not re.search(r"\d{3,}", ident):
        return f"{element.tag}#{ident}"
    classes = [c for c in (element.get("class") or "").split() if _IDENT.match(c)]
    return element.tag + "".join(f".{c}" for c in classes)


def _structure(root: lxml.html.HtmlElement, group: _Group) -> ListStructure:
    wanted = [r.element for r in group.records]
    item = _item_selector(root, group, wanted)
    return ListStructure(item, _link_selector(group), _date_selector(group))


def _item_selector(
    root: lxml.html.HtmlElement, group: _Group, wanted: list[lxml.html.HtmlElement]
) -> str:
    """The shortest ancestor chain that selects the group's items and nothing else (items of
    sibling lists with the same markup, a list cut into blocks, are welcome)."""
    wanted_ids = {id(e) for e in wanted}
    parents = {id(p) for p in group.parents}
    chain = [simple_selector(group.parent)]
    ancestors = list(group.parent.iterancestors())
    for level in range(len(ancestors) + 1):
        selector = f"{' > '.join(chain)} > {group.tag}"
        matched = css_select(root, selector)
        matched_ids = {id(e) for e in matched}
        if wanted_ids <= matched_ids and all(id(e.getparent()) in parents for e in matched):
            return selector
        if level < len(ancestors):
            chain.insert(0, simple_selector(ancestors[level]))
    return _nth_path(group.parent) + f" > {group.tag}"


def _nth_path(element: lxml.html.HtmlElement) -> str:
    parts = []
    for e in [element, *element.iterancestors()]:
        parent = e.getparent()
        if parent is None:
            parts.append(e.tag)
            break
        same = [c for c in parent if c.tag == e.tag]
        parts.append(f"{e.tag}:nth-of-type({same.index(e) + 1})" if len(same) > 1 else e.tag)
    return " > ".join(reversed(parts))


def _link_selector(group: _Group) -> str | None:
    """None when the title link is the item's first link (the default rule finds it)."""
    records = group.records
    if all(first_link(r.element) is r.link for r in records):
        return None
    candidates: list[str] = []
    for r in records[:3]:
        parent = r.link.getparent()
        same = [a for a in (parent if parent is not None else []) if a.tag == "a"]
        candidates += [
            simple_selector(r.link),
            f"{simple_selector(parent)} > {simple_selector(r.link)}",
        ]
        if same and r.link in same:
            candidates.append(f"a:nth-of-type({same.index(r.link) + 1})")
    for candidate in dict.fromkeys(candidates):
        hits = 0
        for r in records:
            found = css_select(r.element, candidate)
            hits += bool(found) and found[0] is r.link
        if hits >= 0.9 * len(records):
            return candidate
    return None


def first_link(element: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    if element.tag == "a":
        return element
    return next((a for a in element.iter("a") if a.get("href")), None)


def _date_selector(group: _Group) -> str | None:
    counts = Counter(
        _relative(r.date_element, r.element) for r in group.records if r.date_element is not None
    )
    return counts.most_common(1)[0][0] if counts else None


def _relative(element: lxml.html.HtmlElement, item: lxml.html.HtmlElement) -> str:
    return simple_selector(element) if element is not item else "*"


# --- items ---------------------------------------------------------------------------


def extract_items(html: str, base_url: str, structure: ListStructure) -> list[ListedItem]:
    """The page's items as a stored structure finds them, in page order."""
    root = parse_html(unwrap_records(html))
    if root is None:
        return []
    return extract_from_root(root, document_base(root, base_url), structure)


def extract_from_root(
    root: lxml.html.HtmlElement, base_url: str, structure: ListStructure
) -> list[ListedItem]:
    items: list[ListedItem] = []
    seen: set[str] = set()
    for element in css_select(root, structure.item_selector):
        record = _record_by(element, base_url, structure)
        if record is None or record.url in seen:
            continue
        seen.add(record.url)
        if len(items) == MAX_ITEMS:
            break
        items.append(
            ListedItem(
                canonicalize(record.url), record.title, _item_date(record.url, record.date_text)
            )
        )
    return items


def _record_by(
    element: lxml.html.HtmlElement, base_url: str, structure: ListStructure
) -> _Record | None:
    if structure.link_selector is None:
        record = _record(element, base_url)
        if record is None or structure.date_selector is None:
            return record
        return _with_date(record, structure.date_selector)
    links = css_select(element, structure.link_selector)
    link = links[0] if links else first_link(element)
    url = http_url(base_url, link.get("href")) if link is not None else None
    if link is None or url is None:
        return None
    record = _Record(element, link, url, _title(link), None, None)
    if structure.date_selector:
        return _with_date(record, structure.date_selector)
    date_element, date_text = _date_of(element, link)
    return _Record(element, link, url, record.title, date_element, date_text)


def _with_date(record: _Record, date_selector: str) -> _Record:
    for element in css_select(record.element, date_selector):
        text = plain_text(element)
        if list_date(text) is not None:
            title = record.title
            if _inside(element, record.link):
                title = _title(record.link, without=element)
            return _Record(record.element, record.link, record.url, title, element, text)
    return record


def _item_date(url: str, date_text: str | None) -> datetime | None:
    if not date_text:
        return None
    value = list_date(date_text)
    if value is not None and not has_year(date_text):
        # "03-24": the article URL often knows the year.
        from_url = date_from_url(url)
        if from_url is not None and from_url.astimezone(BEIJING).strftime("%m-%d") == (
            value.astimezone(BEIJING).strftime("%m-%d")
        ):
            return from_url
    return value


# --- helpers -------------------------------------------------------------------


def http_url(base_url: str, href: str | None) -> str | None:
    if not href or not href.strip() or href.strip().startswith("#"):
        return None
    url = urljoin(base_url, href.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


def read_list(
    html: str, url: str, stored: ListStructure | None
) -> tuple[list[ListedItem], ListStructure]:
    """The items of a source without selectors, and the structure that found them: the
    stored one while it finds items, else the page's list found again.

    Raises ``SelectorMatchedNothing`` when the page shows no list at all (then the source
    counts as broken, its layout changed).
    """
    if stored is not None:
        items = extract_items(html, url, stored)
        if items:
            return items, stored
    structure, items = find_items(html, url)
    if structure is None or not items:
        why = "the list found before matches nothing and " if stored else ""
        raise SelectorMatchedNothing(url, f"{why}no list of article links was found on the page")
    return items, structure


def find_items(html: str, url: str) -> tuple[ListStructure | None, list[ListedItem]]:
    """The page's main list and its items, found afresh."""
    root = parse_html(unwrap_records(html))
    if root is None:
        return None, []
    base = document_base(root, url)
    structure = find_list(root, base)
    return structure, extract_from_root(root, base, structure) if structure else []

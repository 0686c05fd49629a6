"""Title, publication date and main text of one article page.

Selectors first (the source's own, then its CMS preset), trafilatura for unknown templates.
Dates follow stack-facts §6: the visible labelled date next to the title beats meta tags,
because government ``PubDate`` metas hold the page-generation time, not the publication day.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from html import unescape
from typing import TypeAlias

from lxml.html import HtmlElement

from ieiwatch.domain import BEIJING
from ieiwatch.scrapers.cms import CmsPreset, detect_cms, get_preset
from ieiwatch.scrapers.dates import (
    LABEL_LOOKBACK,
    DateMatch,
    date_from_url,
    find_all_dates,
    find_date,
    parse_cn_datetime,
)
from ieiwatch.scrapers.html import css_select, parse_html

Element: TypeAlias = HtmlElement

_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "button",
        "select",
        "textarea",
        "input",
        "head",
        "title",
        "meta",
        "link",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_BREAK = "\x00"  # lxml turns NULs in the page into U+FFFD, so this marks our breaks only
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\ufeff]+")

# " - 某某大学新闻网", "_新闻频道_中国青年网", "万载县人民政府 | …", and "法-纪检" between Han
# characters only, so "2023-2024学年" and "public-service" stay whole.
_TITLE_SEPARATORS = re.compile(
    r"\s*(?:[_|｜]|\s[-–—·]\s|(?<=[\u4e00-\u9fff）》」”])[-－](?=[\u4e00-\u9fff（《「“]))\s*"
)
_HEADLINE_REACH = 4
"""Lines between a headline and the start of the body, at most (subtitle, meta lines)."""
_NEAR_BODY = 8
"""How near the body a line must be to be taken for the headline without other evidence."""
_TITLE_MARK = re.compile(r"title|\btit\b|\b\w?bt\b|biaoti")
_MAX_TITLE_LINE = 120
_TITLE_CELL_TAGS = frozenset({"div", "p", "td", "span", "strong", "b"})


_LOGO_MARK = re.compile("logo")
_BODY_PREFIX = 40
_MIN_HEADLINE = 6
_NOT_A_HEADLINE = re.compile(
    r"[>›»]|当前位置|您的位置|所在位置|发布时间|发布日期|来源|浏览|点击|作者|\d{4}-\d{1,2}-\d{1,2}"
)
_SITE_NAME_METAS = ("sitename", "og:site_name", "application-name")
SITE_NAME_MAX = 80
"""Characters: a longer text in a site-name place is no name (a navigation bar, a slogan)."""
SITE_NAMES_KEPT = 8
LOGOS_READ = 8
_ELLIPSIS = re.compile(r"(?:\.{2,}|…+|⋯+)$")
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_META_DATE_NAMES = (
    "pubdate",
    "publishdate",
    "publish_date",
    "article:published_time",
    "og:published_time",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
)
_TRS_PUBTIME = re.compile(r"""__\$pubtime\s*=\s*['"]([^'"]+)['"]""")
# How far from the title a labelled date may be to count as the article's meta line.
_AFTER_TITLE = 800
_BEFORE_TITLE = 600
_UNLABELLED_AFTER_TITLE = 200
_META_LINE_MAX = 100
_META_WORDS = re.compile(
    r"来源|來源|作者|浏览|瀏覽|点击|點擊|阅读|閱讀|责任编辑|編輯|访问量|字号|"
    r"\b(?:source|author|views)\b",
    re.IGNORECASE,
)


@dataclass
class ArticleContent:
    title: str
    published_at: datetime | None
    text: str
    cms: str | None
    site_names: tuple[str, ...] = ()
    """What the page calls its site, most telling first: its meta names, the ``<title>``s
    the source's pages share, the other parts of its ``<title>``, its logo. The classifier
    reads the publishing school from them when the source does not name one."""


@dataclass(frozen=True)
class TitleHints:
    """What the caller knows of a page's headline beyond the page itself."""

    link_text: str = ""
    """The list page's text for the link (often cut short with "…")."""
    site_names: frozenset[str] = frozenset()
    """``<title>``s seen on several pages of the source: the site's name, not a headline."""


NO_HINTS = TitleHints()


def extract_article(
    html: str,
    url: str,
    *,
    content_selector: str | None = None,
    cms: str | None = None,
    hints: TitleHints = NO_HINTS,
) -> ArticleContent:
    """Extract an article page; ``cms`` names a preset (detected from the page when None).

    Raises ValueError for an unknown ``cms`` or an invalid ``content_selector``.
    """
    cms = cms.lower() if cms else detect_cms(html)
    preset = get_preset(cms) if cms else None
    root = parse_html(html)
    if root is None:
        return ArticleContent(title="", published_at=date_from_url(url), text="", cms=cms)
    body = root.find("body")
    page_text = html_to_text(body if body is not None else root)
    raw_text = _raw_main_text(root, html, url, content_selector, preset) if page_text else ""
    page = _Head.of(root, hints)
    title = _title(root, preset, page_text, raw_text, page)
    return ArticleContent(
        title=title,
        published_at=_published_at(root, html, url, title, page_text, preset),
        text=_main_text(raw_text, title),
        cms=cms,
        site_names=page.site_texts(title),
    )


def page_title(html: str) -> str:
    """The page's ``<title>``, cheaply (to find the titles a source repeats on every page)."""
    match = _TITLE_TAG.search(html)
    return _clean(unescape(_TAGS.sub("", match.group(1)))) if match else ""


def html_to_text(fragment: Element | str) -> str:
    """Readable text of markup: one line per paragraph or block, whitespace collapsed.

    Scripts, styles, form controls and elements hidden with ``display:none`` are left out.
    """
    if isinstance(fragment, str):
        fragment = parse_html(fragment)
        if fragment is None:
            return ""
    parts: list[str] = []
    # Explicit stack: broken markup can nest deeper than Python's recursion limit.
    stack: list[tuple[Element, bool]] = [(fragment, False)]
    while stack:
        element, closing = stack.pop()
        if not closing and not _skipped(element):
            _open(element, parts, stack)
            continue
        if closing and element.tag in _BLOCK_TAGS:
            parts.append(_BREAK)
        elif closing and element.tag in _CELL_TAGS:
            parts.append(" ")
        # The element is done (closed or skipped); the text after it follows.
        if element is not fragment and element.tail:
            parts.append(element.tail)
    # Source newlines are plain whitespace; only _BREAK separates paragraphs.
    lines = _SPACES.sub(" ", "".join(parts)).split(_BREAK)
    return "\n".join(line for line in (line.strip() for line in lines) if line)


def _open(element: Element, parts: list[str], stack: list[tuple[Element, bool]]) -> None:
    """Emit an element's own text, then schedule its children and its closing."""
    if element.tag == "br" or element.tag in _BLOCK_TAGS:
        parts.append(_BREAK)
    if element.text:
        parts.append(element.text)
    stack.append((element, True))
    stack.extend((child, False) for child in reversed(element))


def normalise_text(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _skipped(element: Element) -> bool:
    if not isinstance(element.tag, str) or element.tag in _SKIP_TAGS:
        return True
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return style is not None and _HIDDEN_STYLE.search(style) is not None


# --- title -------------------------------------------------------------------------------


def _title(
    root: Element, preset: CmsPreset | None, page_text: str, main_text: str, page: _Head
) -> str:
    """The headline; a ``<title>`` that names the site is never taken for it.

    The site's names (meta, logo, titles repeated on the source's pages) are left out
    everywhere. A heading or CMS cell that repeats the list's link text or the ``<title>``
    is the headline without the site name (a heading that repeats neither is often the
    logo text). Otherwise a CMS title cell, then an ``og:title`` of its own. Otherwise, for
    a ``<title>`` of several parts, its article part; for an undivided one, which may be
    the site's name, the title-like line standing nearest above the body.
    """
    metas, hints = page.metas, page.hints
    names = page.site_name_keys()

    def usable(text: str) -> bool:
        return bool(text) and _key(text) not in names

    article_title = _clean(metas.get("articletitle", ""))
    if usable(article_title):
        return article_title
    full_title = page.full_title
    parts = [part for part in _title_parts(full_title) if usable(part)]
    head = max(parts, key=len) if parts else ""
    undivided = len(_title_parts(full_title)) <= 1  # the site's name, or the headline alone
    cms_titles = [t for t in _texts(root, preset.title_selectors if preset else ()) if usable(t)]
    og_title = _clean(metas.get("og:title", ""))
    own_og = [og_title] if usable(og_title) and _key(og_title) != _key(full_title) else []
    headings = [h for h in _headings(root) if usable(h)]
    titled = [t for t in _titled_texts(root) if usable(t)]
    elements = [*cms_titles, *own_og, *headings]
    lines = _PageLines(page_text, main_text, [head, *elements, *titled])
    link = _ELLIPSIS.sub("", _clean(hints.link_text))
    if link:
        found = next((e for e in [*elements, head] if _agrees_with_link(e, link)), None)
        found = found or lines.nearest_above_body(lines.agreeing(link, _agrees_with_link))
        if found:
            return found
    found = next((e for e in elements if head and _agrees(e, head)), None)
    # An undivided <title> repeated far above the body, or only below it, is the logo's
    # or the footer's text: the site's name.
    if found and not (undivided and lines.away_from_body(found)):
        return found
    placed = lines.headline([*cms_titles, *headings, *titled])
    if cms_titles:
        return placed if placed in cms_titles else cms_titles[0]
    if own_og:
        return own_og[0]
    if not undivided:  # "headline - site": the site part is gone
        return next((t for t in [head, *headings, link] if t), "")
    if placed:
        return placed
    # No element says "headline": a site's name in <title> still never is one.
    if not head or lines.away_from_body(head):
        return next((t for t in [lines.headline_line(), *headings, link] if t), "")
    return head


class _PageLines:
    """The page's text lines and where its main text begins, to tell a headline (on its
    own line just above the body) from a logo or site name (at the top of the page)."""

    def __init__(self, page_text: str, main_text: str, candidates: list[str]) -> None:
        self.lines = page_text.split("\n")
        self.keys = [_key(line) for line in self.lines]
        # The main text may start with the headline itself: the body is what follows it.
        skip = {_key(c) for c in candidates}
        first = next(
            (k for line in main_text.split("\n") if len(k := _key(line)) >= 15 and k not in skip),
            "",
        )
        # A page line holding the body's first line (its start, when the page splits it).
        start = first[:_BODY_PREFIX]
        self.body = next(
            (
                n
                for n, k in enumerate(self.keys)
                if first and start in k and len(k) >= min(len(first), _BODY_PREFIX)
            ),
            len(self.keys),
        )

    def nearest_above_body(self, candidates: list[str], reach: int | None = None) -> str:
        """The candidate on its own line nearest above the body, at most ``reach`` lines
        from it ("" if none is)."""
        placed = [
            (d, n)
            for n, c in enumerate(candidates)
            if (d := self._distance(c)) is not None and (reach is None or d <= reach)
        ]
        return candidates[min(placed)[1]] if placed else ""

    def headline(self, candidates: list[str]) -> str:
        """The topmost candidate of the lines just above the body (a headline stands above
        its subtitle and meta lines), else the nearest one not far from it."""
        close = [
            (-d, n)
            for n, c in enumerate(candidates)
            if (d := self._distance(c)) is not None and d <= _HEADLINE_REACH
        ]
        if close:
            return candidates[min(close)[1]]
        return self.nearest_above_body(candidates, reach=_NEAR_BODY)

    def headline_line(self) -> str:
        """The nearest line above the body that reads like a headline, if one is close."""
        for n in range(self.body - 1, max(-1, self.body - 1 - _HEADLINE_REACH), -1):
            line = self.lines[n]
            if _MIN_HEADLINE <= len(self.keys[n]) <= _MAX_TITLE_LINE and not (
                _NOT_A_HEADLINE.search(line) or line.endswith(("。", "：", ":"))
            ):
                return line
        return ""

    def away_from_body(self, candidate: str) -> bool:
        """On its own line, but only below the body or further above it than a headline
        stands (headline, subtitle, meta lines, body): a logo, a banner or a footer."""
        if self.body == len(self.keys):  # the body was not found: no telling
            return False
        distance = self._distance(candidate)
        if distance is None:
            return _key(candidate) in self.keys[self.body :]
        return distance > _NEAR_BODY

    def agreeing(self, anchor: str, agree: Callable[[str, str], bool]) -> list[str]:
        """The lines above the body that agree with ``anchor``."""
        return [line for line in self.lines[: self.body] if agree(line, anchor)]

    def _distance(self, candidate: str) -> int | None:
        key = _key(candidate)
        lines = [n for n in range(self.body) if key and self.keys[n] == key]
        return self.body - lines[-1] if lines else None


def _titled_texts(root: Element) -> list[str]:
    """First lines of elements whose class or id says "title" (a CMS's title cell)."""
    texts = []
    for element in _marked(root, _TITLE_MARK):
        if element.tag in _TITLE_CELL_TAGS:
            first = _clean(html_to_text(element).split("\n", 1)[0])
            if 4 <= len(first) <= _MAX_TITLE_LINE and not _NOT_A_HEADLINE.search(first):
                texts.append(first)
    return texts


@dataclass(frozen=True)
class _Head:
    """What a page says of itself, read once for its headline and its site names: its
    metas, its ``<title>``, its logos' texts, and what the caller knows (``hints``)."""

    metas: dict[str, str]
    full_title: str
    logos: list[str]
    hints: TitleHints

    @classmethod
    def of(cls, root: Element, hints: TitleHints) -> _Head:
        title_element = root.find(".//title")
        full_title = _clean(title_element.text_content()) if title_element is not None else ""
        return cls(_metas(root), full_title, _logo_texts(root), hints)

    def site_name_keys(self) -> set[str]:
        """Keys of the texts that name the site: its meta names, logo, and repeated titles."""
        names = [self.metas.get(name, "") for name in _SITE_NAME_METAS]
        names += list(self.hints.site_names) + self.logos
        return {key for name in names if (key := _key(name))}

    def site_texts(self, headline: str) -> tuple[str, ...]:
        """The texts naming the site (``ArticleContent.site_names``), each once; no part of
        the ``<title>`` that is the headline, or holds it."""
        head = _key(headline)
        parts = [p for p in _title_parts(self.full_title) if not head or head not in _key(p)]
        texts = [self.metas.get(name, "") for name in _SITE_NAME_METAS]
        texts += sorted(self.hints.site_names) + parts + self.logos
        # A site's name is short, and few are worth keeping: a page cannot make a worker
        # send back thousands of long "logo" texts (nested ones repeat their children's).
        kept = (t for t in map(_clean, texts) if t and len(t) <= SITE_NAME_MAX)
        return tuple(itertools.islice(dict.fromkeys(kept), SITE_NAMES_KEPT))


def _logo_texts(root: Element) -> list[str]:
    """The text of the first elements marked as a logo, and their images' alt (or title)
    texts. The first few only: each one's text is its whole subtree's, so a page of
    thousands of nested "logo" elements would cost a worker seconds (8 s for 2,000)."""
    texts = []
    for element in _marked(root, _LOGO_MARK)[:LOGOS_READ]:
        texts.append(_inline_text(element))
        texts += [img.get("alt", "") or img.get("title", "") for img in element.iter("img")]
    return texts


def _marked(root: Element, mark: re.Pattern[str]) -> list[Element]:
    """The elements whose class or id (lower-cased) the pattern finds."""
    return [
        element
        for element in root.xpath("//*[@class or @id]")
        if mark.search(f"{element.get('class', '')} {element.get('id', '')}".lower())
    ]


def _title_parts(title: str) -> list[str]:
    return [part.strip() for part in _TITLE_SEPARATORS.split(title) if part.strip()]


def _key(text: str) -> str:
    return _SPACES.sub("", text).lower()


def strip_site_name(title: str) -> str:
    """The article part of a <title>: the longest part between site-name separators."""
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title)]
    return max(parts, key=len) if parts else ""


def _agrees(candidate: str, head: str) -> bool:
    squashed, squashed_head = candidate.replace(" ", ""), head.replace(" ", "")
    if not squashed_head or squashed not in squashed_head:
        return False
    return len(squashed) >= max(4, len(squashed_head) // 2)


def _agrees_with_link(candidate: str, link: str) -> bool:
    """The list's link text, often cut short, is (the start of) the candidate, or the
    candidate is the main part of a link text with a prefix such as "[通知]"."""
    squashed, squashed_link = _key(candidate), _key(link)
    if not squashed or not squashed_link:
        return False
    if squashed_link in squashed:
        return len(squashed_link) >= min(6, len(squashed)) and (
            squashed.startswith(squashed_link) or 2 * len(squashed_link) >= len(squashed)
        )
    return squashed in squashed_link and 2 * len(squashed) >= len(squashed_link)


def _texts(root: Element, selectors: tuple[str, ...]) -> list[str]:
    texts = []
    for selector in selectors:
        texts += [text for el in css_select(root, selector) if (text := _inline_text(el))]
    return texts


def _headings(root: Element) -> list[str]:
    """Texts of h1, then h2, then h3 elements."""
    found = [
        (el.tag, n, text)
        for n, el in enumerate(root.iter("h1", "h2", "h3"))
        if (text := _inline_text(el))
    ]
    return [text for _, _, text in sorted(found)]


def _inline_text(element: Element) -> str:
    """Text of a title-like element on one line (VSB puts scripts inside its title cell)."""
    return _clean(html_to_text(element).replace("\n", " "))


def _metas(root: Element) -> dict[str, str]:
    """Meta contents by lower-cased name or property; the first one wins."""
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        key, content = meta.get("name") or meta.get("property"), meta.get("content")
        if key and content and content.strip():
            metas.setdefault(key.strip().lower(), content.strip())
    return metas


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# --- date --------------------------------------------------------------------------------


def _published_at(
    root: Element,
    html: str,
    url: str,
    title: str,
    page_text: str,
    preset: CmsPreset | None,
) -> datetime | None:
    anchors = _title_spans(page_text, title)
    dates = _dates_around(page_text, anchors)
    hidden_sources: tuple[Callable[[], datetime | None], ...] = (
        lambda: _cms_date(root, preset),
        lambda: _meta_date(root),
        lambda: _trs_pubtime(html),
    )
    visible = _labelled_near_title(dates, anchors)
    if visible is not None:
        return visible.value if visible.has_time else _with_time(visible.value, hidden_sources)
    for source in hidden_sources:
        found = source()
        if found:
            return found
    from_url = date_from_url(url)
    near = _unlabelled_after_title(dates, anchors)
    # The URL only knows the day; a date printed under the title adds the time.
    if near and (from_url is None or _same_day(near, from_url)):
        return near
    return from_url


def _with_time(day: datetime, sources: tuple[Callable[[], datetime | None], ...]) -> datetime:
    """The visible day, with the time of day from a hidden source that agrees on the day."""
    for source in sources:
        found = source()
        if found and _same_day(found, day) and found.astimezone(BEIJING).time() != time(0):
            return found
    return day


def _title_spans(page_text: str, title: str) -> list[tuple[int, int]]:
    for needle in (title, title[:12]):
        if len(needle) >= 4:
            spans = [(m.start(), m.end()) for m in re.finditer(re.escape(needle), page_text)]
            if spans:
                return spans
    return []


def _dates_around(page_text: str, anchors: list[tuple[int, int]]) -> list[DateMatch]:
    """Dates near the title occurrences only: sidebars of dense pages list thousands."""
    if not anchors:
        return find_all_dates(page_text)
    margin = LABEL_LOOKBACK + 8
    windows: list[tuple[int, int]] = []
    for start, end in anchors:
        low, high = max(0, start - _BEFORE_TITLE - margin), end + _AFTER_TITLE + margin
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return [
        replace(d, start=d.start + low, end=d.end + low)
        for low, high in windows
        for d in find_all_dates(page_text[low:high])
    ]


def _labelled_near_title(
    dates: list[DateMatch], anchors: list[tuple[int, int]]
) -> DateMatch | None:
    labelled = [d for d in dates if d.label]
    if not anchors:
        return next((d for d in labelled if d.strong_label), None)
    ranked = [
        (distance, not d.strong_label, d.start, n)
        for n, d in enumerate(labelled)
        if (distance := _distance_to_title(d, anchors)) is not None
    ]
    return labelled[min(ranked)[3]] if ranked else None


def _distance_to_title(date: DateMatch, anchors: list[tuple[int, int]]) -> int | None:
    """How far a date is from the nearest title occurrence; dates above it count double."""
    distances = []
    for start, end in anchors:
        if 0 <= date.start - end <= _AFTER_TITLE:
            distances.append(date.start - end)
        elif 0 <= start - date.end <= _BEFORE_TITLE:
            distances.append(2 * (start - date.end))
    return min(distances, default=None)


def _unlabelled_after_title(
    dates: list[DateMatch], anchors: list[tuple[int, int]]
) -> datetime | None:
    for date in dates:
        if any(0 <= date.start - end <= _UNLABELLED_AFTER_TITLE for _, end in anchors):
            return date.value
    return None


def _cms_date(root: Element, preset: CmsPreset | None) -> datetime | None:
    for selector in preset.date_selectors if preset else ():
        for element in css_select(root, selector):
            found = find_date(html_to_text(element))
            if found:
                return found
    return None


def _meta_date(root: Element) -> datetime | None:
    metas = _metas(root)
    for name in _META_DATE_NAMES:
        found = parse_cn_datetime(metas[name]) if name in metas else None
        if found:
            return found
    return None


def _trs_pubtime(html: str) -> datetime | None:
    match = _TRS_PUBTIME.search(html)
    return parse_cn_datetime(match.group(1)) if match else None


def _same_day(a: datetime, b: datetime) -> bool:
    return a.astimezone(BEIJING).date() == b.astimezone(BEIJING).date()


# --- main text ---------------------------------------------------------------------------


def _main_text(raw_text: str, title: str) -> str:
    lines = [line for line in raw_text.split("\n") if line and not _is_meta_line(line)]
    if lines and lines[0] == title:  # the title is returned on its own
        lines = lines[1:]
    return "\n".join(lines)


def _raw_main_text(
    root: Element,
    html: str,
    url: str,
    content_selector: str | None,
    preset: CmsPreset | None,
) -> str:
    selectors = ((content_selector,) if content_selector else ()) + (
        preset.content_selectors if preset else ()
    )
    for selector in selectors:
        element = _best_match(root, selector)
        text = html_to_text(element) if element is not None else ""
        if text:
            return text
    # Imported here: trafilatura costs about 25 MB in every process that imports it, and
    # a pass whose sources all have selectors or a CMS preset never needs it.
    import trafilatura

    extracted = trafilatura.extract(
        html, url=url, favor_precision=True, include_comments=False, include_tables=True
    )
    if extracted:
        return normalise_text(extracted)
    block = _largest_text_block(root)
    return html_to_text(block) if block is not None else ""


def _is_meta_line(line: str) -> bool:
    """ "发布时间：… 来源：… 浏览次数" lines that wrappers and trafilatura keep with the body.

    A labelled date alone is not enough: notices carry "会议时间：2024年11月10日" in the body.
    """
    if len(line) > _META_LINE_MAX:
        return False
    dates = [d for d in find_all_dates(line) if d.label]
    return bool(dates) and (
        _META_WORDS.search(line) is not None or (dates[0].strong_label and dates[0].start < 8)
    )


def _best_match(root: Element, selector: str) -> Element | None:
    """The outermost match with the most text (templates nest and repeat body classes)."""
    matches = css_select(root, selector)
    # lxml hands out one proxy per live element, so identity works while `matches` lives.
    ids = {id(match) for match in matches}
    outermost = [m for m in matches if not any(id(a) in ids for a in m.iterancestors())]
    sized = [(len(_SPACES.sub("", m.text_content())), m) for m in outermost]
    best = max(sized, key=lambda pair: pair[0], default=None)
    return best[1] if best and best[0] else None


def _largest_text_block(root: Element) -> Element | None:
    """The container whose own paragraphs and text hold the most characters."""
    best, best_size = None, 0
    for element in root.iter("body", "article", "main", "section", "div", "td"):
        size = len((element.text or "").strip()) + sum(
            (len(child.text_content().strip()) if child.tag == "p" else 0)
            + len((child.tail or "").strip())
            for child in element
        )
        if size > best_size:
            best, best_size = element, size
    return best

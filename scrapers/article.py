"""Title, publication date and main text of one article page.

Selectors first (the source's own, then its CMS preset), trafilatura for unknown templates.
Dates follow stack-facts §6: the visible labelled date next to the title beats meta tags,
because government ``PubDate`` metas hold the page-generation time, not the publication day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import TypeAlias

import trafilatura
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


def extract_article(
    html: str, url: str, *, content_selector: str | None = None, cms: str | None = None
) -> ArticleContent:
    """Extract an article page; ``cms`` names a preset (detected from the page when None).

    Raises ValueError for an unknown ``cms`` or an invalid ``content_selector``.
    """
    cms = cms.lower() if cms else detect_cms(html)
    preset = get_preset(cms) if cms else None
    root = parse_html(html)
    if root is None:
        return ArticleContent(title="", published_at=date_from_url(url), text="", cms=cms)
    title = _title(root, preset)
    body = root.find("body")
    page_text = html_to_text(body if body is not None else root)
    return ArticleContent(
        title=title,
        published_at=_published_at(root, html, url, title, page_text, preset),
        text=_main_text(root, html, url, content_selector, preset, title) if page_text else "",
        cms=cms,
    )


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


def _title(root: Element, preset: CmsPreset | None) -> str:
    metas = _metas(root)
    if metas.get("articletitle"):
        return _clean(metas["articletitle"])
    title_element = root.find(".//title")
    page_title = _clean(title_element.text_content()) if title_element is not None else ""
    head = strip_site_name(page_title)
    cms_titles = _texts(root, preset.title_selectors if preset else ())
    og_title = _clean(metas.get("og:title", ""))
    headings = _headings(root)
    # A heading that repeats the <title> is the article title without the site name; a
    # heading that does not is often the site's logo text.
    for candidate in [*cms_titles, og_title, *headings]:
        if candidate and _agrees(candidate, head):
            return candidate
    fallbacks = [*cms_titles, og_title, head, *headings]
    return next((candidate for candidate in fallbacks if candidate), "")


def strip_site_name(title: str) -> str:
    """The article part of a <title>: the longest part between site-name separators."""
    parts = [part.strip() for part in _TITLE_SEPARATORS.split(title)]
    return max(parts, key=len) if parts else ""


def _agrees(candidate: str, head: str) -> bool:
    squashed, squashed_head = candidate.replace(" ", ""), head.replace(" ", "")
    if not squashed_head or squashed not in squashed_head:
        return False
    return len(squashed) >= max(4, len(squashed_head) // 2)


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


def _main_text(
    root: Element,
    html: str,
    url: str,
    content_selector: str | None,
    preset: CmsPreset | None,
    title: str,
) -> str:
    lines = [
        line
        for line in _raw_main_text(root, html, url, content_selector, preset).split("\n")
        if not _is_meta_line(line)
    ]
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

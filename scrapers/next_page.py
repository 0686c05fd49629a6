"""A list page's link to its next (older) page, from its markup or its paging script:
``rel=next``; VSB's ``pb_sys_common`` pager (pages numbered in reverse, so only its link
leads on); WebPlus ``list2.htm``; a 下一页/下页/Next/> link; TRS's ``createPageHTML(...)``
or inline pager script (page N >= 2 is ``index_{N-1}``); ``createPageHTML('page_div', ...)``
(page N >= 2 is ``new_list_N``). A next control that leads nowhere we can follow (a
``javascript:`` link) while the pager says more pages follow is reported as such
(``NextPage.url`` None), so backfill never takes it for the end of the history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html

from ieiwatch.scrapers.html import css_select, document_base, parse_html, plain_text
from ieiwatch.scrapers.list_finder import http_url, simple_selector

_NEXT_TEXTS = {
    "下一页",
    "下页",
    "下一頁",
    "后页",
    "後頁",
    "next",
    "nextpage",
    "next page",
    ">",
    "›",
    "»",
    ">>",
}
_NEXT_SELECTOR = 'link[rel~="next"], a[rel~="next"]'
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]"
)
_PAGE_DIV = re.compile(
    r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([\w-]+)['\"]\s*,"
    r"\s*['\"](\w+)['\"]"
)
"""The other pager script: createPageHTML('page_div', 34, 1, 'new_list', 'shtml', 798), pages
first, the current page counted from 1, page N >= 2 at new_list_N.shtml."""
_JS_INT = r"var\s+{name}\s*=\s*['\"]?(\d+)"
# TRS's inline pager (no createPageHTML call): "var currentPage = 0;//所在页从0开始",
# "var countPage = 25//共多少页" and links written as "index" + "_" + nextPage + "." + "shtml".
# Not a commented-out "//var currentPage".
_TRS_VAR = r"(?<![/\w])var\s+{name}\s*=\s*(\d+)"
_TRS_NEXT_NAME = re.compile(
    r"(\w+)\\?[\"']\s*\+\s*[\"']_[\"']\s*\+\s*nextPage\s*\+\s*[\"']\.[\"']\s*\+\s*[\"'](\w+)"
)
_WEBPLUS_PAGES = re.compile(
    r"class=['\"]?curr_page['\"]?>\s*(\d+)\s*<.*?class=['\"]?all_pages['\"]?>\s*(\d+)", re.DOTALL
)
_PAGE_OF = re.compile(
    r"第\s*(\d+)\s*页\s*[/,，]?\s*共\s*(\d+)\s*页|(\d+)\s*/\s*(\d+)\s*页|页码\s*[:：]?\s*(\d+)\s*/\s*(\d+)"
)
"""A pager's counter: 第1页/共17页, 1/31页, 页码：1/9."""
_PAGER = '[class*="page"], [id*="page"], [class*="paging"], .p_t'
_FRACTION = re.compile(r"(?<![\d/.-])(\d{1,5})\s*/\s*(\d{1,5})(?![\d/.-])")
"""2/31 in a pager's text."""


@dataclass(frozen=True)
class NextPage:
    url: str | None
    """Absolute; None when the page has a next-page control that cannot be followed."""
    selector: str | None = None
    """A ``next_selector`` that finds the link on every page, when one does."""
    page_url: str | None = None
    """A ``page_url`` template, when the pages are counted (TRS ``index_{index}``)."""
    how: str = ""


def next_page(html: str, page_url: str) -> NextPage | None:
    """The page's next-page link, from its markup or its paging script."""
    root = parse_html(html)
    if root is None:
        return None
    return find_next(root, html, document_base(root, page_url))


def find_next(root: lxml.html.HtmlElement, html: str, base_url: str) -> NextPage | None:
    finders = (_rel_next, _vsb_next, _webplus_next, _text_next, _trs_script_next, _page_div_next)
    for finder in finders:
        found = finder(root, html, base_url)
        if found is not None:
            return found
    return None


def _rel_next(root: lxml.html.HtmlElement, _html: str, base_url: str) -> NextPage | None:
    for element in css_select(root, _NEXT_SELECTOR):
        url = http_url(base_url, element.get("href"))
        if url and url != base_url:
            return NextPage(url, _NEXT_SELECTOR, how="rel=next")
    return None


def _vsb_next(root: lxml.html.HtmlElement, _html: str, base_url: str) -> NextPage | None:
    """VSB's pb_sys_common pager: pages count down ({column}/32.htm, 31.htm, ...), so only
    its "next" link leads on."""
    for element in css_select(root, ".p_next a, a.Next"):
        url = http_url(base_url, element.get("href"))
        if url and url != base_url:
            return NextPage(url, ".p_next a, a.Next", how="VSB pager")
    return None


def _webplus_next(root: lxml.html.HtmlElement, html: str, base_url: str) -> NextPage | None:
    """WebPlus: list.htm, list2.htm, ...; its "next" link is javascript on the last page."""
    links = css_select(root, ".wp_paging a.next")
    if not links:
        return None
    url = http_url(base_url, links[0].get("href"))
    if url and url != base_url:
        return NextPage(url, ".wp_paging a.next", how="WebPlus pager")
    counter = _WEBPLUS_PAGES.search(html)
    if counter and int(counter.group(1)) < int(counter.group(2)):
        return NextPage(None, how=f"WebPlus pager: page {counter.group(1)} of {counter.group(2)}")
    return None


def _text_next(root: lxml.html.HtmlElement, html: str, base_url: str) -> NextPage | None:
    blocked: lxml.html.HtmlElement | None = None
    for link in root.iter("a"):
        text = " ".join(plain_text(link).split()).lower()
        if not (_is_next(text) or _is_next((link.get("title") or "").strip().lower())):
            continue
        url = http_url(base_url, link.get("href"))
        if url and url.split("#")[0] != base_url.split("#")[0]:
            return NextPage(url, _text_selector(link), how=f"link {text!r}")
        blocked = blocked if blocked is not None else link
    more = blocked is not None and (_more_pages(root, html) or _numbered_pages(blocked))
    if blocked is not None and more and not _disabled(blocked):
        return NextPage(
            None, how=f"link {plain_text(blocked)!r} leads to {blocked.get('href') or 'nothing'}"
        )
    return None


def _is_next(text: str) -> bool:
    """下一页, Next, >, and the same dressed in arrows or brackets (下一页>, [下一页])."""
    return text in _NEXT_TEXTS or text.strip(" <>«»‹›[]【】()（）") in _NEXT_TEXTS - {""}


def _text_selector(link: lxml.html.HtmlElement) -> str:
    text = plain_text(link)
    if text and '"' not in text and "\\" not in text:
        return f'a:contains("{text}")'
    return simple_selector(link)


def _disabled(link: lxml.html.HtmlElement) -> bool:
    parent = link.getparent()
    words = f"{link.get('class') or ''} {parent.get('class') or '' if parent is not None else ''}"
    return bool(re.search(r"disabled|\bdis\b|_d\b", words))


def _more_pages(root: lxml.html.HtmlElement, html: str) -> bool:
    """The page's counter (第1页/共17页, or "2/31" in its pager) says more pages follow."""
    counters: list[tuple[int, int]] = []
    for match in _PAGE_OF.finditer(plain_text(root)):
        numbers = [int(g) for g in match.groups() if g is not None]
        counters.append((numbers[0], numbers[1]))
    for pager in css_select(root, _PAGER):
        counters += [(int(a), int(b)) for a, b in _FRACTION.findall(plain_text(pager))]
    if any(0 < current < total for current, total in counters):
        return True
    counts = _trs_counts(html)
    return counts is not None and counts[1] + 1 < counts[0]


def _numbered_pages(link: lxml.html.HtmlElement) -> bool:
    """The pager around a next link numbers pages after the first (2, 3, ... 36)."""
    pager = link.getparent()
    if pager is not None and pager.tag in ("li", "span"):
        pager = pager.getparent()
    if pager is None:
        return False
    numbers = [plain_text(a) for a in pager.iter("a") if a is not link]
    return any(n.isdigit() and int(n) > 1 for n in numbers)


def _trs_counts(html: str) -> tuple[int, int, str, str] | None:
    """(pages, current 0-based, prefix, extension) of a TRS pager: its inline script, which
    templates keep live below a commented-out ``//createPageHTML(...)``, else the call."""
    inline = _trs_inline_counts(html)
    if inline is not None:
        return inline
    match = _CREATE_PAGE.search(html)
    if match is None:
        return None
    count, current = (_js_value(html, token) for token in match.group(1, 2))
    if count is None or current is None:
        return None
    return count, current, match.group(3), match.group(4)


def _trs_inline_counts(html: str) -> tuple[int, int, str, str] | None:
    """The same four from TRS's inline pager script, which writes its links itself."""
    name = _TRS_NEXT_NAME.search(html)
    current = re.search(_TRS_VAR.format(name="currentPage"), html)
    count = re.search(_TRS_VAR.format(name="countPage"), html)
    if name is None or current is None or count is None:
        return None
    return int(count.group(1)), int(current.group(1)), name.group(1), name.group(2)


def _js_value(html: str, token: str) -> int | None:
    if token.isdigit():
        return int(token)
    found = re.search(_JS_INT.format(name=re.escape(token)), html)
    return int(found.group(1)) if found else None


def _trs_script_next(root: lxml.html.HtmlElement, html: str, base_url: str) -> NextPage | None:
    """TRS writes its pager with ``createPageHTML(pages, current, "index", "html")`` or an
    inline script (``var countPage``, ``"index" + "_" + nextPage``): page N >= 2 is
    ``index_{N-1}.html``."""
    counts = _trs_counts(html)
    if counts is None:
        return None
    pages, current, prefix, ext = counts
    if current + 1 >= pages:
        return None
    url = urljoin(base_url, f"{prefix}_{current + 1}.{ext}")
    return NextPage(url, page_url=f"{prefix}_{{index}}.{ext}", how="TRS pager script")


def _page_div_next(_root: lxml.html.HtmlElement, html: str, base_url: str) -> NextPage | None:
    """``createPageHTML('page_div', pages, current, "new_list", "shtml", records)``: the current
    page counted from 1, page N >= 2 at ``new_list_N.shtml``."""
    match = _PAGE_DIV.search(html)
    if match is None:
        return None
    pages, current, prefix, ext = int(match[1]), int(match[2]), match[3], match[4]
    if current >= pages:
        return None
    url = urljoin(base_url, f"{prefix}_{current + 1}.{ext}")
    return NextPage(url, page_url=f"{prefix}_{{page}}.{ext}", how="createPageHTML('page_div')")

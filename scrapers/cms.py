"""Selectors for the few CMSes most Chinese university and government news sites run.

A source can say ``cms: vsb`` instead of writing selectors. Structure facts and where each was
seen are in shared/corpora/cn-news-html/README.md. Verified on saved pages there: every
article-page selector that a corpus page uses, and the WebPlus list and paging selectors.
List selectors of the other presets follow crawler code and common templates: "unverified".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from urllib.parse import urljoin, urlsplit

from ieiwatch.scrapers.listing import ListEntry, list_entries, next_link


@dataclass(frozen=True)
class CmsPreset:
    name: str
    item_selector: str
    """One news item on a list page."""
    link_selector: str
    """The article link inside an item (the first ``a[href]`` when it matches nothing)."""
    date_selector: str | None
    """Where an item's date is; the first match that holds a date wins."""
    content_selectors: tuple[str, ...]
    """Article body on the article page, tried in order."""
    title_selectors: tuple[str, ...]
    date_selectors: tuple[str, ...]
    """Publication date on the article page."""
    next_selector: str | None
    """The "next page" link on a list page."""
    page_url: str | None
    """File name of list page N >= 2, relative to the first list page. ``{page}`` is N,
    ``{index}`` is N - 1 and ``{ext}`` the first page's extension."""


PRESETS: dict[str, CmsPreset] = {
    # 博达 VSB: article URLs /info/{column}/{id}.htm; list paging is numbered in reverse
    # ({column}/{N}.htm counts down), so only the next link is usable. Lists unverified.
    "vsb": CmsPreset(
        name="vsb",
        item_selector='li[id^="line_u"], tr[id^="line_u"], li:has(a[href*="info/"])',
        link_selector='a[href*="info/"]',
        date_selector='span, [class*="time"], [class*="date"], h6, em',
        content_selectors=(
            "div.v_news_content",
            'div[id^="vsb_content"]',
            'form[name="_newscontent_fromname"]',
        ),
        title_selectors=('[class^="titlestyle"]', 'form[name="_newscontent_fromname"] h1'),
        date_selectors=('[class^="timestyle"]',),  # unverified: no saved page uses it
        next_selector=".p_next a, a.Next",
        page_url=None,
    ),
    # WebPlus / SudyTech: lists at /{column}/list.htm, list2.htm, ...
    "webplus": CmsPreset(
        name="webplus",
        item_selector="ul.wp_article_list > li, ul.news_list > li.news",
        link_selector=".Article_Title a, .news_title a",
        date_selector=".Article_PublishDate, .news_meta, .news_time",
        content_selectors=(".wp_articlecontent",),
        title_selectors=("h1.arti_title", ".arti_title", ".Article_Title"),
        date_selectors=(".arti_update", ".Article_PublishDate"),
        next_selector=".wp_paging a.next",
        page_url="list{page}.htm",
    ),
    # TRS WCM: article URLs /YYYYMM/tYYYYMMDD_{id}.html; list paging is written by a script
    # (createPageHTML), page N >= 2 being index_{N-1}. Lists unverified.
    "trs": CmsPreset(
        name="trs",
        item_selector='li:has(a[href*="/t20"]), li:has(a[href^="t20"])',
        link_selector='a[href*="/t20"], a[href^="t20"]',
        date_selector="span",
        content_selectors=(".TRS_Editor", ".TRS_UEDITOR", "#UCAP-CONTENT"),
        title_selectors=(".art-title", ".article-title"),
        date_selectors=(".pubDate", ".pub-time", ".pubtime", "#pubtime"),
        next_selector=None,
        page_url="index_{index}.{ext}",
    ),
    # 大汉 Hanweb: article URLs /art/YYYY/M/D/art_{column}_{id}.html; lists are <record> CDATA
    # blocks that list_items unwraps. Paging is script-driven. Lists unverified.
    "hanweb": CmsPreset(
        name="hanweb",
        item_selector='li:has(a[href*="/art/"]), tr:has(a[href*="/art/"])',
        link_selector='a[href*="/art/"]',
        date_selector="span, td",
        content_selectors=("#zoom", ".main-txt"),
        title_selectors=(),
        date_selectors=(),
        next_selector=None,
        page_url=None,
    ),
    # UCAP-style portals (<ucaptitle>, <ucapcontent>, <publishtime>; articles at
    # /{site}/{column}/{yyyymm}/{32 hex}.shtml). List selectors unverified; discovery finds the
    # list of the one saved list page (国家卫健委 法规司) without them.
    "ucap": CmsPreset(
        name="ucap",
        item_selector='li:has(a[href$=".shtml"])',
        link_selector='a[href$=".shtml"]',
        date_selector="span",
        content_selectors=("ucapcontent", "#zoomcon", "#UCAP-CONTENT"),
        title_selectors=("ucaptitle", "h1.article-title"),
        date_selectors=("publishtime",),
        next_selector=None,
        page_url=None,
    ),
}

# Checked in this order: Hanweb pages carry TRS-style <!--<$[...]> markers, so TRS comes last.
# Plain substrings of the lower-cased page: regexes with IGNORECASE cost ~5 ms per 200 KB.
_FINGERPRINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "vsb",
        (
            "visual sitebuilder",
            "_sitegray/_sitegray",
            "/system/resource/js/",
            "_newscontent_fromname",
            "vsb_content",
            "v_news_content",
        ),
    ),
    (
        "webplus",
        (
            "sudy-wp-siteid",
            "/_css/_system/system.css",
            "jquery.sudy.wp",
            "wp_articlecontent",
            "wp_article_list",
            "wp_paging",
            'id="wp_news_w',
        ),
    ),
    ("hanweb", ("hanweb", "大汉版通", "/module/jslib/", "/module/web/jpage/")),
    # UCAP-style portals' list pages carry no ucap tag; their template's generation-time meta,
    # <meta name="others" content="页面生成时间 2026-07-29 09:20:33">, is on every page.
    ("ucap", ("<ucaptitle", "<ucapcontent", 'content="页面生成时间')),
    # "所在页从0开始" is the comment of TRS's inline pager script (var currentPage = 0).
    ("trs", ("__$pubtime", "<!--<$[", "createpagehtml(", "所在页从0开始")),
)
# The element, not the name: pages also style ".TRS_Editor p" in CSS.
_TRS_ELEMENT = re.compile(r"class\s*=\s*[\"']?[^\"'>]*?\btrs_(?:editor|ueditor)\b")


# TRS article links: ./202607/t20260703_674272.shtml. Several on a page without any other
# fingerprint: a TRS list whose pager or body markers the template left out.
_TRS_LINK = re.compile(r"""href\s*=\s*["']?[^"'\s>]*?\bt20\d{6}_\d+\.s?html?\b""")
_TRS_LINKS = 3


def detect_cms(html: str) -> str | None:
    """The preset name whose fingerprint the page carries, or None."""
    lowered = html.lower()
    for name, markers in _FINGERPRINTS:
        if any(marker in lowered for marker in markers):
            return name
    if _TRS_ELEMENT.search(lowered):
        return "trs"
    links = islice(_TRS_LINK.finditer(lowered), _TRS_LINKS)
    return "trs" if sum(1 for _ in links) == _TRS_LINKS else None


def get_preset(name: str) -> CmsPreset:
    try:
        return PRESETS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown CMS preset {name!r}; known: {', '.join(PRESETS)}") from None


def page_url(preset: CmsPreset, list_url: str, page: int) -> str | None:
    """URL of list page ``page`` (1-based) from the preset's template, if it has one."""
    if page <= 1:
        return list_url
    if preset.page_url is None:
        return None
    filename = urlsplit(list_url).path.rsplit("/", 1)[-1]
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "html"
    return urljoin(list_url, preset.page_url.format(page=page, index=page - 1, ext=ext))


def list_items(html: str, base_url: str, preset: CmsPreset) -> list[ListEntry]:
    """The items of a list page of this CMS: (absolute url, title, date text)."""
    return list_entries(
        html, base_url, preset.item_selector, preset.link_selector, preset.date_selector
    )


def next_page_url(html: str, base_url: str, preset: CmsPreset) -> str | None:
    if preset.next_selector is None:
        return None
    return next_link(html, base_url, preset.next_selector)

"""HTML documents as lxml trees, and CSS selection over them.

lxml parses ~10x faster than building a bs4 tree; cssselect turns selectors into XPath.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

import lxml.html
from cssselect import HTMLTranslator, SelectorError
from lxml import etree

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")

# huge_tree: without it libxml2 silently drops everything nested deeper than 256 levels,
# which unclosed <font>/<div> tags on old pages reach.
_PARSER = lxml.html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, huge_tree=True
)


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """The document tree of a page, or None when it is empty."""
    # lxml refuses str input that still carries <?xml ... encoding="..."?>.
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except etree.ParserError:  # nothing but whitespace or comments
        return None


def css_select(root: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    """Elements under ``root`` matching a CSS selector, in document order.

    Raises ValueError for a selector cssselect cannot read.
    """
    return list(_compiled(selector)(root))


@lru_cache(maxsize=512)
def _compiled(selector: str) -> etree.XPath:
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from exc


_TRANSLATOR = HTMLTranslator()


def plain_text(element: lxml.html.HtmlElement) -> str:
    """The element's text with whitespace runs folded to single spaces."""
    return " ".join(" ".join(element.itertext()).split())


RECORDS_CLASS = "hanweb-records"
"""The class of the block that :func:`unwrap_records` makes of Hanweb's script records."""
_HANWEB_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)


def unwrap_records(html: str) -> str:
    """Hanweb ships list items as CDATA inside a script; make them markup."""
    records = _HANWEB_RECORD.findall(html)
    if not records:
        return html
    block = f'<div class="{RECORDS_CLASS}">{"".join(records)}</div>'
    # Inside the body: lxml drops what follows </html>.
    end = html.lower().rfind("</body>")
    return html[:end] + block + html[end:] if end >= 0 else html + block


def document_base(root: lxml.html.HtmlElement, page_url: str) -> str:
    bases = root.xpath("//base[@href]")
    return urljoin(page_url, bases[0].get("href").strip()) if bases else page_url

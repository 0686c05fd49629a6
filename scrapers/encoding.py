"""Bytes of an HTML page to text, for sites whose charset declarations cannot be trusted.

Chinese sites often declare gb2312 while serving GBK (names such as 镕 or 喆 are not in
GB2312), and some re-encoded pages declare gb2312 while being UTF-8. Every declared charset
is therefore only a candidate that must decode the body strictly.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Declared names mapped to the superset that decodes what servers really send.
_WIDER = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "csbig5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    # WHATWG: browsers read these labels as windows-1252, and so do we.
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:\-]+)""", re.IGNORECASE)
# Covers both <meta charset="x"> and <meta http-equiv=... content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:\-]+)""", re.IGNORECASE)
# The XML declaration's encoding, which names a feed's charset when the header does not.
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([\w.:\-]+)["']""", re.I)
_SNIFF_BYTES = 4096
_SINGLE_BYTE = frozenset({"cp1252", "latin-1", "ascii", "mac-roman", "cp437", "cp850"})


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def charset_from_content_type(value: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, lower-cased, if any."""
    if not value:
        return None
    match = _HEADER_CHARSET.search(value)
    return match.group(1).lower() if match else None


def widen_charset(name: str) -> str:
    """The codec to decode a declared charset with: a superset for the Chinese ones."""
    label = name.strip().strip("\"'").lower()
    if label in _WIDER:
        return _WIDER[label]
    try:
        canonical = codecs.lookup(label).name
    except LookupError:
        return label
    return _WIDER.get(canonical, canonical)


def decode_html(body: bytes, content_type: str | None = None) -> DecodedText:
    """Decode an HTML page, trusting the bytes over any declaration."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return DecodedText(body[len(bom) :].decode(encoding, errors="replace"), encoding)
    text = _strict(body, "utf-8")
    if text is not None and "\x00" not in text:  # NULs mean UTF-16/32 without a BOM
        return DecodedText(text, "utf-8")
    for encoding in _declared_charsets(body, content_type):
        text = _strict(body, encoding)
        if text is not None:
            return DecodedText(text, encoding)
    return _guess(body)


def decode_feed(body: bytes, content_type: str | None = None) -> DecodedText:
    """Decode an RSS/Atom feed the way pages are decoded, declarations being candidates.

    When nothing decodes strictly (GBK bytes in a feed declared UTF-8, three stray bytes
    in a UTF-8 one), the reading with the fewest replacement characters wins, so a few bad
    bytes cost a few characters instead of every title.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return DecodedText(body[len(bom) :].decode(encoding, errors="replace"), encoding)
    declared = _feed_charsets(body, content_type)
    for encoding in ["utf-8", *declared]:
        text = _strict(body, encoding)
        if text is not None and (encoding != "utf-8" or "\x00" not in text):
            return DecodedText(text, encoding)
    if not declared:
        best = from_bytes(body).best()  # an undeclared Big5 feed, say
        text = _strict(body, widen_charset(best.encoding)) if best is not None else None
        if best is not None and text is not None:
            return DecodedText(text, widen_charset(best.encoding))
    candidates = [*declared, *(e for e in ("utf-8", "gb18030") if e not in declared)]
    return _fewest_replacements(body, candidates)


def _feed_charsets(body: bytes, content_type: str | None) -> list[str]:
    names = [charset_from_content_type(content_type)]
    match = _XML_ENCODING.match(body[:_SNIFF_BYTES])
    names.append(match.group(1).decode("ascii") if match else None)
    out: list[str] = []
    for name in names:
        if name and _known_codec(widen_charset(name)) and widen_charset(name) not in out:
            out.append(widen_charset(name))
    return sorted(out, key=_is_single_byte)


def _known_codec(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def _fewest_replacements(body: bytes, encodings: list[str]) -> DecodedText:
    """The reading that loses the fewest characters; the first listed wins a tie."""
    readings = [DecodedText(body.decode(enc, errors="replace"), enc) for enc in encodings]
    return min(readings, key=lambda reading: reading.text.count("\ufffd"))


def _declared_charsets(body: bytes, content_type: str | None) -> list[str]:
    """Header charset, then <meta> ones, widened; single-byte ones last.

    A single-byte codec "decodes" any bytes, so a server default such as
    ``charset=ISO-8859-1`` must not hide the page's own ``<meta charset=gb2312>``.
    """
    declared = [charset_from_content_type(content_type)]
    declared += [
        m.group(1).decode("ascii", "replace") for m in _META_CHARSET.finditer(body[:_SNIFF_BYTES])
    ]
    candidates: list[str] = []
    for name in declared:
        if name and widen_charset(name) not in candidates:
            candidates.append(widen_charset(name))
    return sorted(candidates, key=_is_single_byte)  # stable: keeps header-before-meta


def _is_single_byte(encoding: str) -> bool:
    return encoding in _SINGLE_BYTE or encoding.startswith(("iso8859", "cp125", "koi8"))


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _guess(body: bytes) -> DecodedText:
    best = from_bytes(body).best()
    if best is not None:
        encoding = widen_charset(best.encoding)
        return DecodedText(_strict(body, encoding) or str(best), encoding)
    # Damaged bytes: keep whichever reading loses fewer characters.
    return _fewest_replacements(body, ["gb18030", "utf-8"])

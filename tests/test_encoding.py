"""Page bytes to text when charset declarations are wrong, missing or too narrow."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from ieiwatch.scrapers.encoding import (
    DecodedText,
    charset_from_content_type,
    decode_html,
    widen_charset,
)

PAGES = Path(__file__).parent / "data" / "pages"
GBK_PAGE = PAGES / "gbk-declared-gb2312.html"
UTF8_LYING_PAGE = PAGES / "utf8-declared-gb2312.html"
BIG5_PAGE = PAGES / "big5hkscs-declared-big5.html"


def _gbk_bytes() -> bytes:
    return GBK_PAGE.read_bytes()


def test_fixture_is_a_real_trap() -> None:
    # 镕 and 喆 are GBK-only: a strict gb2312 or utf-8 decode of this page must fail.
    body = _gbk_bytes()
    for encoding in ("gb2312", "utf-8"):
        with pytest.raises(UnicodeDecodeError):
            body.decode(encoding)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/html",
        "text/html; charset=gb2312",
        "text/html; charset=utf-8",  # a lying header
        "text/html; charset=iso-8859-1",  # a lying header that decodes anything
    ],
)
def test_gbk_page_declared_gb2312_decodes_as_gb18030(content_type: str | None) -> None:
    decoded = decode_html(_gbk_bytes(), content_type)
    assert decoded.encoding == "gb18030"
    assert "朱镕基图书馆与王喆教授团队" in decoded.text
    assert "\ufffd" not in decoded.text


def test_gbk_page_without_any_declaration_is_detected() -> None:
    body = re.sub(rb"<meta http-equiv[^>]*>", b"", _gbk_bytes())
    decoded = decode_html(body, "text/html")
    assert "朱镕基图书馆与王喆教授团队" in decoded.text
    assert decoded.encoding == "gb18030"


@pytest.mark.parametrize(
    "content_type", [None, "text/html; charset=gb2312", "text/html; charset=GBK"]
)
def test_utf8_page_declaring_gb2312_stays_utf8(content_type: str | None) -> None:
    decoded = decode_html(UTF8_LYING_PAGE.read_bytes(), content_type)
    assert decoded == DecodedText(UTF8_LYING_PAGE.read_text(encoding="utf-8"), "utf-8")
    assert "同学们走访了喆、镕等生僻字" in decoded.text


def test_big5_page_with_hkscs_characters() -> None:
    decoded = decode_html(BIG5_PAGE.read_bytes(), "text/html")
    assert decoded.encoding == "big5hkscs"
    assert "負責計劃嘅陳喆教授" in decoded.text
    assert "\ufffd" not in decoded.text


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_bom_beats_header_and_meta(bom: bytes, encoding: str) -> None:
    html = '<meta charset="gbk"><p>产教融合</p>'
    decoded = decode_html(bom + html.encode(encoding), "text/html; charset=gbk")
    assert decoded == DecodedText(html, encoding)


def test_meta_charset_attribute_form() -> None:
    html = '<html><head><meta charset="GB2312"></head><body>镕喆产教融合</body></html>'
    decoded = decode_html(html.encode("gb18030"))
    assert decoded.encoding == "gb18030"
    assert "镕喆产教融合" in decoded.text


def test_damaged_bytes_never_raise() -> None:
    # A GBK page cut in the middle of a two-byte character.
    body = _gbk_bytes()
    cut = body[: body.index("双方".encode("gbk")) + 1]
    decoded = decode_html(cut, "text/html; charset=gb2312")
    assert "朱镕基图书馆" in decoded.text


def test_empty_body() -> None:
    assert decode_html(b"").text == ""


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("gb2312", "gb18030"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("cp936", "gb18030"),
        ('"gb2312"', "gb18030"),
        ("gb18030", "gb18030"),
        ("big5", "big5hkscs"),
        ("Big5", "big5hkscs"),
        ("utf8", "utf-8"),
        ("UTF-8", "utf-8"),
        ("iso-8859-1", "cp1252"),
        ("no-such-charset", "no-such-charset"),
    ],
)
def test_widen_charset(declared: str, codec: str) -> None:
    assert widen_charset(declared) == codec


@pytest.mark.parametrize(
    ("value", "charset"),
    [
        ("text/html; charset=gb2312", "gb2312"),
        ('text/html; charset="GBK"', "gbk"),
        ("text/html;charset=UTF-8;foo=bar", "utf-8"),
        ("text/html", None),
        ("", None),
        (None, None),
    ],
)
def test_charset_from_content_type(value: str | None, charset: str | None) -> None:
    assert charset_from_content_type(value) == charset

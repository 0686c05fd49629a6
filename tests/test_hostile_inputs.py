"""Hostile input where it enters (issue 15): caps and cleaning of web text, the classifier's
running time on pathological text, malformed links, feed charsets, IPv6 literals, bounded
decompression and capped error messages."""

from __future__ import annotations

import gzip
import time
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ieiwatch.classify import classify
from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import AppConfig, ConfigError, Settings, load_config
from ieiwatch.domain.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from ieiwatch.flows.polling import record_source_failure
from ieiwatch.flows.runtime import RunContext, open_store
from ieiwatch.scrapers.decoding import PIECE, BadEncoding, BodyDecoder
from ieiwatch.scrapers.encoding import decode_feed
from ieiwatch.scrapers.feed import parse_feed
from ieiwatch.scrapers.listing import MAX_LIST_ITEMS, parse_list_page
from ieiwatch.scrapers.models import ListedItem, ScrapedArticle
from ieiwatch.scrapers.safety import LinkPolicy, check_link
from ieiwatch.scrapers.urls import InvalidLink, canonicalize
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import session_scope

HOSTILE = Path(__file__).parent / "data" / "hostile"
HOSTILE_TEXT = "A\x00B\x1b[2J C\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07 \u202eexe.gpj"

# ------------------------------------------------------------------ the classifier


def _seconds(title: str, text: str) -> float:
    classify("warm-up", "")  # rules load once; not what is measured
    start = time.perf_counter()
    classify(title=title, text=text)
    return time.perf_counter() - start


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("T" * 40_000, "T" * 20_000),  # was 47 s for the title alone
        ("x", "T, " * 7_000),  # a comma after each capital: was 19 s at 20k characters
        ("x", "Ab, " * 5_000),
        ("x", "TT, the " * 2_500),
        ("x", "Mary Smith, " * 2_000),
        ("x", "大学" * 10_000),  # one suffix after another: every span against every span
        ("T" * 1_000_000, "T, " * 1_000_000),  # megabytes: cut at the entry
    ],
)
def test_classifying_pathological_text_takes_well_under_a_second(title: str, text: str) -> None:
    assert _seconds(title, text) < 1.0


def test_classification_of_ordinary_items_is_unchanged_by_the_caps() -> None:
    title = "Mary Smith, Vice-President of Orion Robotics, signs agreement with Lakeside University"
    result = classify(title, "Orion Robotics and Lakeside University signed a cooperation deal.")
    assert result.relevant
    assert "Mary Smith" not in [p.name for p in result.parties]


# ------------------------------------------------------------------ text at entry


def test_scraped_text_is_cleaned_and_capped_where_it_enters() -> None:
    item = ListedItem("http://a.cn/1", HOSTILE_TEXT + "T" * 1_000_000, summary=HOSTILE_TEXT)
    article = ScrapedArticle("http://a.cn/1", HOSTILE_TEXT, None, "x\x00" * MAX_TEXT_CHARS)
    for text in (item.title, item.summary, article.title, article.text):
        assert not any(c in text for c in "\x00\x1b\x07\u202e")
    assert len(item.title) <= MAX_TITLE_CHARS and len(article.text) <= MAX_TEXT_CHARS
    assert article.title == "AB Clink exe.gpj"


def test_a_three_million_character_error_is_kept_cut_short(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = AppConfig.model_validate(
        {"sources": [{"name": "s", "kind": "feed", "url": "http://a.cn/feed"}]}
    )
    engine = open_store(settings, config)
    try:
        ctx = RunContext(settings, config, engine, fetcher=None)  # type: ignore[arg-type]
        record_source_failure(ctx, "s", "E\x1b[2J" + "x" * 3_000_000)
        with session_scope(engine) as session:
            row = source_store.get_source(session, "s")
            assert row is not None and row.last_error is not None
            assert len(row.last_error) <= 2000 and "\x1b" not in row.last_error
    finally:
        engine.dispose()


# ------------------------------------------------------------------ links


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://[::1]:8080/a?b=1#x", "http://[::1]:8080/a?b=1"),
        ("HTTP://[::FFFF:127.0.0.2]:80/", "http://[::ffff:127.0.0.2]/"),
        ("http://[2001:DB8::1]/x", "http://[2001:db8::1]/x"),
    ],
)
def test_ipv6_literals_keep_their_brackets(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical
    assert canonicalize(canonical) == canonical


def test_a_canonical_ipv6_link_is_judged_by_its_address_not_as_hostless() -> None:
    problem = check_link(canonicalize("http://[::ffff:127.0.0.2]:81/"), LinkPolicy("a.cn"))
    assert problem is not None and "loopback" in problem


@pytest.mark.parametrize("url", ["http://a.cn:99999/x", "http://[::1/x", "http://[zz]/y"])
def test_a_link_no_request_can_be_made_for_is_an_invalid_link(url: str) -> None:
    with pytest.raises(InvalidLink, match="invalid link"):
        canonicalize(url)


def test_one_malformed_link_in_a_list_page_skips_that_item_only() -> None:
    html = (
        "<ul><li><a href='/a.htm'>Good one</a></li>"
        "<li><a href='http://a.cn:99999/x'>Port</a></li>"
        "<li><a href='http://[::1/x'>IPv6</a></li>"
        "<li><a href='/b.htm'>Good two</a></li></ul>"
    )
    skipped: list[str] = []
    items = parse_list_page(html, "http://a.cn/list.htm", item_selector="li", skipped=skipped)
    assert [i.title for i in items] == ["Good one", "Good two"]
    assert len(skipped) == 2 and "99999" in skipped[0]


def test_one_malformed_link_in_a_feed_skips_that_entry_only() -> None:
    parsed = parse_feed((HOSTILE / "bad_links.xml").read_bytes(), None, "http://a.cn/f.xml")
    assert [i.url for i in parsed.items] == ["http://a.cn/art/201.htm?v=badlinks"]
    assert parsed.warning is not None and "skipped 1 item(s)" in parsed.warning


def test_a_list_of_100k_links_is_read_up_to_the_cap_with_a_note() -> None:
    html = "<ul>" + "".join(f"<li><a href=/a/{i}>{i}</a>" for i in range(100_000)) + "</ul>"
    skipped: list[str] = []
    start = time.perf_counter()
    items = parse_list_page(html, "http://a.cn/", item_selector="li", skipped=skipped)
    assert len(items) == MAX_LIST_ITEMS and "100000 items listed" in skipped[0]
    assert time.perf_counter() - start < 5


def test_a_config_url_with_port_99999_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(
        "sources:\n  - name: news\n    kind: feed\n    url: http://a.cn:99999/feed\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load_config(path, environ={})
    assert "sources[0].url" in str(refused.value) and "Port out of range" in str(refused.value)
    register_commands()
    result = CliRunner().invoke(app, ["sources", "list", "--config", str(path)])
    assert result.exit_code == 2 and "sources[0].url" in result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ feed charsets


def test_gbk_bytes_in_a_feed_declared_utf8_decode_as_gbk() -> None:
    body = (HOSTILE / "gbk_declared_utf8.xml").read_bytes()
    parsed = parse_feed(body, "application/rss+xml; charset=utf-8", "http://a.cn/f.xml")
    assert parsed.items[0].title == "11月14日上午，滨江大学与华信科技有限公司签署产学研合作协议"


def test_stray_bytes_in_a_utf8_feed_cost_only_those_bytes() -> None:
    body = (HOSTILE / "stray_bytes_utf8.xml").read_bytes()
    first, second = parse_feed(body, "application/rss+xml", "http://a.cn/f.xml").items
    assert first.title.startswith("滨江大学与华信科技签署") and first.title.endswith(
        "签署合作协议"[2:]
    )
    assert first.title.count("\ufffd") <= 3
    assert second.title == "南湖职业技术学院举行2025级新生开学典礼"


def test_a_feed_decoding_prefers_strict_readings() -> None:
    text = "<?xml version='1.0' encoding='gb2312'?><rss>镕</rss>"
    assert decode_feed(text.encode("gb18030")).text == text  # gb2312 read as its superset


# ------------------------------------------------------------------ decompression


def _decoded(decoder: BodyDecoder, body: bytes, chunk: int = 1000) -> bytes:
    out = bytearray()
    for i in range(0, len(body), chunk):
        for piece in decoder.decode(body[i : i + chunk]):
            assert len(piece) <= PIECE
            out += piece
    for piece in decoder.flush():
        out += piece
    return bytes(out)


@pytest.mark.parametrize(
    ("header", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # RFC 9110's deflate: zlib format
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some send
        ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
        ("gzip", lambda data: gzip.compress(data[:500]) + gzip.compress(data[500:])),
        ("identity", lambda data: data),
    ],
)
def test_bodies_decode_in_bounded_pieces(header: str, encode: object) -> None:
    data = b"news item " * 50_000
    body = encode(data)  # type: ignore[operator]
    assert _decoded(BodyDecoder.for_header("http://a.cn/", header), body) == data


@pytest.mark.parametrize("header", ["br", "gzip, gzip, gzip, gzip, gzip", "compress"])
def test_encodings_we_did_not_ask_for_are_refused(header: str) -> None:
    with pytest.raises(BadEncoding):
        BodyDecoder.for_header("http://a.cn/", header)


def test_a_corrupt_gzip_body_is_a_clear_error() -> None:
    with pytest.raises(BadEncoding, match="corrupt"):
        _decoded(BodyDecoder.for_header("http://a.cn/", "gzip"), b"\x1f\x8b not gzip at all")

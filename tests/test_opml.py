"""OPML: ``sources import FILE.opml`` appends the feeds not configured yet (the config file's
comments kept); ``sources export`` prints the feed sources as OPML 2.0."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import load_config
from ieiwatch.scrapers.opml import FeedOutline, OpmlError, read_opml, write_opml

register_commands()

CONFIG = """\
# feeds first, pages later
sources:
  - name: moe-news   # the ministry
    kind: feed
    url: https://www.moe.example.cn/rss.xml
  - name: donghu
    kind: html
    url: https://news.donghu.example.edu.cn/xyxw.htm
    item_selector: "ul.news > li"
"""

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>reader export</title></head>
  <body>
    <outline text="Universities">
      <outline type="rss" text="Ministry" xmlUrl="https://www.moe.example.cn/rss.xml"/>
      <outline type="rss" text="Tsinghua news" xmlUrl="https://news.thu.example.edu.cn/feed.xml"
               htmlUrl="https://news.thu.example.edu.cn/"/>
    </outline>
    <outline type="rss" title="Industry" text="ignored" xmlUrl="https://industry.example.com/atom.xml"/>
    <outline type="rss" text="not a web feed" xmlUrl="ftp://old.example.com/feed"/>
  </body>
</opml>
"""


def test_import_appends_the_new_feeds_and_keeps_the_file_as_it_was(tmp_path: Path) -> None:
    config, opml = tmp_path / "ieiwatch.yaml", tmp_path / "reader.opml"
    config.write_text(CONFIG, encoding="utf-8")
    opml.write_bytes(OPML)
    result = CliRunner().invoke(app, ["sources", "import", str(opml), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "2 of 3 feeds added" in result.output  # the ministry's feed is configured already
    text = config.read_text(encoding="utf-8")
    assert text.startswith(CONFIG)  # comments, order and quoting untouched
    sources = load_config(config).sources
    assert [(s.name, s.kind, s.url) for s in sources[2:]] == [
        ("news.thu.example.edu.cn-feed", "feed", "https://news.thu.example.edu.cn/feed.xml"),
        ("industry.example.com-atom", "feed", "https://industry.example.com/atom.xml"),
    ]
    again = CliRunner().invoke(app, ["sources", "import", str(opml), "--config", str(config)])
    assert "0 of 3 feeds added" in again.output


def test_export_lists_the_feed_sources_as_opml_2(tmp_path: Path) -> None:
    config = tmp_path / "ieiwatch.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    result = CliRunner().invoke(app, ["sources", "export", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert '<opml version="2.0">' in result.output
    assert read_opml(result.output.encode()) == [
        FeedOutline("moe-news", "https://www.moe.example.cn/rss.xml")
    ]


def test_written_opml_reads_back_the_same_feeds() -> None:
    feeds = [
        FeedOutline(
            "东湖 & 新闻 <要闻>", "https://a.example.cn/rss?x=1&y=2", "https://a.example.cn/"
        ),
        FeedOutline("b", "https://b.example.cn/atom.xml"),
    ]
    assert read_opml(write_opml(feeds, "t").encode()) == feeds


def test_an_external_entity_in_an_opml_file_is_refused_not_read() -> None:
    hostile = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body>
<outline text="&secret;" xmlUrl="https://a.example.cn/rss.xml"/></body></opml>"""
    with pytest.raises(OpmlError, match="external entity") as refused:
        read_opml(hostile)
    assert "root:" not in str(refused.value)


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"<rss version='2.0'/>", "root element is <rss>"), (b"not xml", "not an OPML file")],
)
def test_a_file_that_is_not_opml_is_refused_by_name(content: bytes, why: str) -> None:
    with pytest.raises(OpmlError, match=why):
        read_opml(content)

"""Reclassifying stored articles after the classifier changed."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from ieiwatch.classify import CLASSIFIER_VERSION, Classification
from ieiwatch.config import load_config
from ieiwatch.config.schema import SourceConfig
from ieiwatch.flows.ingest import to_store
from ieiwatch.flows.reclassify import configured_publishers, reclassify_all
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article
from ieiwatch.storage.sources import sync_sources

TITLE = "滨江职业技术学院与星辰智能制造有限公司签署校企合作协议 共建智能制造产业学院"


def _stale(relevant: bool) -> Classification:
    return Classification(
        relevant=relevant,
        score=0.1,
        type=None,
        parties=[],
        region=None,
        sectors=[],
        evidence=[],
        lang="zh",
        version="rules-0",
    )


def test_reclassify_redoes_only_older_versions_and_counts_changes(engine: Engine) -> None:
    with session_scope(engine) as s:
        src = sync_sources(s, [SourceConfig(name="u", kind="feed", url="http://x.cn/f")])["u"]
        texts = [(TITLE, TITLE + "。双方将共建产业学院、共建实训基地。")] + [
            (f"校园简讯{i}", f"第{i}条校园新闻，学校举行运动会。" * 5) for i in (1, 2)
        ]
        batch = [
            to_store(
                ScrapedArticle(
                    f"http://x.cn/{i}.htm", title, datetime(2025, 9, 1, tzinfo=UTC), text
                ),
                _stale(False),
            )
            for i, (title, text) in enumerate(texts)
        ]
        articles.insert_new(s, src.id or 0, batch)
    first = reclassify_all(engine)
    second = reclassify_all(engine)
    everything = reclassify_all(engine, everything=True)
    assert (first.examined, first.changed) == (3, 1)
    assert second.examined == 0 and everything.examined == 3
    with session_scope(engine) as s:
        stored = {a.url: a for a in s.exec(select(Article))}
    college = stored["http://x.cn/0.htm"]
    assert college.relevant and college.type == "industry_college"
    assert college.classifier_version == CLASSIFIER_VERSION


SELF_TITLE = "我校与澜海储能集团签署校企合作协议"
SELF_TEXT = "5月1日，我校与澜海储能集团有限公司签署校企合作协议，共建储能实训基地。"


def test_reclassifying_tells_each_article_its_publisher_again(
    engine: Engine, tmp_path: Path
) -> None:
    """我校 stays the school after a reclassification: the publisher stored with the article
    (told at ingest), else, for an article stored before, its source's configured one."""
    config = tmp_path / "ieiwatch.yaml"
    config.write_text(
        "sources:\n"
        "  - {name: old, kind: feed, url: 'http://old.cn/f', publisher: 滨江职业技术学院}\n"
        "  - {name: new, kind: feed, url: 'http://new.cn/f'}\n",
        encoding="utf-8",
    )
    with session_scope(engine) as s:
        ids = sync_sources(s, load_config(config).sources)
        page = ScrapedArticle("http://x.cn/1.htm", SELF_TITLE, None, SELF_TEXT)
        other = ScrapedArticle(
            "http://x.cn/2.htm", SELF_TITLE, None, SELF_TEXT + "双方还将共建产业学院。"
        )
        articles.insert_new(s, ids["old"].id or 0, [to_store(page, _stale(False))])
        articles.insert_new(
            s, ids["new"].id or 0, [to_store(other, _stale(False), publisher="东海职业技术学院")]
        )
    report = reclassify_all(engine, publishers=configured_publishers(engine, config))
    assert report.examined == 2
    with session_scope(engine) as s:
        shown = {a.url: [p.name for p in a.parties] for a in s.exec(select(Article))}
    assert "滨江职业技术学院" in shown["http://x.cn/1.htm"]
    assert "东海职业技术学院" in shown["http://x.cn/2.htm"]
    assert not {"我校", "学校"} & {name for names in shown.values() for name in names}


def test_reclassifying_without_a_config_file_needs_only_the_database(
    engine: Engine, tmp_path: Path
) -> None:
    assert configured_publishers(engine, tmp_path / "missing.yaml") == {}

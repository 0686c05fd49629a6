"""Analysts' marks (storage/marks.py and `ieiwatch items mark`), and the search index kept
in step with the articles, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, inspect
from test_web_fixtures import fill, sample
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.domain import Party
from ieiwatch.storage import migrations
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.marks import MarkError, export_marks, list_marks, mark_article
from ieiwatch.storage.models import Article
from ieiwatch.storage.search import (
    FTS_TABLE,
    TRGM_INDEX,
    ItemFilter,
    create_search_index,
    drop_search_index,
    find_items,
)

register_commands()
ZJU = "https://news.example.edu.cn/2026/0301/c1.html"
LAB = "https://jyt.example.gov.cn/art/2026/2/20/art_2.html"


def found(engine: Engine, q: str) -> list[str]:
    with session_scope(engine) as session:
        return [a.title for a in find_items(session, ItemFilter(q=q)).items]


def test_a_mark_changes_what_is_shown_and_keeps_what_the_classifier_said(engine: Engine) -> None:
    ids = fill(engine)
    with session_scope(engine) as session:
        mark_article(session, ids[LAB], relevant=True, type="training_base", by="li")
        mark_article(
            session,
            ids[LAB],
            relevant=True,
            parties=["深圳职业技术大学", Party("华为", "enterprise"), "深圳职业技术大学"],
            by="wang",
        )
    with session_scope(engine) as session:
        article = session.get(Article, ids[LAB])
        assert article is not None and article.corrected
        assert article.type == "training_base"  # the second mark kept the first one's type
        assert [(p.name, p.kind) for p in article.parties] == [
            ("深圳职业技术大学", "vocational_school"),  # the kind the classifier gave the name
            ("华为", "enterprise"),
        ]
        (row,) = list_marks(session)
    assert (row.by, row.type, row.relevant) == ("wang", "training_base", True)
    assert row.predicted["type"] == "joint_lab"  # the classifier's, not the first mark's
    assert row.predicted["classifier_version"] == "test"


def test_a_not_relevant_mark_clears_the_type_and_exports_as_a_labelled_row(
    engine: Engine,
) -> None:
    ids = fill(engine)
    with session_scope(engine) as session:
        mark_article(session, ids[ZJU], relevant=False)
        (row,) = export_marks(session)
        article = session.get(Article, ids[ZJU])
        assert article is not None
        assert (article.relevant, article.type) == (False, None)
    assert {k: row[k] for k in ("id", "lang", "relevant", "type")} == {
        "id": f"mark-{ids[ZJU]}",
        "lang": "zh",
        "relevant": False,
        "type": None,
    }
    assert row["title"].startswith("浙江大学") and row["text"] and row["url"] == ZJU
    assert "parties" not in row  # not judged


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"article_id": 999, "relevant": True}, "no stored article with id 999"),
        ({"relevant": True, "type": "party"}, "unknown type 'party'"),
        ({"relevant": False, "type": "joint_lab"}, "has no type"),
    ],
)
def test_impossible_marks_are_refused_naming_the_problem(
    sqlite_url: str, kwargs: dict[str, object], message: str
) -> None:
    engine = make_engine(sqlite_url)
    migrations.upgrade(engine)
    ids = fill(engine)
    arguments = {"article_id": ids[ZJU], **kwargs}
    with session_scope(engine) as session, pytest.raises(MarkError, match=message):
        mark_article(session, **arguments)  # type: ignore[arg-type]
    engine.dispose()


def test_the_search_index_follows_inserts_edits_and_deletions(engine: Engine) -> None:
    ids = fill(engine)
    assert len(found(engine, "宁德时代")) == 2
    with session_scope(engine) as session:
        source_id = session.get(Article, ids[ZJU]).source_id  # type: ignore[union-attr]
        added = Article(
            source_id=source_id,
            url="https://example.cn/new",
            url_key="new",
            title="比亚迪与某大学合作",
            text="比亚迪股份有限公司与某大学签约",
            content_hash="new",
        )
        session.add(added)
        session.flush()
        new_id = added.id
    assert found(engine, "比亚迪股份") == ["比亚迪与某大学合作"]
    with session_scope(engine) as session:
        article = session.get(Article, new_id)
        assert article is not None
        article.title, article.text = "海尔与某学院共建实验室", "海尔集团与某学院共建实验室"
        session.add(article)
    assert found(engine, "比亚迪股份") == []
    assert found(engine, "海尔集团") == ["海尔与某学院共建实验室"]
    with session_scope(engine) as session:
        session.delete(session.get(Article, new_id))
    assert found(engine, "海尔集团") == []


def test_the_search_index_is_made_by_the_migration_and_can_be_dropped(engine: Engine) -> None:
    fill(engine)
    with engine.connect() as conn:
        names = _search_objects(conn)
    assert names, "migration 0004 made the search index"
    with engine.begin() as conn:
        drop_search_index(conn)
        assert _search_objects(conn) == set()
        create_search_index(conn)  # also fills it from the stored articles
    assert len(found(engine, "宁德时代")) == 2
    with engine.connect() as conn:
        assert migrations.schema_differences(conn, __import__("sqlmodel").SQLModel.metadata) == []


def _search_objects(conn: object) -> set[str]:
    inspector = inspect(conn)
    if inspector.dialect.name == "sqlite":
        return {t for t in inspector.get_table_names() if t == FTS_TABLE}
    return {i["name"] for i in inspector.get_indexes("articles") if i["name"] == TRGM_INDEX} | {
        name
        for (name,) in conn.exec_driver_sql(  # type: ignore[attr-defined]
            "SELECT indexname FROM pg_indexes WHERE indexname = %(n)s "
            "AND schemaname = current_schema()",
            {"n": TRGM_INDEX},
        )
    }


def test_items_mark_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'ieiwatch.db'}"
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", url)
    config = tmp_path / "ieiwatch.yaml"
    config.write_text(yaml.safe_dump({"sources": sample()["sources"]}), encoding="utf-8")
    engine = make_engine(url)
    migrations.upgrade(engine)
    ids = fill(engine)
    runner = CliRunner()
    marked = runner.invoke(
        app,
        [
            "items",
            "mark",
            str(ids[LAB]),
            "--relevant",
            "--type",
            "training_base",
            "--party",
            "深圳职业技术大学",
            "--party",
            "华为技术有限公司",
            "--config",
            str(config),
        ],
    )
    assert marked.exit_code == 0, marked.output
    assert "training_base" in marked.output
    refused = runner.invoke(
        app, ["items", "mark", "999", "--not-relevant", "--config", str(config)]
    )
    assert refused.exit_code == 1 and "no stored article with id 999" in refused.output
    exported = runner.invoke(app, ["items", "marks", "--config", str(config)])
    (row,) = [json.loads(line) for line in exported.output.splitlines()]
    assert row["type"] == "training_base"
    assert row["parties"] == ["深圳职业技术大学", "华为技术有限公司"]
    engine.dispose()


def test_reclassifying_keeps_what_an_analyst_corrected(engine: Engine) -> None:
    from ieiwatch.flows.reclassify import reclassify_batch

    ids = fill(engine)
    with session_scope(engine) as session:
        mark_article(session, ids[LAB], relevant=False, by="li")
    reclassify_batch(engine, 0, everything=True)  # the classifier would call it a joint lab
    with session_scope(engine) as session:
        article = session.get(Article, ids[LAB])
        assert article is not None and article.corrected
        assert (article.relevant, article.type) == (False, None)
        assert article.classifier_version != "test"  # the rest was reclassified

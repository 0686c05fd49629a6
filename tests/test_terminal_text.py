"""Web text printed on the operator's terminal carries no escapes, NUL or bidi overrides
(issue 15.17): a hostile page must not clear the screen, plant links or reverse text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from ieiwatch.classify import Classification, Party
from ieiwatch.cli.common import echo, shown
from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import AppConfig
from ieiwatch.flows.ingest import to_store
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import session_scope

HOSTILE = "\x1b[2J\x1b]8;;http://evil.example/\x07点我\x1b]8;;\x07\x00滨江大学\u202egpj.exe"
STORED = HOSTILE.replace("\x00", "")
"""What a database can hold (PostgreSQL refuses NUL)."""
UNSAFE = ("\x1b", "\x00", "\x07", "\u202e")


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(
        "sources:\n  - {name: binjiang, kind: feed, url: 'http://127.0.0.1:1/f.xml'}\n",
        encoding="utf-8",
    )
    return path


def _hostile_store(engine: Engine) -> None:
    config = AppConfig.model_validate(
        {"sources": [{"name": "binjiang", "kind": "feed", "url": "http://127.0.0.1:1/f.xml"}]}
    )
    cls = Classification(
        relevant=True,
        score=0.9,
        type="joint_lab",
        parties=[Party("滨江大学", "university")],
        region=None,
        sectors=[],
        evidence=["共建"],
        lang="zh",
        version="test",
    )
    scraped = ScrapedArticle(
        url="https://news.binjiang.edu.cn/1.htm",
        title=STORED,
        text="正文",
        published_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    with session_scope(engine) as s:
        src = source_store.sync_sources(s, config.sources)["binjiang"]
        # Stored as a hostile site sent it: the screen is guarded where text leaves.
        row = replace(to_store(scraped, cls), title=STORED)
        articles.insert_new(s, src.id or 0, [row])
        source_store.record_failure(s, src, f"HTTP 500: {STORED}")


@pytest.mark.parametrize("command", [["items", "list"], ["sources", "list"]])
def test_stored_web_text_reaches_the_terminal_without_escapes(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    _hostile_store(engine)
    register_commands()
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", database_url)
    args = command + (["--config", str(_config(tmp_path))] if command[0] == "sources" else [])
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not any(c in result.output for c in UNSAFE)
    assert "滨江大学" in result.output


def test_the_terminal_helpers_keep_layout_and_drop_escapes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert shown(f"标题\n{HOSTILE}") == "标题 点我滨江大学gpj.exe"
    echo(f"  column  {HOSTILE}\nnext line")
    out = capsys.readouterr().out
    assert out == "  column  点我滨江大学gpj.exe\nnext line\n"

"""Commands that only look (``items list``, ``sources list``, ``subscribers list``,
``deliveries list``) open the database read-only: they create, migrate, sync and write
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import Settings, load_config
from ieiwatch.flows.runtime import open_store, read_store
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Source, Subscriber

register_commands()

LOOKING = [["items", "list"], ["sources", "list"], ["subscribers", "list"], ["deliveries", "list"]]


def _config(path: Path, sources: list[str], subscribers: list[str]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"name": n, "kind": "feed", "url": f"http://127.0.0.1:9/{n}.xml"}
                    for n in sources
                ],
                "subscribers": [
                    {"name": n, "notify": ["json://127.0.0.1:9/hook"]} for n in subscribers
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("command", LOOKING, ids=" ".join)
def test_looking_at_a_missing_database_creates_none(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "never.db"
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{db}")
    config = _config(tmp_path / "c.yaml", ["uni"], ["analyst"])
    result = CliRunner().invoke(
        app, [*command, "--config", str(config)] if command[0] != "items" else command
    )
    assert result.exit_code == 0, result.output
    assert not db.exists()
    if command[0] == "sources":
        assert "uni" in result.output and "new" in result.output
    if command[0] == "subscribers":
        assert "analyst" in result.output


def test_looking_does_not_sync_a_changed_config(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", database_url)
    settings = Settings()
    first = _config(tmp_path / "first.yaml", ["uni"], ["analyst"])
    open_store(settings, load_config(first)).dispose()
    edited = _config(tmp_path / "edited.yaml", ["uni", "bureau"], ["analyst", "office"])
    for command in LOOKING:
        args = [*command] if command[0] == "items" else [*command, "--config", str(edited)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(app, ["sources", "list", "--config", str(edited)]).output
    assert "bureau" in listed  # shown, as never polled …
    with read_store(settings) as session:
        assert session is not None
        sources = {s.name for s in session.exec(select(Source))}
        subscribers = {s.name for s in session.exec(select(Subscriber))}
    assert (sources, subscribers) == ({"uni"}, {"analyst"})  # … and not written


def test_a_read_only_session_refuses_to_write(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", database_url)
    settings = Settings()
    engine = open_store(settings, load_config(_config(tmp_path / "c.yaml", ["uni"], [])))
    with read_store(settings) as session:
        assert session is not None
        with pytest.raises(Exception, match=r"(?i)read.?only"):
            session.execute(text("UPDATE sources SET url = 'http://elsewhere/'"))
            session.commit()
    with session_scope(engine) as session:
        assert session.exec(select(Source)).one().url == "http://127.0.0.1:9/uni.xml"
    engine.dispose()

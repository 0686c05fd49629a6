"""Database mistakes give one paragraph naming the URL (password hidden) and exit 2, not a
driver traceback (issue 15.19)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import AppConfig, Settings
from ieiwatch.flows.runtime import open_store, read_store
from ieiwatch.storage.db import StoreUnavailable


def _open(url: str) -> StoreUnavailable:
    with pytest.raises(StoreUnavailable) as refused:
        open_store(Settings(database_url=url), AppConfig())
    return refused.value


def test_a_scheme_typo_names_the_url_without_its_password() -> None:
    error = _open("postgresq://ieiwatch:hunter2@db.example.org/ieiwatch")
    assert "hunter2" not in str(error)
    assert str(error).startswith("database postgresq://ieiwatch:***@db.example.org/ieiwatch:")
    assert "not a database URL ieiwatch can use" in str(error)


def test_a_sqlite_file_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    error = _open(f"sqlite:///{blocker}/ieiwatch.db")
    assert f"{blocker}/ieiwatch.db" in str(error)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_sqlite_file_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ieiwatch.db'}"
    open_store(Settings(database_url=url), AppConfig()).dispose()
    (tmp_path / "ieiwatch.db").chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        assert "read-only" in str(_open(url))
    finally:
        tmp_path.chmod(0o755)


def test_a_database_opened_read_only_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's own read-only mode stands in for a read-only file, which root can write.
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "ieiwatch.db"
    open_store(Settings(database_url=f"sqlite:///{path}"), AppConfig()).dispose()
    config = AppConfig.model_validate(
        {"sources": [{"name": "a", "kind": "feed", "url": "http://127.0.0.1:1/f.xml"}]}
    )
    with pytest.raises(StoreUnavailable) as refused:
        open_store(Settings(database_url=f"sqlite:///file:{path}?mode=ro&uri=true"), config)
    assert "attempt to write a readonly database (the file or its directory is read-only" in str(
        refused.value
    )
    # The URI filename is opened, not taken for a folder to make where ieiwatch runs.
    assert not (tmp_path / "file:").exists()


def test_nothing_listening_is_named() -> None:
    error = _open("postgresql://postgres:pw@127.0.0.1:1/ieiwatch")
    assert "postgresql+psycopg://postgres:***@127.0.0.1:1/ieiwatch" in str(error)
    assert "is the database server running?" in str(error)


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_named(postgres_base: str) -> None:
    url = postgres_base.rsplit("/", 1)[0] + "/no_such_ieiwatch_db"
    error = _open(url)
    assert "no_such_ieiwatch_db" in str(error) and "createdb" in str(error)


def test_read_only_commands_name_the_url_too() -> None:
    with (
        pytest.raises(StoreUnavailable),
        read_store(Settings(database_url="postgresql://u:pw@127.0.0.1:1/x")),
    ):
        pass


def test_the_command_line_exits_2_with_one_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    register_commands()
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", "postgresql://u:secretpw@127.0.0.1:1/x")
    result = CliRunner().invoke(app, ["items", "list"])
    assert result.exit_code == 2
    assert result.output.startswith("database postgresql+psycopg://u:***@127.0.0.1:1/x:")
    assert "secretpw" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_run_exits_2_before_starting_its_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "ieiwatch.yaml"
    config.write_text("sources:\n  - {name: a, kind: feed, url: 'http://127.0.0.1:1/f.xml'}\n")
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", "postgresql://u:secretpw@127.0.0.1:1/x")
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 2
    assert "is the database server running?" in result.output
    assert "secretpw" not in result.output and "Traceback" not in result.output

"""The schema is Alembic's: migrations match the models, create an empty database, adopt an
old one, and survive two processes migrating at once (SQLite, and PostgreSQL when it
answers, in a schema of its own)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel
from typer.testing import CliRunner

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config.schema import SourceConfig, SubscriberConfig
from ieiwatch.storage import migrations
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.schema_revision import HEAD_REVISION, stored_revision
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.subscribers import sync_subscribers

register_commands()

TABLES = {
    "sources",
    "stories",
    "articles",
    "subscribers",
    "deliveries",
    "backfill_checkpoints",
    "alembic_version",
}


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Fails when a model changed without a migration: `ieiwatch db revision -m "…"`."""
    with engine.connect() as conn:
        differences = migrations.schema_differences(conn, SQLModel.metadata)
    assert differences == [], (
        "storage/models.py and storage/migrations/versions disagree; write a migration with "
        f"`ieiwatch db revision -m '...'`: {differences}"
    )


def test_the_head_revision_read_without_alembic_is_the_newest_migration(engine: Engine) -> None:
    assert migrations.head_revision() == HEAD_REVISION, (
        "a migration was added: set storage/schema_revision.py HEAD_REVISION to its revision"
    )
    with engine.connect() as conn:
        assert stored_revision(conn) == migrations.current_revision(conn) == HEAD_REVISION
        conn.execute(text("DROP TABLE alembic_version"))
        assert stored_revision(conn) is None


def test_an_empty_database_gets_every_table_and_the_version_in_its_own_schema(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    try:
        result = migrations.upgrade(engine)
        again = migrations.upgrade(engine)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            schema = (
                conn.execute(text("SELECT current_schema()")).scalar()
                if engine.dialect.name == "postgresql"
                else None
            )
    finally:
        engine.dispose()
    assert (result.before, result.after) == (None, migrations.head_revision())
    assert not again.changed
    assert tables >= TABLES
    assert version == migrations.head_revision()
    if schema is not None:  # the URL's search_path schema, not public
        assert schema.startswith("t_")


def test_a_database_created_before_migrations_is_adopted(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        old = [t for name, t in SQLModel.metadata.tables.items() if name != "backfill_checkpoints"]
        SQLModel.metadata.create_all(engine, tables=old)
        result = migrations.upgrade(engine)
        with engine.connect() as conn:
            assert migrations.current_revision(conn) == migrations.head_revision()
            assert "backfill_checkpoints" in inspect(conn).get_table_names()
            assert migrations.schema_differences(conn, SQLModel.metadata) == []
    finally:
        engine.dispose()
    assert result.before is None and result.changed


def test_two_processes_migrating_and_syncing_at_once_both_succeed(database_url: str) -> None:
    """Two workers starting on a new database: one migrates, the other waits; both sync
    the same sources and subscribers without a unique-key error."""
    engines = [make_engine(database_url) for _ in range(2)]
    sources = [SourceConfig(name=f"s{i}", kind="feed", url=f"http://x.cn/{i}") for i in range(5)]
    subscribers = [
        SubscriberConfig(name=f"u{i}", notify=["json://127.0.0.1:9/h"]) for i in range(3)
    ]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(engine: Engine) -> None:
        try:
            start.wait()
            migrations.upgrade(engine)
            with session_scope(engine) as session:
                sync_sources(session, sources)
                sync_subscribers(session, [s.spec() for s in subscribers])
        except BaseException as exc:  # reported below, with the thread's own exception
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    try:
        assert errors == []
        with engines[0].connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM sources")).scalar() == 5
            assert conn.execute(text("SELECT count(*) FROM subscribers")).scalar() == 3
    finally:
        for e in engines:
            e.dispose()


def test_db_upgrade_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    second = runner.invoke(app, ["db", "upgrade"])
    current = runner.invoke(app, ["db", "current"])
    head = migrations.head_revision()
    assert first.exit_code == 0, first.output
    assert f"upgraded from empty to {head}" in first.output
    assert f"at {head} already" in second.output
    assert "up to date" in current.output

"""Engines and sessions: SQLite (WAL) by default, PostgreSQL by URL, same code for both."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from ieiwatch.storage import models  # noqa: F401  (registers the tables)


def normalise_database_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``; ``read_only`` refuses every write (and creates nothing)."""
    url = normalise_database_url(url)
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        if read_only:
            event.listen(engine, "begin", _postgres_read_only)
        return engine
    if read_only:
        return _sqlite_read_only(url)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory ones)."""
    url = normalise_database_url(url)
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def _sqlite_read_only(url: str) -> Engine:
    # SQLite's own read-only mode: no file is created and no lock beyond a reader's taken.
    path = sqlite_file(url)
    if path is None:
        return create_engine(url)
    uri = f"file:{path.resolve()}?mode=ro"
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False),
    )
    event.listen(engine, "connect", _sqlite_reader_pragmas)
    return engine


def _sqlite_reader_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _postgres_read_only(conn: Any) -> None:
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling would defer BEGIN; we issue it ourselves below.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in ("busy_timeout=30000", "synchronous=NORMAL", "foreign_keys=ON"):
        cur.execute(f"PRAGMA {pragma}")
    _wal(cur)
    cur.close()


def _wal(cur: Any, attempts: int = 100) -> None:
    """Switch to WAL (it persists in the file). Two processes opening a new database at
    once can both try: the loser gets "database is locked" at once, busy timeout or not,
    and finds WAL set by the other on a later try."""
    for _ in range(attempts):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.05)
    cur.execute("PRAGMA journal_mode=WAL")


def _sqlite_begin_immediate(conn: Any) -> None:
    # A deferred BEGIN that later writes fails at once with "database is locked" under
    # concurrent writers (the busy timeout is not used on upgrade); IMMEDIATE waits instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def init_db(engine: Engine) -> None:
    """Create or migrate the schema to the current revision (Alembic, storage/migrations)."""
    from ieiwatch.storage.migrations import upgrade

    upgrade(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def table_of(model: type[SQLModel]) -> Table:
    """The table behind a SQLModel class (set by SQLModel at class creation, unseen by type
    checkers)."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def dialect_of(session: Session) -> str:
    bind = session.get_bind()
    return bind.dialect.name if isinstance(bind, Engine) else bind.engine.dialect.name


def insert_for(session: Session) -> Callable[[Any], Any]:
    """The dialect's ``insert`` (with ``on_conflict_do_nothing``/``do_update``): inserts
    that lose a race to another writer are skipped instead of failing."""
    return pg_insert if dialect_of(session) == "postgresql" else sqlite_insert

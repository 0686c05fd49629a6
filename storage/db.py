"""Engines and sessions: SQLite (WAL) by default, PostgreSQL by URL, same code for both."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

from ieiwatch.storage import models  # noqa: F401  (registers the tables)


def normalise_database_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin_immediate)
    return engine


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

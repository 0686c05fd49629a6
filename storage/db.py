"""Engines and sessions: SQLite (WAL) by default, PostgreSQL by URL, same code for both."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from ieiwatch.domain import IeiwatchError
from ieiwatch.storage import models  # noqa: F401  (registers the tables)
from ieiwatch.storage.schema_revision import HEAD_REVISION, stored_revision


class StoreUnavailable(IeiwatchError):
    """The database cannot be opened, created or written: a URL typo, a missing
    PostgreSQL database, nothing listening, a read-only file. The message names the URL
    (password hidden), the driver's reason and what to check."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = masked_database_url(url)
        super().__init__(f"database {self.url}: {reason}")


T = TypeVar("T")

IN_CHUNK = 5_000
"""Values per ``IN (…)`` list: PostgreSQL takes at most 65,535 bind parameters a query."""


def in_chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``values`` in slices short enough for one ``IN (…)`` list each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def masked_database_url(url: str) -> str:
    try:
        return make_url(normalise_database_url(url)).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return url.split("://", 1)[0] + "://…"


# First lines of driver errors → what the operator should check.
_HINTS = (
    ("readonly database", "the file or its directory is read-only; ieiwatch writes both"),
    ("unable to open database file", "the file cannot be created or opened there"),
    ("does not exist", "create the database first (e.g. createdb), or fix its name"),
    ("connection refused", "nothing is listening there: is the database server running?"),
    ("password authentication failed", "the user name or password is wrong"),
    ("could not translate host name", "the host name does not resolve"),
    ("no such host", "the host name does not resolve"),
    ("timeout expired", "the server did not answer in time"),
)
STORE_ERRORS = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.ArgumentError, OSError)
"""What opening an unusable database raises (``NoSuchModuleError`` is an ArgumentError)."""


def unavailable(url: str, error: BaseException) -> StoreUnavailable:
    """The one-paragraph error for a database that cannot be used."""
    if isinstance(error, sa_exc.ArgumentError):
        scheme = url.split("://", 1)[0] if "://" in url else url
        return StoreUnavailable(
            url,
            f"not a database URL ieiwatch can use (scheme {scheme!r}); "
            "use sqlite:///path/to/file.db or postgresql://user:password@host/database",
        )
    if isinstance(error, OSError):
        where = f" {error.filename}" if error.filename else ""
        return StoreUnavailable(url, f"cannot create its directory{where}: {error.strerror}")
    original = getattr(error, "orig", None) or error
    reason = " ".join(str(original).split("\n", 1)[0].split()) or type(original).__name__
    hint = next((h for key, h in _HINTS if key in reason.lower()), None)
    return StoreUnavailable(url, f"{reason}" + (f" ({hint})" if hint else ""))


@contextmanager
def opening(url: str) -> Iterator[None]:
    """Turn the errors of opening, migrating or first writing a database into
    ``StoreUnavailable``, instead of a driver traceback."""
    try:
        yield
    except STORE_ERRORS as exc:
        raise unavailable(url, exc) from exc


def normalise_database_url(url: str) -> str:
    """Plain ``postgresql://`` URLs use psycopg 3, the driver we install."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine for ``url``; ``read_only`` refuses every write (and creates nothing)."""
    with opening(url):
        return _make_engine(normalise_database_url(url), read_only)


def _sqlite_file(database: str | None) -> Path | None:
    """The file a SQLite database name opens: a path, or the path of a URI filename
    (``file:/srv/ieiwatch.db?mode=ro``), which is no folder to make in the working one."""
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        path = urlsplit(database).path
        return Path(path) if path and path != ":memory:" else None
    return Path(database)


def _make_engine(url: str, read_only: bool) -> Engine:
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True)
        if read_only:
            event.listen(engine, "begin", _postgres_read_only)
        return engine
    if read_only:
        return _sqlite_read_only(url)
    file = _sqlite_file(make_url(url).database)
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
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


WAL_CHECKPOINT_PAGES = 16_384
"""Pages (64 MiB) the write-ahead log may hold before a commit copies them into the database
file, instead of SQLite's 1,000. Storing ten articles writes about 350 pages to the log (the
story keys', search index's and other indexes' pages they touch), so at 1,000 every third
commit was a checkpoint, which rewrites the same hot pages and waits for the disk: storing
4,000 bench-farm articles in parts of ten took 6.3–9.0 s, and 5.0–5.1 s with this limit
(``journal_size_limit`` then keeps the log's file at that size once it is reset)."""


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling would defer BEGIN; we issue it ourselves below.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in (
        "busy_timeout=30000",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        f"wal_autocheckpoint={WAL_CHECKPOINT_PAGES}",
        f"journal_size_limit={WAL_CHECKPOINT_PAGES * 4096}",
    ):
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
    with engine.connect() as conn:
        if stored_revision(conn) == HEAD_REVISION:
            return
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
    if dialect_of(session) == "postgresql":
        # Imported here: every command imports this module, and most run on SQLite.
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    return sqlite_insert

"""Shared fixtures: loopback web site and webhook receiver, SMTP server, databases, and
the Prefect servers of the session."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import ssl
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from servers import LocalSite
from sqlalchemy import Engine, make_url, text

from ieiwatch.config.settings import apply_prefect_defaults
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows.local_server import SERVER_START_TIMEOUT, LocalPrefectServer
from ieiwatch.storage.db import init_db, make_engine

DATA = Path(__file__).parent / "data"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

apply_prefect_defaults()
# Politeness pauses are tested where they matter (test_politeness.py); elsewhere they only
# slow the suite down: no spacing between requests to one host, a short retry backoff.
os.environ.setdefault("IEIWATCH_HTTP_HOST_DELAY", "0")
os.environ.setdefault("IEIWATCH_HTTP_BACKOFF", "0.01")
# The user data directory holds the default database and the key of stored secrets: tests
# get their own, never the developer's.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="ieiwatch-tests-data-")


@pytest.fixture
def site() -> Iterator[LocalSite]:
    """The files of tests/data/site on a loopback server, ``.htm`` served without charset."""
    with LocalSite(DATA / "site") as s:
        s.content_types = {".htm": "text/html", ".xml": "application/rss+xml"}
        yield s


@pytest.fixture
def receiver() -> Iterator[LocalSite]:
    """A webhook receiver: keeps every POST; ``post_failures`` makes it fail on demand."""
    with LocalSite() as s:
        yield s


@pytest.fixture
def mail() -> Iterator[MailSink]:
    with MailSink() as m:
        yield m


def postgres_url() -> str | None:
    url = os.environ.get("IEIWATCH_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return PG_DEFAULT
    except OSError:
        return None


_PG_SKIP = (
    "PostgreSQL tests skipped: IEIWATCH_TEST_POSTGRES_URL is unset and no server "
    "answers on 127.0.0.1:5432"
)


@pytest.fixture
def postgres_base() -> str:
    """The PostgreSQL server the tests may use, or a skip that says why there is none."""
    url = postgres_url()
    if url is None:
        pytest.skip(_PG_SKIP)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ieiwatch.db'}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip(_PG_SKIP)
    with fresh_schema(base) as url:
        yield url


@contextmanager
def fresh_schema(base: str) -> Iterator[str]:
    """A URL whose connections work in a new, empty PostgreSQL schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def postgres_schema(postgres_base: str) -> Iterator[str]:
    """A database URL on PostgreSQL in a schema of its own (skipped without a server)."""
    with fresh_schema(postgres_base) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    init_db(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ieiwatch.db'}"


# ------------------------------------------------------------------ Prefect servers
#
# A fresh `prefect server start` spends 10-30 s here on its database migrations. So each kind
# of server is started once, for the whole session, as soon as the session begins, and the
# tests that need one run last: the start-up overlaps the tests that need none.

PREFECT_SERVER_FIXTURES = ("prefect_server", "prefect_on_postgres")

# The session's SQLite server runs what prefect_test_harness's ephemeral server ran, which
# these tests were written against: the event and task-run services, but no scheduler (it
# would start runs of the deployments `serve` makes) and no other loop service. It stores
# events within half a second, not five: the tests that read them back wait less.
_EPHEMERAL_LIKE = {
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_FLUSH_INTERVAL": "0.5",
    **{
        f"PREFECT_SERVER_SERVICES_{service}_ENABLED": "false"
        for service in (
            "SCHEDULER",
            "LATE_RUNS",
            "FOREMAN",
            "CANCELLATION_CLEANUP",
            "PAUSE_EXPIRATIONS",
            "REPOSSESSOR",
        )
    },
}


def _needs_prefect_server(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return any(name in names for name in PREFECT_SERVER_FIXTURES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests on a Prefect server go last, in their order (the sort is stable)."""
    items.sort(key=_needs_prefect_server)


class PrefectServers:
    """The Prefect servers the selected tests need: started together, awaited when first
    used, stopped at the end of the session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.migrated_db = root / "migrated-prefect.db"
        self._started: dict[str, LocalPrefectServer] = {}
        self._failed: dict[str, Exception] = {}
        self._ready: set[LocalPrefectServer] = set()
        self._postgres_db: tuple[Engine, str] | None = None

    def start(self, kind: str, start: Callable[[], LocalPrefectServer]) -> None:
        # A server that cannot start fails the tests that need it, not the whole session.
        try:
            self._started[kind] = start()
        except Exception as exc:
            self._failed[kind] = exc

    def ready(self, kind: str) -> LocalPrefectServer | None:
        """The server once it answers; None if it was not started."""
        if kind in self._failed:
            raise self._failed[kind]
        server = self._started.get(kind)
        if server is not None and server not in self._ready:
            asyncio.run(server.wait_healthy(SERVER_START_TIMEOUT))
            self._ready.add(server)
        return server

    def start_sqlite(self) -> LocalPrefectServer:
        server = LocalPrefectServer(self.root / "sqlite")
        db = f"sqlite+aiosqlite:///{server.home / 'prefect.db'}"
        with pytest.MonkeyPatch.context() as env:  # the child's environment only
            env.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", db)
            for name, value in _EPHEMERAL_LIKE.items():
                env.setenv(name, value)
            server.start()
        return server

    def start_postgres(self, base: str) -> LocalPrefectServer:
        """With a fresh PostgreSQL database of its own, dropped at the end."""
        url = make_url(base.replace("postgresql://", "postgresql+psycopg://", 1))
        name = f"ieiwatch_prefect_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url.render_as_string(hide_password=False))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        self._postgres_db = (admin, name)
        prefect_db = url.set(drivername="postgresql+asyncpg", database=name)
        server = LocalPrefectServer(self.root / "postgres")
        with pytest.MonkeyPatch.context() as env:
            env.setenv(
                "PREFECT_API_DATABASE_CONNECTION_URL",
                prefect_db.render_as_string(hide_password=False),
            )
            server.start()
        return server

    def keep_migrated_db(self, server: LocalPrefectServer) -> None:
        """A copy of the SQLite server's database before any test used it: migrated, and
        empty of flows and deployments (the backup API copies a live database whole)."""
        with (
            closing(sqlite3.connect(server.home / "prefect.db")) as live,
            closing(sqlite3.connect(self.migrated_db)) as copy,
        ):
            live.backup(copy)

    def stop(self) -> None:
        for server in self._started.values():
            server.stop()
        if self._postgres_db is not None:
            admin, name = self._postgres_db
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def prefect_servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServers]:
    """Starts, with the session's first test, the Prefect servers the selected tests need."""
    needed = {name for item in request.session.items for name in item.fixturenames}
    servers = PrefectServers(tmp_path_factory.mktemp("prefect-servers"))
    try:
        if "prefect_server" in needed:
            servers.start("sqlite", servers.start_sqlite)
        base = postgres_url() if "prefect_on_postgres" in needed else None
        if base is not None:
            servers.start("postgres", lambda: servers.start_postgres(base))
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def prefect_server(prefect_servers: PrefectServers) -> LocalPrefectServer:
    """A real Prefect server on SQLite, shared by the session: `prefect server start` on
    loopback, as `ieiwatch serve` starts one."""
    server = prefect_servers.ready("sqlite")
    assert server is not None
    prefect_servers.keep_migrated_db(server)  # now: no test has had the server yet
    return server


@pytest.fixture(scope="session")
def migrated_prefect_db(
    prefect_servers: PrefectServers, prefect_server: LocalPrefectServer
) -> Path:
    """A Prefect SQLite database, migrated, with no flow or deployment in it."""
    return prefect_servers.migrated_db


@pytest.fixture(scope="session")
def prefect_api(prefect_server: LocalPrefectServer) -> Iterator[None]:
    """PREFECT_API_URL is the session's server, for the tests that run real flows."""
    import prefect.context
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings({PREFECT_API_URL: prefect_server.api_url}),
        # Also for contexts copied before this one, as prefect_test_harness does.
        prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()),
    ):
        yield
        # What is still queued goes out while the server is up (no errors at its stop).
        with suppress(RuntimeError):  # the log worker never started
            APILogWorker.instance().drain()
        EventsWorker.drain_all()


@pytest.fixture(scope="session")
def prefect_on_postgres(prefect_servers: PrefectServers) -> LocalPrefectServer:
    """`prefect server start` on loopback with a fresh PostgreSQL database of its own."""
    server = prefect_servers.ready("postgres")
    if server is None:
        pytest.skip(_PG_SKIP)
    return server


@pytest.fixture
def tls_contexts_made(monkeypatch: pytest.MonkeyPatch) -> list[ssl.SSLContext]:
    """Every context ``ssl.create_default_context`` builds while the test runs, in order:
    each reads the system's certificate authorities, which costs tens of milliseconds."""
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(ssl, "create_default_context", counted)
    return made

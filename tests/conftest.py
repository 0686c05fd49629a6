"""Shared fixtures: loopback web site and webhook receiver, SMTP server, databases."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from servers import LocalSite
from sqlalchemy import Engine, text

from ieiwatch.config.settings import apply_prefect_defaults
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.storage.db import init_db, make_engine

DATA = Path(__file__).parent / "data"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

apply_prefect_defaults()
# Politeness pauses are tested where they matter (test_politeness.py); elsewhere they only
# slow the suite down: no spacing between requests to one host, a short retry backoff.
os.environ.setdefault("IEIWATCH_HTTP_HOST_DELAY", "0")
os.environ.setdefault("IEIWATCH_HTTP_BACKOFF", "0.01")


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


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[None]:
    """A temporary Prefect server for the tests that run real flows."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield

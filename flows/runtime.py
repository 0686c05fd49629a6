"""The composition root: settings, config, the database and the fetcher, put together once
for every flow and command.

* ``run_inputs``: settings and config for a run (a flow's parameters win over the
  environment).
* ``open_store``: the database as a run needs it: migrated, with the config's sources and
  subscribers synced. Commands that change something use it.
* ``read_store``: the database as it is, for commands that only look (``items list``,
  ``sources list`` …): nothing is created, migrated, synced or written.
* ``open_fetcher``: one run's fetcher, sharing robots.txt answers with the other runs.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from ieiwatch.config.loader import load_config
from ieiwatch.config.schema import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import IeiwatchError
from ieiwatch.scrapers.fetch import Fetcher, make_client
from ieiwatch.scrapers.robots import FRESH_FOR
from ieiwatch.storage import robots as robots_store
from ieiwatch.storage import sources as source_store
from ieiwatch.storage.db import init_db, make_engine, opening, session_scope, sqlite_file
from ieiwatch.storage.health import HealthRules
from ieiwatch.storage.schema_revision import HEAD_REVISION, stored_revision
from ieiwatch.storage.subscribers import sync_subscribers

SOURCES_AT_ONCE = 200
"""Sources being polled at the same time in a pass (the others wait their turn): enough
to keep the fetcher busy while each host is asked politely (200 hosts allow 400 requests a
second at 0.5 s apart, more than two cores read, classify and store), few enough that a
pass over thousands of sources does not hold all their pages in memory at once (at 1,000
sources of the bench farm, 300 at once peaked 23 MB higher, and took longer)."""


@dataclass(frozen=True)
class RunContext:
    """What one run works with: settings, config, the database and the fetcher."""

    settings: Settings
    config: AppConfig
    engine: Engine
    fetcher: Fetcher
    source_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(SOURCES_AT_ONCE)
    )
    """Shared by the run's batches: at most ``SOURCES_AT_ONCE`` sources polled at a time."""


class StoreNotReady(IeiwatchError):
    """The database is at an older schema than this ieiwatch reads."""


MALLOC_ARENAS = 2
"""glibc gives each thread that allocates under contention an arena of its own, up to 8 per
core; a pass's threads (storing, sending, Prefect's) then keep memory spread over arenas
that are seldom returned. Two: a pass over 1,000 farm sources peaked at 298 MB against
312 MB (bench/farm_compare.py, one run each), with the same CPU."""


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas for the threads to come (``MALLOC_ARENA_MAX``, set from
    within: a served run's interpreter is started by Prefect). False where libc is not
    glibc, or the environment already sets the cap."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        # The process's own symbols: libc is linked in, and nothing is searched for (finding
        # the library by name runs ldconfig, on every pass).
        mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    except OSError:
        return False
    m_arena_max = -8  # glibc's malloc.h
    return bool(mallopt and mallopt(m_arena_max, arenas) == 1)


def freeze_heap_before_pass() -> None:
    """Collect, then set what the process holds before a pass (the imported modules,
    Prefect's clients, the config) out of the garbage collector's reach for the rest of the
    process. A pass allocates millions of objects, and each full collection would walk
    those hundreds of thousands again: 9 collections and 1.1 s of a one-shot first pass
    over 200 sources. A later collection still frees what the pass leaves."""
    gc.collect()
    gc.freeze()


def run_inputs(
    config_path: str | None = None, database_url: str | None = None
) -> tuple[Settings, AppConfig]:
    """Settings and config for a flow run: the flow's parameters win over the environment."""
    settings = Settings()
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})
    return settings, load_config(Path(config_path) if config_path else settings.config_path)


def open_store(settings: Settings, config: AppConfig) -> Engine:
    """The database, migrated, with the config's sources and subscribers synced; raises
    ``StoreUnavailable`` (naming the URL) when it cannot be opened or written."""
    engine = make_engine(settings.database_url)
    try:
        with opening(settings.database_url):
            init_db(engine)
            sync_config(engine, config)
    except BaseException:
        engine.dispose()
        raise
    return engine


def check_store(settings: Settings, config: AppConfig) -> None:
    """Open the database as a run will, before the run: ``StoreUnavailable`` is then the
    command's one-paragraph error rather than a failed flow's traceback."""
    open_store(settings, config).dispose()


def sync_config(engine: Engine, config: AppConfig) -> None:
    with session_scope(engine) as session:
        source_store.sync_sources(session, config.sources)
        sync_subscribers(session, [s.spec() for s in config.subscribers])


@contextmanager
def read_store(settings: Settings) -> Iterator[Session | None]:
    """A session that only reads, or None when there is no database yet; raises
    ``StoreNotReady`` when the database needs ``ieiwatch db upgrade`` first."""
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        yield None
        return
    engine = make_engine(settings.database_url, read_only=True)
    try:
        with opening(settings.database_url), engine.connect() as conn:
            found = stored_revision(conn)
        if found is None:
            yield None
            return
        if found != HEAD_REVISION:
            raise StoreNotReady(
                f"the database is at schema {found}, this ieiwatch reads "
                f"{HEAD_REVISION}: run `ieiwatch db upgrade`"
            )
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


@asynccontextmanager
async def open_fetcher(engine: Engine, settings: Settings) -> AsyncIterator[Fetcher]:
    """One run's fetcher, starting from the robots.txt answers of the last day and keeping
    the ones it fetched for the next runs."""
    with session_scope(engine) as session:
        robots = robots_store.fresh_files(session, FRESH_FOR)
    async with make_client(settings) as client:
        fetcher = Fetcher(client, settings, robots)
        try:
            yield fetcher
        finally:
            with session_scope(engine) as session:
                robots_store.keep(session, fetcher.fetched_robots())


def health_rules(settings: Settings) -> HealthRules:
    return HealthRules(settings.broken_after_failures, timedelta(days=settings.silent_after_days))

"""ieiwatch's schema migrations (Alembic), configured here rather than in an alembic.ini.

``upgrade(engine)`` brings a database to the newest revision: an empty one gets every
table; one at an older revision gets the steps it lacks; one created by ``create_all``
before migrations existed is adopted when it matches the models. Concurrent callers (two
workers starting on a new database) take turns: PostgreSQL through an advisory lock held by
the migrating transaction, SQLite through its write lock (``BEGIN IMMEDIATE``).

To change the schema: edit ``storage/models.py``, then ``ieiwatch db revision -m "what"``
writes a new file under ``versions/``; review it and commit it with the model change.
``tests/test_migrations.py`` fails while models and migrations disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, inspect, text
from sqlalchemy.engine import Connection

from ieiwatch.domain import IeiwatchError

MIGRATIONS_DIR = Path(__file__).parent
LOCK_KEY = 0x1E1_5EED
"""PostgreSQL advisory lock id that serialises migrations of one database."""
LEGACY_MARKER_TABLE = "sources"
"""Present in every database made by ``create_all`` before migrations existed."""


class MigrationError(IeiwatchError):
    """The database cannot be brought to the current schema automatically."""


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None
    """The revision found (None: an empty database, or one made before migrations)."""
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's config pointing at this package; ``connection`` is the one to migrate."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise MigrationError(f"no migrations found in {MIGRATIONS_DIR / 'versions'}")
    return head


def configure_context(connection: Connection, metadata: MetaData, **options: Any) -> None:
    """The options every run uses, migrating or comparing (env.py calls this)."""
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        include_name=_not_search_index,
        **options,
    )


def _not_search_index(name: str | None, type_: str, parent_names: Any) -> bool:
    """The search index (``storage.search``) lives outside the models: never compared."""
    from ieiwatch.storage.search import is_search_object

    return not is_search_object(name)


def current_revision(connection: Connection) -> str | None:
    # The version table is looked up in the connection's default schema, which is what a
    # PostgreSQL URL's search_path option selects (the tests use a schema per test).
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> UpgradeResult:
    """Bring the database to the head revision; cheap when it is there already."""
    head = head_revision()
    with engine.connect() as conn:
        before = current_revision(conn)
    if before == head:
        return UpgradeResult(before, head)
    with engine.begin() as conn:
        _lock(conn)
        before = current_revision(conn)  # another process may have migrated meanwhile
        if before is None and inspect(conn).has_table(LEGACY_MARKER_TABLE):
            _adopt_unversioned(conn)
        elif before != head:
            command.upgrade(alembic_config(conn), "head")
    return UpgradeResult(before, head)


def schema_differences(connection: Connection, metadata: MetaData) -> list[Any]:
    """What autogenerate would change to make the database match ``metadata`` (empty: none)."""
    migration_context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "render_as_batch": True, "include_name": _not_search_index},
    )
    return list(compare_metadata(migration_context, metadata))


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Held until the transaction ends: a second migrator waits, then finds head.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _adopt_unversioned(conn: Connection) -> None:
    """A database from before migrations: add the tables it lacks, then mark it current,
    but only when it then matches the models exactly (else a stamp would hide a gap)."""
    from sqlmodel import SQLModel

    from ieiwatch.storage import models  # noqa: F401  (registers the tables)

    SQLModel.metadata.create_all(conn, checkfirst=True)
    differences = schema_differences(conn, SQLModel.metadata)
    if differences:
        raise MigrationError(
            "the database was created before schema migrations and differs from the current "
            f"models ({'; '.join(map(str, differences[:5]))}); back it up and start from an "
            "empty database, or migrate it by hand and run `ieiwatch db stamp`"
        )
    command.stamp(alembic_config(conn), "head")


def stamp(engine: Engine, revision: str = "head") -> None:
    """Record ``revision`` as applied without running anything (after a manual fix)."""
    with engine.begin() as conn:
        command.stamp(alembic_config(conn), revision)


def write_revision(engine: Engine, message: str) -> str | None:
    """Bring the database up to date, then write a migration for what the models add to
    it; returns the new file's path (review it before committing it)."""
    upgrade(engine)
    with engine.begin() as conn:
        script = command.revision(alembic_config(conn), message=message, autogenerate=True)
    path = getattr(script, "path", None)
    return str(path) if path else None

"""The schema revision this ieiwatch writes, and the one a database is at, read without
Alembic: importing Alembic costs a one-shot run about 0.4 s and 12 MB, and a database
already at the head (every run but the first after an upgrade) needs none of it.
``tests/test_migrations.py`` fails when ``HEAD_REVISION`` is not the newest migration's."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

HEAD_REVISION = "0009"
VERSION_TABLE = "alembic_version"


def stored_revision(connection: Connection) -> str | None:
    """The revision Alembic recorded, as ``MigrationContext.get_current_revision`` reads
    it: the version table of the connection's default schema; None when there is none."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(rows) > 1:
        # Several heads: only Alembic can say what that means.
        from ieiwatch.storage.migrations import current_revision

        return current_revision(connection)
    return str(rows[0]) if rows else None

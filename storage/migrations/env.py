"""Alembic's environment for ieiwatch: the models' metadata, on the connection we are given.

``ieiwatch.storage.migrations.upgrade`` passes an open connection (inside its transaction,
holding the migration lock) in ``config.attributes["connection"]``; without one (a bare
``alembic`` command with ``sqlalchemy.url`` set) an engine is made from the URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from ieiwatch.storage import models  # noqa: F401  (registers the tables)
from ieiwatch.storage.migrations import configure_context

config = context.config


def run_migrations(connection: Connection) -> None:
    configure_context(connection, SQLModel.metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from ieiwatch.storage.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as conn:
            run_migrations(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("ieiwatch migrations run online only (ieiwatch db upgrade)")
run_migrations_online()

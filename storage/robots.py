"""robots.txt answers kept between runs, so a site's rules cost one request a day, not one
per run (RFC 9309 allows caching for up to 24 hours)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from ieiwatch.scrapers.robots import FRESH_FOR, RobotsFile
from ieiwatch.storage.models import RobotsTxt
from ieiwatch.storage.types import utcnow


def fresh_files(session: Session) -> list[RobotsFile]:
    stmt = select(RobotsTxt).where(col(RobotsTxt.fetched_at) > utcnow() - FRESH_FOR)
    return [RobotsFile(r.origin, r.status, r.body, r.fetched_at) for r in session.exec(stmt)]


def keep(session: Session, files: Sequence[RobotsFile]) -> None:
    """Store what this run fetched, replacing older answers (several workers may race)."""
    if not files:
        return
    table = RobotsTxt.__table__
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values([
        {"origin": f.origin, "status": f.status, "body": f.body, "fetched_at": f.fetched_at}
        for f in files
    ])
    session.execute(stmt.on_conflict_do_update(
        index_elements=["origin"],
        set_={"status": stmt.excluded.status, "body": stmt.excluded.body,
              "fetched_at": stmt.excluded.fetched_at},
    ))

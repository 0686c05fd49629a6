"""robots.txt answers kept between runs, so a site's rules cost one request a day, not one
per run (RFC 9309 allows caching for up to 24 hours)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlmodel import Session, col, select

from ieiwatch.domain import RobotsAnswer, utcnow
from ieiwatch.storage.db import insert_for, table_of
from ieiwatch.storage.models import RobotsTxt


def fresh_files(session: Session, max_age: timedelta) -> list[RobotsAnswer]:
    """The answers fetched less than ``max_age`` ago."""
    stmt = select(RobotsTxt).where(col(RobotsTxt.fetched_at) > utcnow() - max_age)
    return [RobotsAnswer(r.origin, r.status, r.body, r.fetched_at) for r in session.exec(stmt)]


def keep(session: Session, files: Sequence[RobotsAnswer]) -> None:
    """Store what this run fetched, replacing older answers (several workers may race)."""
    if not files:
        return
    table = table_of(RobotsTxt)
    insert = insert_for(session)
    stmt = insert(table).values(
        [
            {"origin": f.origin, "status": f.status, "body": f.body, "fetched_at": f.fetched_at}
            for f in files
        ]
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["origin"],
            set_={
                "status": stmt.excluded.status,
                "body": stmt.excluded.body,
                "fetched_at": stmt.excluded.fetched_at,
            },
        )
    )

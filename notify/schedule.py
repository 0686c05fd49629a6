"""When digests are due: daily or weekly, at a local time in the subscriber's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ieiwatch.config.schema import WEEKDAYS, DigestSchedule


def last_occurrence(schedule: DigestSchedule, now: datetime) -> datetime:
    """The latest scheduled digest time at or before ``now``."""
    zone = ZoneInfo(schedule.timezone)
    local = now.astimezone(zone)
    hour, minute = (int(x) for x in schedule.at.split(":"))
    candidate = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if schedule.every == "weekly":
        back = (local.weekday() - WEEKDAYS.index(schedule.weekday)) % 7
        candidate -= timedelta(days=back)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    while candidate > local:
        candidate -= step
    return candidate

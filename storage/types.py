"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.types import TypeDecorator

from ieiwatch.domain import Party, Region


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zone type and hands back naive values; we store UTC and mark it so.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: ieiwatch stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StrEnumType(TypeDecorator[StrEnum]):
    """A ``StrEnum`` stored as its plain string value and read back as the enum member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else str(self.enum(value))

    def process_result_value(self, value: Any, dialect: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)


class PartiesJSON(TypeDecorator[list[Party]]):
    """An article's parties: stored as a JSON list of ``{"name", "kind"}``, read back as
    ``Party`` objects."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> list[dict[str, str]] | None:
        if value is None:
            return None
        return [p.to_dict() if isinstance(p, Party) else dict(p) for p in value]

    def process_result_value(self, value: Any, dialect: Any) -> list[Party]:
        return [Party.from_dict(p) for p in value or []]


class RegionJSON(TypeDecorator[Region]):
    """An article's region: a JSON ``{"province", "city"}`` (with ``"country"`` outside
    mainland China) or null, read back as a ``Region``."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> dict[str, str | None] | None:
        if value is None:
            return None
        return value.to_dict() if isinstance(value, Region) else dict(value)

    def process_result_value(self, value: Any, dialect: Any) -> Region | None:
        return Region.from_dict(value) if value else None

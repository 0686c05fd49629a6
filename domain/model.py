"""The types every layer shares: what an article is about, who cooperates, where, and the
states of sources, deliveries and backfills.

Statuses and kinds are ``StrEnum``s: they compare equal to (and are stored as) their
string values, so the database and the config keep plain text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from ieiwatch.domain.fingerprint import Fingerprint

BEIJING = ZoneInfo("Asia/Shanghai")
"""The sources' own time: dates on their pages, and dates shown to people, are Beijing time."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class ArticleType(StrEnum):
    """The kinds of cooperation news (the labels of the labelled corpus)."""

    JOINT_LAB = "joint_lab"
    INDUSTRY_COLLEGE = "industry_college"
    STRATEGIC_AGREEMENT = "strategic_agreement"
    TRAINING_BASE = "training_base"
    TALENT_PROGRAM = "talent_program"
    ALLIANCE = "alliance"
    POLICY_EVENT = "policy_event"
    OTHER_COOPERATION = "other_cooperation"


class PartyKind(StrEnum):
    UNIVERSITY = "university"
    COLLEGE = "college"
    VOCATIONAL_SCHOOL = "vocational_school"
    ENTERPRISE = "enterprise"
    GOVERNMENT = "government"
    ASSOCIATION = "association"
    RESEARCH_INSTITUTE = "research_institute"
    HOSPITAL = "hospital"
    OTHER = "other"


EDUCATION_KINDS = frozenset({PartyKind.UNIVERSITY, PartyKind.COLLEGE, PartyKind.VOCATIONAL_SCHOOL})


@dataclass(frozen=True)
class Party:
    """An institution or company taking part in a cooperation."""

    name: str
    kind: str
    """A ``PartyKind`` value."""

    @property
    def is_school(self) -> bool:
        return self.kind in EDUCATION_KINDS

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "kind": str(self.kind)}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Party:
        return cls(name=data["name"], kind=data["kind"])


@dataclass(frozen=True)
class Region:
    """Where the news happens: province and city keys of the gazetteer (``Zhejiang``,
    ``Hangzhou``); ``domain.places.region_names`` gives their Chinese and English names.

    Outside mainland China ``country`` names the country (``United States``) and
    ``province`` its state or province where the gazetteer has them (``Ohio``; none for
    Kenya); ``country`` is None for China's provinces, as regions were stored before
    there were others."""

    province: str | None
    city: str | None
    country: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        out = {"province": self.province, "city": self.city}
        return {**out, "country": self.country} if self.country else out

    @classmethod
    def from_dict(cls, data: dict[str, str | None]) -> Region:
        return cls(data.get("province"), data.get("city"), data.get("country"))

    def names(self) -> list[str]:
        return [v for v in (self.province, self.city, self.country) if v]


class SourceKind(StrEnum):
    FEED = "feed"
    HTML = "html"


class SourceStatus(StrEnum):
    """How one source's poll in a pass ended."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"


class HealthState(StrEnum):
    """How a source is doing over its recent runs."""

    OK = "ok"
    FAILING = "failing"
    """Its last runs failed, not yet often enough to call it broken."""
    BROKEN = "broken"
    NEW = "new"
    """Never polled."""


class SubscriberMode(StrEnum):
    INSTANT = "instant"
    DIGEST = "digest"


class SubscriberOrigin(StrEnum):
    CONFIG = "config"
    """Defined in the config file; its Apprise URLs stay there."""
    CLI = "cli"
    """Added with ``ieiwatch subscribers add``; its URLs are kept in the database."""


class DeliveryKind(StrEnum):
    INSTANT = "instant"
    """One message per story, as soon as it is found."""
    DIGEST = "digest"
    """A line of the subscriber's next daily or weekly digest."""
    SUMMARY = "summary"
    """A line of a backfill's summary, sent once the backfill is over."""


class DeliveryStatus(StrEnum):
    """pending → sending (claimed) → sent; or → failed (retried later) … → dead."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class CheckpointStatus(StrEnum):
    RUNNING = "running"
    FAILED = "failed"
    """Stopped on an error; running the backfill again resumes at the failed page."""
    DONE = "done"


class StopReason(StrEnum):
    """Why a finished backfill stopped."""

    END = "end"
    SINCE = "since"
    MAX_PAGES = "max_pages"


@dataclass(frozen=True)
class ArticleToStore:
    """A fetched article with its classification: what storage keeps of a new item."""

    url: str
    """Absolute and canonical."""
    title: str
    published_at: datetime | None
    text: str
    lang: str
    relevant: bool
    score: float
    type: ArticleType | None
    """None when not cooperation news."""
    parties: tuple[Party, ...]
    region: Region | None
    sectors: tuple[str, ...]
    evidence: tuple[str, ...]
    classifier_version: str
    fingerprint: Fingerprint | None = None
    """Its text's fingerprint, when computed beside the classification (storage makes
    it otherwise)."""
    publisher: str | None = None
    """The school whose site published it, as the classifier was told (the source's
    ``publisher``, else its page's site name): 我校 names it, in a reclassification too."""


def url_key(canonical_url: str) -> str:
    """Identity of an article: the same page over http and https is one article."""
    scheme_free = canonical_url.split("://", 1)[-1]
    return hashlib.sha256(scheme_free.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class SubscriberSpec:
    """A subscriber as storage keeps it: the config file's or the command line's."""

    name: str
    mode: SubscriberMode
    notify: tuple[str, ...]
    digest: dict[str, Any] = field(default_factory=dict)
    """The digest schedule (every, at, weekday, timezone)."""
    filters: dict[str, Any] = field(default_factory=dict)
    lang: str = "zh"
    """The language of its alerts: zh or en."""


@dataclass(frozen=True)
class RobotsAnswer:
    """What a site answered for /robots.txt, kept between runs."""

    origin: str
    """scheme://host[:port]"""
    status: int
    """The HTTP status; 0 when the site could not be reached."""
    body: str
    fetched_at: datetime

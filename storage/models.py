"""The tables: sources and their fetch state, articles with their classification,
subscribers, and deliveries (the alert outbox)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ieiwatch.domain import (
    ArticleType,
    CheckpointStatus,
    DeliveryKind,
    DeliveryStatus,
    Party,
    Region,
    SourceKind,
    SubscriberMode,
    SubscriberOrigin,
    utcnow,
)
from ieiwatch.storage.types import PartiesJSON, RegionJSON, StrEnumType, UTCDateTime


def _ts(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


def _enum(default: StrEnum, **kw: Any) -> Any:
    """A ``StrEnum`` column: stored as its text, read back as the member."""
    return Field(default=default, sa_type=StrEnumType(type(default)), **kw)


class Source(SQLModel, table=True):
    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    kind: SourceKind = Field(sa_type=StrEnumType(SourceKind))
    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled_at: datetime | None = _ts(default=None)
    last_success_at: datetime | None = _ts(default=None)
    last_error: str | None = Field(default=None, sa_type=Text)
    consecutive_failures: int = 0
    last_item_at: datetime | None = _ts(default=None)
    """Publication time of the newest article seen from this source."""
    broken_reason: str | None = Field(default=None, sa_type=Text)
    """Set while the source is considered broken; cleared when it recovers."""
    broken_since: datetime | None = _ts(default=None)
    discovered_list: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    """For an HTML source without selectors: the list structure found on its page
    (``scrapers.discover.ListStructure``), reused until the page stops matching it."""


class Story(SQLModel, table=True):
    """One piece of news, however many sources carry it (a notice reposted by several
    universities is one story). Alerts are per story, so it is announced once."""

    __tablename__ = "stories"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(sa_type=Text)
    first_seen_at: datetime = _ts(default_factory=utcnow)
    merged_into: int | None = None
    """The older story this one was merged into once a later copy showed they are the same
    news: its articles moved there; its row stays for the alerts already planned for it.
    (No foreign key: SQLite would rebuild the table to add one.)"""


class Article(SQLModel, table=True):
    __tablename__ = "articles"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    story_id: int | None = Field(default=None, foreign_key="stories.id", index=True)
    simhash: int = Field(default=0, sa_type=BigInteger)
    """64-bit SimHash of the text (signed), for finding near-duplicates."""
    url: str = Field(sa_type=Text)
    url_key: str = Field(unique=True, description="hash of the canonical URL, scheme-free")
    title: str = Field(sa_type=Text)
    published_at: datetime | None = _ts(default=None, index=True)
    fetched_at: datetime = _ts(default_factory=utcnow)
    text: str = Field(default="", sa_type=Text)
    lang: str = "zh"
    content_hash: str = Field(index=True)
    relevant: bool = Field(default=False, index=True)
    score: float = 0.0
    type: ArticleType | None = Field(default=None, sa_type=StrEnumType(ArticleType))
    parties: list[Party] = Field(default_factory=list, sa_column=Column(PartiesJSON))
    region: Region | None = Field(default=None, sa_column=Column(RegionJSON))
    sectors: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    evidence: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    classifier_version: str = ""
    publisher: str | None = Field(default=None, sa_type=Text)
    """The school whose site published it, as the classifier was told at ingest (the
    source's ``publisher``, else the page's site name); reclassifying tells it again."""
    corrected: bool = False
    """An analyst's mark (``marks`` table) set the shown relevance, type or parties."""


class StoryKey(SQLModel, table=True):
    """An article's fingerprint keys (SimHash band pairs, normalised title), so the copies
    of its story are found with an index lookup rather than by reading the archive."""

    __tablename__ = "story_keys"

    # On SQLite the rows live in the primary key's index (no rowid): the latest articles
    # sharing a key are one range scan, and a stored key is one index entry, not two.
    __table_args__ = {"sqlite_with_rowid": False}

    key: int = Field(sa_type=BigInteger, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", primary_key=True)
    simhash: int = Field(sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    """The article's, so that the latest articles sharing a key are read from the index
    alone, without a lookup in the articles table for each."""


class Subscriber(SQLModel, table=True):
    """A subscriber from the config file (``origin="config"``, URLs stay in the file) or
    added with ``ieiwatch subscribers add`` (``origin="cli"``, URLs kept here)."""

    __tablename__ = "subscribers"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    origin: SubscriberOrigin = _enum(SubscriberOrigin.CONFIG)
    notify_urls: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    mode: SubscriberMode = _enum(SubscriberMode.INSTANT)
    digest: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    paused: bool = False
    active: bool = True
    """False once a config subscriber is no longer in the config."""
    created_at: datetime = _ts(default_factory=utcnow)
    last_digest_at: datetime | None = _ts(default=None)
    lang: str = Field(default="zh", sa_column_kwargs={"server_default": "zh"})
    """The language of its alerts (zh or en); rows from before languages read zh."""


class OutboxRow(SQLModel):
    """What every outbox row has: its state, the claim of the sender that holds it, and
    the attempts, error and times of sending it."""

    status: DeliveryStatus = _enum(DeliveryStatus.PENDING, index=True)
    claimed_at: datetime | None = _ts(default=None)
    """When a sender took it (status sending); a stale claim means the sender died."""
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _ts(default_factory=utcnow)
    next_attempt_at: datetime | None = _ts(default=None)
    sent_at: datetime | None = _ts(default=None)


class Delivery(OutboxRow, table=True):
    """One story for one channel of one subscriber: an instant alert, or a line of a digest.

    The row exists before anything is sent, so a crash never loses it; the unique key
    means the same story is never planned twice for a channel. ``channel_key`` is a hash of
    the Apprise URL and ``channel`` its masked form: secrets never reach this table.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("subscriber_id", "story_id", "channel_key"),)

    id: int | None = Field(default=None, primary_key=True)
    subscriber_id: int = Field(foreign_key="subscribers.id", index=True)
    story_id: int = Field(foreign_key="stories.id", index=True)
    article_id: int = Field(foreign_key="articles.id")
    """The copy that caused it; the alert names every source of the story."""
    kind: DeliveryKind = _enum(DeliveryKind.INSTANT)
    channel_key: str
    channel: str


class AdminAlert(OutboxRow, table=True):
    """A message for the operator (``admin_notify``): a source broken or recovered,
    deliveries given up. Queued like a delivery, once per admin channel, and retried with
    the same backoff, so one failure of the admin channel does not lose it."""

    __tablename__ = "admin_alerts"

    id: int | None = Field(default=None, primary_key=True)
    channel_key: str
    channel: str
    """The masked URL: the URL itself stays in the config."""
    title: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)


class BackfillCheckpoint(SQLModel, table=True):
    """How far a backfill of one source over one date window has got, so an interrupted
    one continues where it stopped. ``date_range`` is the (since, until) pair as text: NULLs
    would not make the unique key unique."""

    __tablename__ = "backfill_checkpoints"
    __table_args__ = (UniqueConstraint("source_id", "date_range"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True)
    date_range: str
    since: datetime | None = _ts(default=None)
    until: datetime | None = _ts(default=None)
    """Exclusive."""
    next_url: str | None = Field(default=None, sa_type=Text)
    """The list page or feed page to fetch next; None once the walk is over."""
    pages_done: int = 0
    items_stored: int = 0
    status: CheckpointStatus = _enum(CheckpointStatus.RUNNING)
    stop_reason: str | None = None
    """Why a finished walk stopped: end, since or max_pages."""
    last_error: str | None = Field(default=None, sa_type=Text)
    started_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)
    finished_at: datetime | None = _ts(default=None)
    notified_at: datetime | None = _ts(default=None)
    """When the end-of-backfill digest went out (``--notify digest``), so it goes once."""


class RobotsTxt(SQLModel, table=True):
    """The last robots.txt answer of a site, kept between runs (and workers) for a day."""

    __tablename__ = "robots_txt"

    origin: str = Field(primary_key=True, description="scheme://host[:port]")
    status: int
    """HTTP status; 0 when unreachable."""
    body: str = Field(default="", sa_type=Text)
    fetched_at: datetime = _ts()


class Mark(SQLModel, table=True):
    """An analyst's judgement of a stored article: relevant or not, and where given its type
    and parties. The newest mark of an article is its label; older ones stay as history.
    ``previous`` keeps what the classifier had said, so a mark can be scored against it."""

    __tablename__ = "marks"

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="articles.id", index=True)
    relevant: bool
    type: ArticleType | None = Field(default=None, sa_type=StrEnumType(ArticleType))
    parties: list[dict[str, str]] | None = Field(default=None, sa_column=Column(JSON))
    """``{"name", "kind"}`` of each principal party; None: parties not judged."""
    by: str = ""
    created_at: datetime = _ts(default_factory=utcnow)
    previous: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))

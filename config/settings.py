"""Process-wide settings, read from ``IEIWATCH_*`` environment variables.

This is the only module that reads the environment, besides ``${VAR}`` substitution in the
YAML loader and two readers in storage, which sits below config: the key of stored secrets
(``storage/secrets.py``) and the fault suite's kill points (``storage/failpoints.py``).
Everything else receives a ``Settings`` object; ``ieiwatch --db`` sets
``IEIWATCH_DATABASE_URL`` for the command it runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ieiwatch import __version__


def default_database_url() -> str:
    """One database per user, wherever a command is run from: a relative default made a new,
    empty database in every working directory (and re-sent alerts from each of them)."""
    return database_url_of(str(Path(platformdirs.user_data_dir("ieiwatch")) / "ieiwatch.db"))


def default_prefect_home() -> Path:
    """Where ``serve`` keeps its local Prefect server (and says how to reach it), so that a
    ``run`` from any directory finds the running server."""
    return Path(platformdirs.user_data_dir("ieiwatch")) / "prefect"


def database_url_of(value: str) -> str:
    """A SQLAlchemy URL from what a user types: a URL as it is, a file path as SQLite."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IEIWATCH_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    config_path: Path = Field(
        default=Path("config/ieiwatch.yaml"), validation_alias="IEIWATCH_CONFIG"
    )

    # HTTP fetching
    user_agent: str = f"ieiwatch/{__version__} (news monitor for industry-education cooperation)"
    http_timeout: float = 20.0
    """Seconds for connect, each read and the whole request."""
    http_max_bytes: int = 5_000_000
    http_max_redirects: int = 5
    http_concurrency: int = 8
    """Article pages fetched at once within one source."""
    max_articles_per_source: int = 50
    """New article pages fetched per source per run; the rest wait for the next run."""

    # Politeness (scrapers/politeness.py, scrapers/robots.py)
    http_global_concurrency: int = Field(default=16, ge=1)
    """Requests in flight at once over all hosts."""
    http_host_concurrency: int = Field(default=2, ge=1)
    """Requests in flight at once to one host name."""
    http_host_delay: float = Field(default=0.5, ge=0)
    """Minimum seconds between the starts of two requests to one host."""
    http_crawl_delay_max: float = Field(default=10.0, ge=0)
    """A robots.txt ``Crawl-delay`` is honoured up to this many seconds."""
    http_retries: int = Field(default=2, ge=0)
    """Retries of one request after a transient error (timeout, refused, 429, 5xx)."""
    http_backoff: float = Field(default=1.0, ge=0)
    """Base of the exponential backoff between retries (1, 2, 4 … times this, with jitter)."""
    http_retry_after_max: float = Field(default=60.0, ge=0)
    """Longest ``Retry-After`` waited out; a server asking for more gets no retry this run."""

    # Safety (scrapers/safety.py)
    article_hosts: Literal["any", "source"] = "any"
    """``source``: fetch article links only on the source's own host and its ``allow_hosts``
    (other links are skipped and the listing's text is kept); ``any``: any public host."""

    # Source health (storage/health.py)
    broken_after_failures: int = Field(default=3, ge=1)
    """A source failing this many runs in a row is marked broken."""
    silent_after_days: float = Field(default=7.0, gt=0)
    """Shortest silence that can mark a source broken (also at least 4× its usual gap)."""

    # Prefect task retries for transient source failures
    source_retries: int = 2
    source_retry_delay: float = 5.0
    source_timeout: float = 600.0
    """Seconds one source may take in a pass, retries included; then it is given up for the
    pass (nothing of it is stored, so the next pass starts it again) and the others go on."""


def apply_prefect_defaults() -> None:
    """Quiet, offline-safe Prefect defaults, unless the user set them.

    Analytics off ends the "database is locked" telemetry errors of ephemeral servers and
    the failed lookups of a machine without internet.

    The event persister of a server started from here writes its events 1,000 at a time
    (Prefect's default is 20), still at least every 5 s. A pass sends an event for every
    relevant item and task state; written 20 at a time, they kept a local SQLite server
    writing just as the next run asked for its flow run, which the server then refused (a
    503) and Prefect's client asked again 2 s later: 6 of 10 passes right after a pass with
    new items waited so, none after this change (``bench/farm_compare.py``'s warm pass).
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_SERVICES_EVENT_PERSISTER_BATCH_SIZE", "1000")

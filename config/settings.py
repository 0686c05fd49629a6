"""Process-wide settings, read from ``IEIWATCH_*`` environment variables.

This is the only module that reads the environment (besides ``${VAR}`` substitution in the
YAML loader); everything else receives a ``Settings`` object.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ieiwatch import __version__


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IEIWATCH_", extra="ignore")

    database_url: str = "sqlite:///data/ieiwatch.db"
    config_path: Path = Field(
        default=Path("config/ieiwatch.yaml"), validation_alias="IEIWATCH_CONFIG"
    )

    # HTTP fetching
    user_agent: str = (
        f"ieiwatch/{__version__} (news monitor for industry-education cooperation)"
    )
    http_timeout: float = 20.0
    """Seconds for connect, each read and the whole request."""
    http_max_bytes: int = 5_000_000
    http_max_redirects: int = 5
    http_concurrency: int = 8
    """Article pages fetched at once within one source."""
    max_articles_per_source: int = 50
    """New article pages fetched per source per run; the rest wait for the next run."""

    # Prefect task retries for transient source failures
    source_retries: int = 2
    source_retry_delay: float = 5.0


def apply_prefect_defaults() -> None:
    """Quiet, offline-safe Prefect defaults, unless the user set them.

    Analytics off ends the "database is locked" telemetry errors of ephemeral servers and
    the failed lookups of a machine without internet.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

"""The typed domain at the bottom of ieiwatch: every other layer may import it, it imports
none of them."""

from ieiwatch.domain.errors import IeiwatchError
from ieiwatch.domain.model import (
    BEIJING,
    EDUCATION_KINDS,
    ArticleToStore,
    ArticleType,
    CheckpointStatus,
    DeliveryKind,
    DeliveryStatus,
    HealthState,
    Party,
    PartyKind,
    Region,
    RobotsAnswer,
    SourceKind,
    SourceStatus,
    StopReason,
    SubscriberMode,
    SubscriberOrigin,
    SubscriberSpec,
    url_key,
    utcnow,
)
from ieiwatch.domain.places import region_names
from ieiwatch.domain.text import MAX_TEXT_CHARS, MAX_TITLE_CHARS, clean_line, clean_text

__all__ = [
    "BEIJING",
    "EDUCATION_KINDS",
    "MAX_TEXT_CHARS",
    "MAX_TITLE_CHARS",
    "ArticleToStore",
    "ArticleType",
    "CheckpointStatus",
    "DeliveryKind",
    "DeliveryStatus",
    "HealthState",
    "IeiwatchError",
    "Party",
    "PartyKind",
    "Region",
    "RobotsAnswer",
    "SourceKind",
    "SourceStatus",
    "StopReason",
    "SubscriberMode",
    "SubscriberOrigin",
    "SubscriberSpec",
    "clean_line",
    "clean_text",
    "region_names",
    "url_key",
    "utcnow",
]

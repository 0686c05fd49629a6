"""The YAML schema: sources to watch and subscribers to alert.

Unknown keys are errors, so a typo in a key is reported instead of silently ignored.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from cssselect import SelectorError
from cssselect import parse as parse_css
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


CMS_NAMES = ("vsb", "webplus", "trs", "hanweb", "ucap")


class SourceConfig(_Strict):
    name: str = Field(pattern=NAME_PATTERN, description="unique; letters, digits, - _ .")
    kind: Literal["feed", "html"]
    url: str
    cms: Literal[CMS_NAMES] | None = None  # type: ignore[valid-type]
    """A CMS preset: its list, link, date and body selectors are the defaults below."""
    item_selector: str | None = None
    link_selector: str | None = None
    date_selector: str | None = None
    content_selector: str | None = None
    enabled: bool = True

    @field_validator("item_selector", "link_selector", "date_selector", "content_selector")
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_css(value)
            except SelectorError as exc:
                raise ValueError(f"not a CSS selector ({exc})") from None
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _html_needs_item_selector(self) -> SourceConfig:
        if self.kind == "html" and not (self.item_selector or self.cms):
            raise ValueError("an html source needs item_selector (or a cms preset)")
        return self


ARTICLE_TYPES = (
    "joint_lab",
    "industry_college",
    "strategic_agreement",
    "training_base",
    "talent_program",
    "alliance",
    "policy_event",
    "other_cooperation",
)


class Filters(_Strict):
    relevant_only: bool = True
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    types: list[Literal[ARTICLE_TYPES]] = []  # type: ignore[valid-type]
    keywords: list[str] = []
    """Any of these in the title or text (case-insensitive)."""
    sources: list[str] = []


class SubscriberConfig(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    notify: list[str] = Field(min_length=1, description="Apprise URLs")
    mode: Literal["instant", "digest"] = "instant"
    filters: Filters = Filters()

    @field_validator("notify")
    @classmethod
    def _looks_like_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
                raise ValueError(f"not an Apprise URL (scheme://...): {url[:12]}...")
        return urls


class AppConfig(_Strict):
    sources: list[SourceConfig] = []
    subscribers: list[SubscriberConfig] = []
    admin_notify: list[str] = []
    """Apprise URLs of the operator: dead deliveries and broken sources are reported here."""

    @model_validator(mode="after")
    def _unique_names_and_known_sources(self) -> AppConfig:
        _require_unique("source", [s.name for s in self.sources])
        _require_unique("subscriber", [s.name for s in self.subscribers])
        known = {s.name for s in self.sources}
        for sub in self.subscribers:
            unknown = sorted(set(sub.filters.sources) - known)
            if unknown:
                raise ValueError(
                    f"subscriber {sub.name!r} filters on unknown sources: {', '.join(unknown)}"
                )
        return self

    def source(self, name: str) -> SourceConfig:
        for src in self.sources:
            if src.name == name:
                return src
        raise KeyError(name)


def _require_unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name)

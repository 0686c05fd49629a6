"""The YAML schema: sources to watch and subscribers to alert.

Unknown keys are errors, so a typo in a key is reported instead of silently ignored.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import apprise
from apprise.plugins import N_MGR
from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ieiwatch.domain import ArticleType, SourceKind, SubscriberMode, SubscriberSpec

NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


CMS_NAMES = ("vsb", "webplus", "trs", "hanweb", "ucap")


class SourceConfig(_Strict):
    name: str = Field(pattern=NAME_PATTERN, description="unique; lowercase letters, digits, - _ .")
    kind: SourceKind
    url: str
    cms: Literal[CMS_NAMES] | None = None  # type: ignore[valid-type]
    """A CMS preset: its list, link, date and body selectors are the defaults below."""
    item_selector: str | None = None
    """One news item on the list page. Without it (and without ``cms``) the list is found
    on the first poll (``ieiwatch sources discover`` shows what is found)."""
    link_selector: str | None = None
    date_selector: str | None = None
    content_selector: str | None = None
    enabled: bool = True
    publisher: str | None = None
    """The institution whose site this is (e.g. 东北林业大学): names 我校/学校/"our
    university" in its articles, and places them when the text does not."""
    robots: Literal["obey", "ignore"] = "obey"
    """``ignore`` fetches what the site's robots.txt disallows: only with the site's consent."""
    allow_hosts: list[str] = []
    """Hosts besides the source's own whose links may be fetched even when they resolve to
    private or reserved addresses (an intranet mirror); ``*.example.edu.cn`` for subdomains."""
    interval: int = Field(default=30, ge=1, le=10080)
    """Minutes between polls under ``ieiwatch serve``; sources sharing one run together."""
    next_selector: str | None = None
    """Backfill: the "next page" link on a list page (default: the CMS preset's)."""
    page_url: str | None = None
    """Backfill: list page N >= 2 relative to the first, e.g. ``list_{page}.htm``;
    ``{index}`` is N - 1, ``{ext}`` the first page's extension (default: the preset's)."""

    @field_validator(
        "item_selector", "link_selector", "date_selector", "content_selector", "next_selector"
    )
    @classmethod
    def _css(cls, value: str | None) -> str | None:
        if value is not None:
            # Compiled as the scraper compiles it: ``li::text`` or ``li:bogus`` parse as
            # CSS but no list page can ever match them.
            try:
                etree.XPath(_CSS.css_to_xpath(value))
            except (SelectorError, etree.XPathSyntaxError) as exc:
                raise ValueError(f"not a CSS selector ieiwatch can use ({exc})") from None
        return value

    @field_validator("allow_hosts")
    @classmethod
    def _host_names(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            # A name, *.domain, or an IP address (IPv6 without brackets, as urlsplit gives it).
            if not re.fullmatch(r"(\*\.)?[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+", host):
                raise ValueError(f"not a host name (no scheme, path or port): {host!r}")
        return [host.lower() for host in hosts]

    @field_validator("page_url")
    @classmethod
    def _page_template(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "{page}" not in value and "{index}" not in value:
            raise ValueError("needs {page} or {index}, e.g. list_{page}.htm")
        try:
            value.format(page=2, index=1, ext="htm")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"only {{page}}, {{index}} and {{ext}} may be used ({exc})") from None
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 - raises for a port over 65535
        except ValueError as exc:  # also a broken IPv6 literal
            raise ValueError(f"not a usable URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL")
        return value


class Filters(_Strict):
    """What a subscriber wants; an empty list means "any"."""

    relevant_only: bool = True
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    types: list[ArticleType] = []
    regions: list[str] = []
    """Province or city names, e.g. 浙江 or 杭州 (matched against the article's region)."""
    parties: list[str] = []
    """Institution or company names, matched against the article's parties (either way
    round, so 宁德时代 matches 宁德时代新能源科技股份有限公司)."""
    keywords: list[str] = []
    """Any of these in the title or text (case-insensitive)."""
    sources: list[str] = []


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DigestSchedule(_Strict):
    every: Literal["daily", "weekly"] = "daily"
    at: str = Field(default="08:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    weekday: Literal[WEEKDAYS] = "mon"  # type: ignore[valid-type]
    """For weekly digests."""
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class SubscriberConfig(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    notify: list[str] = Field(min_length=1, description="Apprise URLs")
    mode: SubscriberMode = SubscriberMode.INSTANT
    digest: DigestSchedule = DigestSchedule()
    """When digests go out (``mode: digest``)."""
    filters: Filters = Filters()
    lang: Literal["zh", "en"] = "zh"
    """The language of this subscriber's alerts and digests."""

    @field_validator("notify")
    @classmethod
    def _looks_like_urls(cls, urls: list[str]) -> list[str]:
        return apprise_urls(urls)

    def spec(self) -> SubscriberSpec:
        """As storage keeps it."""
        return SubscriberSpec(
            self.name,
            self.mode,
            tuple(self.notify),
            self.digest.model_dump(mode="json"),
            self.filters.model_dump(mode="json"),
            lang=self.lang,
        )


class WebConfig(_Strict):
    base_url: str | None = None
    """Where the web app is reached (``https://ieiwatch.example.org``): alerts link to its
    subscriber page from their footer."""

    @field_validator("base_url")
    @classmethod
    def _http_base(cls, value: str | None) -> str | None:
        if value is not None and (
            urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc
        ):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/") if value else value


class AppConfig(_Strict):
    sources: list[SourceConfig] = []
    subscribers: list[SubscriberConfig] = []
    admin_notify: list[str] = []
    web: WebConfig = WebConfig()
    """Apprise URLs of the operator: dead deliveries and broken sources are reported here."""
    alert_window_days: int = Field(default=7, ge=0)
    """A source's first poll alerts only on items published this recently, so adding a
    source does not flood subscribers with its archive."""

    @field_validator("admin_notify")
    @classmethod
    def _admin_urls(cls, urls: list[str]) -> list[str]:
        return apprise_urls(urls)

    @model_validator(mode="after")
    def _unique_names_and_known_sources(self) -> AppConfig:
        _require_unique("source", [s.name for s in self.sources])
        _require_unique("subscriber", [s.name for s in self.subscribers])
        for sub in self.subscribers:
            self.check_sources_known(sub)
        return self

    def check_sources_known(self, sub: SubscriberConfig) -> None:
        """The subscriber filters only on sources of this config (file or CLI alike)."""
        unknown = sorted(set(sub.filters.sources) - {s.name for s in self.sources})
        if unknown:
            raise ValueError(
                f"subscriber {sub.name!r} filters on unknown sources: {', '.join(unknown)}"
            )

    def source(self, name: str) -> SourceConfig:
        for src in self.sources:
            if src.name == name:
                return src
        raise KeyError(name)


_CSS = HTMLTranslator()


def apprise_urls(urls: list[str]) -> list[str]:
    """Refuse what Apprise cannot send to: an unknown service, or a URL its service cannot
    read (a missing token). Which entry is said without echoing it: it may carry a secret."""
    for i, url in enumerate(urls):
        problem = apprise_url_problem(url)
        if problem is not None:
            raise ValueError(f"entry {i}: {problem}")
    return urls


def apprise_url_problem(url: str) -> str | None:
    """Why Apprise cannot send to ``url`` (None if it can), without echoing the URL."""
    match = re.match(r"^([a-z][a-z0-9+.-]*)://", url, re.IGNORECASE)
    if match is None:
        return "not an Apprise URL: it needs a service scheme (mailto://, json://, wecombot:// …)"
    scheme = match.group(1).lower()
    if scheme not in N_MGR:
        return f"{scheme}:// is not a service Apprise knows"
    if apprise.Apprise.instantiate(url) is None:
        return (
            f"Apprise cannot read this {scheme}:// URL (a part is missing or malformed; "
            "see https://appriseit.com)"
        )
    return None


def _require_unique(what: str, names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} name {name!r} is used twice")
        seen.add(name)

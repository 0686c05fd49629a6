"""The items filter as query parameters: read from a request, written into links (pages,
feed, exports), so every view of "these items" takes the same parameters."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException, Request

from ieiwatch.domain import ArticleType, clean_line
from ieiwatch.storage.search import ItemFilter

FILTER_KEYS = ("relevant", "type", "region", "party", "source", "since", "until", "q")
PER_PAGE = 50


def item_filter(request: Request) -> ItemFilter:
    """The filter a request asks for; a bad value is a 400 naming the parameter."""
    params = request.query_params
    return ItemFilter(
        relevant_only=params.get("relevant", "") in ("1", "true", "on", "yes"),
        type=_type(params.get("type", "")),
        region=clean_line(params.get("region", ""), 100),
        party=clean_line(params.get("party", ""), 200),
        source=clean_line(params.get("source", ""), 200),
        since=_day("since", params.get("since", "")),
        until=_day("until", params.get("until", "")),
        q=clean_line(params.get("q", ""), 200),
    )


def page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    try:
        return max(1, min(int(raw), 10_000))
    except ValueError:
        raise HTTPException(400, f"page: not a number: {raw[:20]!r}") from None


def _type(raw: str) -> ArticleType | None:
    if not raw:
        return None
    try:
        return ArticleType(raw)
    except ValueError:
        known = ", ".join(t.value for t in ArticleType)
        raise HTTPException(400, f"type: unknown type {raw[:40]!r} (one of: {known})") from None


def _day(name: str, raw: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(400, f"{name}: not a date (YYYY-MM-DD): {raw[:20]!r}") from None


def as_params(wanted: ItemFilter) -> dict[str, str]:
    """The filter's non-empty fields as query parameters."""
    values: dict[str, Any] = {
        "relevant": "1" if wanted.relevant_only else "",
        "type": wanted.type or "",
        "region": wanted.region,
        "party": wanted.party,
        "source": wanted.source,
        "since": wanted.since.isoformat() if wanted.since else "",
        "until": wanted.until.isoformat() if wanted.until else "",
        "q": wanted.q,
    }
    return {k: str(v) for k, v in values.items() if v}


def query(wanted: ItemFilter, **extra: str | int) -> str:
    """``?…`` for a link to the same filter (plus ``extra``), or ``""``."""
    params = as_params(wanted) | {k: str(v) for k, v in extra.items() if v not in ("", None)}
    return "?" + urlencode(params) if params else ""

"""The JSON API under ``/api/`` (OpenAPI page at ``/api/docs``): the same items, filters,
sources, subscribers and deliveries as the pages, and marks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field
from sqlmodel import Session

from ieiwatch.domain import ArticleType
from ieiwatch.notify.channels import mask
from ieiwatch.storage.articles import source_names
from ieiwatch.storage.deliveries import list_deliveries
from ieiwatch.storage.marks import MarkError, export_marks, mark_article, marks_of
from ieiwatch.storage.models import Article
from ieiwatch.storage.search import find_items, story_deliveries
from ieiwatch.storage.stories import story_sources
from ieiwatch.storage.subscribers import subscriber_names
from ieiwatch.web.items import stored_article
from ieiwatch.web.params import PER_PAGE, item_filter, page_number
from ieiwatch.web.security import check_csrf
from ieiwatch.web.sources import health_rows
from ieiwatch.web.state import db, state_of
from ieiwatch.web.subscribers import all_subscriptions, wanted_filters

router = APIRouter(prefix="/api", tags=["api"])


class PartyOut(BaseModel):
    name: str
    kind: str


class RegionOut(BaseModel):
    province: str | None
    city: str | None
    country: str | None = Field(default=None, description="Outside mainland China only.")


class ItemOut(BaseModel):
    id: int
    title: str
    url: str
    published_at: datetime | None
    lang: str
    relevant: bool
    score: float
    type: str | None
    parties: list[PartyOut]
    region: RegionOut | None
    sectors: list[str]
    evidence: list[str]
    sources: list[str]
    """Every source carrying the story, its own first."""
    corrected: bool
    publisher: str | None = Field(
        default=None,
        description="The school it was classified with, which 我校 or 'the university' names: "
        "its source's publisher, or its page's site name",
    )


class ItemsOut(BaseModel):
    page: int
    has_more: bool
    items: list[ItemOut]


class CopyOut(BaseModel):
    source: str
    url: str


class AlertOut(BaseModel):
    subscriber: str
    channel: str
    status: str
    attempts: int
    last_error: str | None


class MarkOut(BaseModel):
    relevant: bool
    type: str | None
    parties: list[PartyOut] | None
    by: str
    created_at: datetime


class ItemDetailOut(ItemOut):
    text: str
    copies: list[CopyOut]
    alerts: list[AlertOut]
    marks: list[MarkOut]


class MarkIn(BaseModel):
    relevant: bool
    type: ArticleType | None = None
    parties: list[str] | None = Field(default=None, description="None: keep the parties")
    by: str = "api"


def item_out(a: Article, sources: list[str]) -> ItemOut:
    return ItemOut(
        id=a.id or 0,
        title=a.title,
        url=a.url,
        published_at=a.published_at,
        lang=a.lang,
        relevant=a.relevant,
        score=round(a.score, 3),
        type=str(a.type) if a.type else None,
        parties=[PartyOut(name=p.name, kind=str(p.kind)) for p in a.parties],
        region=RegionOut(**a.region.to_dict()) if a.region else None,
        sectors=list(a.sectors),
        evidence=list(a.evidence),
        sources=sources,
        corrected=a.corrected,
        publisher=a.publisher,
    )


@router.get("/items", response_model=ItemsOut)
def items(request: Request, session: Annotated[Session, Depends(db)]) -> ItemsOut:
    """Items, newest first; the same query parameters as the items page (relevant, type,
    region, party, source, since, until, q, page)."""
    page = page_number(request)
    found = find_items(session, item_filter(request), offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return ItemsOut(
        page=page,
        has_more=found.has_more,
        items=[item_out(a, found.sources.get(a.id or 0, [])) for a in found.items],
    )


@router.get("/items/{article_id}", response_model=ItemDetailOut)
def item(article_id: int, session: Annotated[Session, Depends(db)]) -> ItemDetailOut:
    a = stored_article(session, article_id)
    copies = story_sources(session, a.story_id) if a.story_id else []
    names = subscriber_names(session)
    base = item_out(a, list(dict.fromkeys(name for name, _ in copies)))
    return ItemDetailOut(
        **base.model_dump(),
        text=a.text,
        copies=[CopyOut(source=s, url=u) for s, u in copies],
        alerts=[
            AlertOut(
                subscriber=names.get(d.subscriber_id, "?"),
                channel=d.channel,
                status=str(d.status),
                attempts=d.attempts,
                last_error=d.last_error,
            )
            for d in (story_deliveries(session, a.story_id) if a.story_id else [])
        ],
        marks=[
            MarkOut(
                relevant=m.relevant,
                type=str(m.type) if m.type else None,
                parties=None if m.parties is None else [PartyOut(**p) for p in m.parties],
                by=m.by,
                created_at=m.created_at,
            )
            for m in marks_of(session, article_id)
        ],
    )


@router.post("/items/{article_id}/mark", response_model=ItemOut)
def mark(
    request: Request, article_id: int, body: MarkIn, session: Annotated[Session, Depends(db)]
) -> ItemOut:
    """Correct an item (needs the ``X-CSRF-Token`` header equal to the ``ieiwatch_csrf``
    cookie, or a Bearer token when one is set)."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        check_csrf(request, None)
    stored_article(session, article_id)
    try:
        mark_article(
            session,
            article_id,
            relevant=body.relevant,
            type=body.type,
            parties=body.parties,
            by=body.by,
        )
    except MarkError as exc:
        raise HTTPException(400, str(exc)) from None
    a = stored_article(session, article_id)
    return item_out(a, [source_names(session).get(a.source_id, "?")])


@router.get("/marks")
def marks(session: Annotated[Session, Depends(db)]) -> list[dict[str, Any]]:
    """Every marked item as a labelled row (its newest mark)."""
    return export_marks(session)


@router.get("/sources")
def sources(request: Request, session: Annotated[Session, Depends(db)]) -> list[dict[str, Any]]:
    names = [s.name for s in state_of(request).config.sources]
    return [
        {
            "name": h.name,
            "state": str(h.state),
            "last_success_at": h.last_success_at,
            "last_error": h.last_error,
            "broken_reason": h.broken_reason,
            "items_30_days": recent,
            "last_item_at": h.last_item_at,
        }
        for h, recent in health_rows(session, names)
    ]


@router.get("/subscribers")
def subscribers(request: Request, session: Annotated[Session, Depends(db)]) -> list[dict[str, Any]]:
    """Subscribers with their channels masked."""
    return [
        {
            "name": s.name,
            "origin": str(s.origin),
            "paused": s.paused,
            "mode": str(s.mode),
            "channels": [mask(u) for u in s.urls],
            "filters": wanted_filters(s),
        }
        for s in all_subscriptions(request, session)
    ]


@router.get("/deliveries")
def deliveries(
    session: Annotated[Session, Depends(db)], failed: bool = False
) -> list[dict[str, Any]]:
    names = subscriber_names(session)
    return [
        {
            "id": d.id,
            "status": str(d.status),
            "subscriber": names.get(d.subscriber_id, "?"),
            "channel": d.channel,
            "story_id": d.story_id,
            "article_id": d.article_id,
            "attempts": d.attempts,
            "last_error": d.last_error,
            "next_attempt_at": d.next_attempt_at,
            "created_at": d.created_at,
        }
        for d in list_deliveries(session, failed_only=failed, limit=200)
    ]

"""The items list (filters, search, pages) and an item's detail page, where it can be
corrected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlmodel import Session

from ieiwatch.domain import ArticleType
from ieiwatch.storage.articles import source_names
from ieiwatch.storage.marks import MarkError, mark_article, marks_of
from ieiwatch.storage.models import Article
from ieiwatch.storage.search import find_items, story_deliveries
from ieiwatch.storage.stories import story_sources
from ieiwatch.storage.subscribers import subscriber_names
from ieiwatch.web.params import PER_PAGE, as_params, item_filter, page_number, query
from ieiwatch.web.security import check_csrf
from ieiwatch.web.state import db, render, state_of

router = APIRouter()
EXCERPT_CHARS = 240


@router.get("/", response_class=HTMLResponse)
@router.get("/items", response_class=HTMLResponse)
def items_page(request: Request, session: Annotated[Session, Depends(db)]) -> HTMLResponse:
    wanted = item_filter(request)
    page = page_number(request)
    found = find_items(session, wanted, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render(
        request,
        "items.html",
        items=found.items,
        sources=found.sources,
        wanted=wanted,
        params=as_params(wanted),
        page=page,
        newer=query(wanted, page=page - 1) if page > 1 else None,
        older=query(wanted, page=page + 1) if found.has_more else None,
        feed_query=query(wanted),
        feed_href="/feed.atom" + query(wanted, token=state_of(request).web.feed_token()),
        source_names=sorted(source_names(session).values()),
        types=list(ArticleType),
    )


def stored_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise HTTPException(404, f"no stored item with id {article_id}")
    return article


@router.get("/items/{article_id}", response_class=HTMLResponse)
def item_page(
    request: Request, article_id: int, session: Annotated[Session, Depends(db)]
) -> HTMLResponse:
    article = stored_article(session, article_id)
    story = article.story_id
    return render(
        request,
        "item.html",
        a=article,
        source=source_names(session).get(article.source_id, "?"),
        excerpt=excerpt(article.text),
        copies=story_sources(session, story) if story else [],
        alerts=story_deliveries(session, story) if story else [],
        subscribers=subscriber_names(session),
        marks=marks_of(session, article_id),
        types=list(ArticleType),
        saved=request.query_params.get("saved") == "1",
    )


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@router.post("/items/{article_id}/mark")
def mark_item(
    request: Request,
    article_id: int,
    session: Annotated[Session, Depends(db)],
    relevant: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    type: Annotated[str, Form()] = "",
    parties: Annotated[str, Form()] = "",
    change_parties: Annotated[str, Form()] = "",
    by: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Correct an item: relevant or not, its type, its parties (one per line)."""
    check_csrf(request, csrf)
    stored_article(session, article_id)
    names = [line.strip() for line in parties.splitlines() if line.strip()]
    try:
        mark_article(
            session,
            article_id,
            relevant=relevant == "1",
            type=(type or None) if relevant == "1" else None,
            parties=names if change_parties else None,
            by=by or "web",
        )
    except MarkError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/items/{article_id}?saved=1", status_code=303)

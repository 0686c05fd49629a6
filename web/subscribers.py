"""Subscribers (list, add, pause/resume, send a test) and deliveries (the failed ones
with their error, and a retry)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from ieiwatch.config.schema import SubscriberConfig
from ieiwatch.domain import ArticleType
from ieiwatch.notify.channels import Message, NotifyError, mask, send, validate
from ieiwatch.notify.sending import deliver_due
from ieiwatch.notify.subscriptions import Subscription, subscriptions
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import Outbox, list_deliveries
from ieiwatch.storage.subscribers import (
    SubscriberError,
    add_subscriber,
    set_paused,
    subscriber_names,
    subscribers_by_name,
)
from ieiwatch.web.security import check_csrf
from ieiwatch.web.state import db, render, state_of

router = APIRouter()


def all_subscriptions(request: Request, session: Session) -> list[Subscription]:
    rows = list(subscribers_by_name(session).values())
    return subscriptions(rows, state_of(request).config, unsynced=True)


def wanted_filters(sub: Subscription) -> dict[str, Any]:
    filters = sub.filters.model_dump(mode="json")
    return {k: v for k, v in filters.items() if v not in ([], 0.0)}


@router.get("/subscribers", response_class=HTMLResponse)
def subscribers_page(
    request: Request, session: Annotated[Session, Depends(db)], note: str = ""
) -> HTMLResponse:
    subs = all_subscriptions(request, session)
    return render(
        request,
        "subscribers.html",
        subs=subs,
        channels={s.name: [mask(u) for u in s.urls] for s in subs},
        filters={s.name: wanted_filters(s) for s in subs},
        types=list(ArticleType),
        note=note,
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


@router.post("/subscribers")
def add(
    request: Request,
    session: Annotated[Session, Depends(db)],
    name: Annotated[str, Form()],
    notify: Annotated[str, Form()],
    mode: Annotated[str, Form()] = "instant",
    types: Annotated[list[str] | None, Form()] = None,
    regions: Annotated[str, Form()] = "",
    parties: Annotated[str, Form()] = "",
    keywords: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Add a subscriber kept in the database, like ``ieiwatch subscribers add``."""
    check_csrf(request, csrf)
    urls = [u.strip() for u in notify.splitlines() if u.strip()]
    try:
        for url in urls:
            validate(url)
        config = SubscriberConfig.model_validate(
            {
                "name": name.strip(),
                "notify": urls,
                "mode": mode,
                "filters": {
                    "types": types or [],
                    "regions": _split(regions),
                    "parties": _split(parties),
                    "keywords": _split(keywords),
                },
            }
        )
        add_subscriber(session, config.spec())
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise HTTPException(400, f"subscriber: {problems}") from None
    except (NotifyError, SubscriberError) as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse("/subscribers", status_code=303)


@router.post("/subscribers/{name}/{action}")
async def change(
    request: Request,
    name: str,
    action: str,
    csrf: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """pause, resume, or test (a sample alert to each channel, outcome shown on the page)."""
    check_csrf(request, csrf)
    if action in ("pause", "resume"):
        await run_in_threadpool(_set_paused, request, name, action == "pause")
        return RedirectResponse("/subscribers", status_code=303)
    if action == "test":
        outcome = await run_in_threadpool(_send_test, request, name)
        return RedirectResponse(f"/subscribers?note={outcome}", status_code=303)
    raise HTTPException(404, f"no action {action!r} (pause, resume or test)")


def _set_paused(request: Request, name: str, paused: bool) -> None:
    try:
        with session_scope(state_of(request).engine) as session:
            set_paused(session, name, paused)
    except SubscriberError as exc:
        raise HTTPException(
            400, f"{exc} (a subscriber of the config file is stored at the first run)"
        ) from None


def _send_test(request: Request, name: str) -> str:
    with session_scope(state_of(request).engine) as session:
        sub = next((s for s in all_subscriptions(request, session) if s.name == name), None)
    if sub is None:
        raise HTTPException(404, f"no subscriber named {name!r}")
    sample = Message("[ieiwatch] test alert", f"This is a test alert for {name}.", "text")
    lines = []
    for url in sub.urls:
        try:
            send(url, sample)
            lines.append(f"ok {mask(url)}")
        except NotifyError as exc:
            lines.append(f"FAILED {mask(url)}: {exc}")
    return quote("; ".join(lines) or "no channels")


@router.get("/deliveries", response_class=HTMLResponse)
def deliveries_page(
    request: Request, session: Annotated[Session, Depends(db)], note: str = ""
) -> HTMLResponse:
    return render(
        request,
        "deliveries.html",
        failed=list_deliveries(session, failed_only=True, limit=200),
        recent=list_deliveries(session, limit=100),
        names=subscriber_names(session),
        note=note,
    )


@router.post("/deliveries/retry")
async def retry(request: Request, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    """Make every failed delivery due now and send what is due, like
    ``ieiwatch deliveries retry``."""
    check_csrf(request, csrf)
    state = state_of(request)

    def run() -> str:
        outbox = Outbox(state.engine)
        count = outbox.retry_now()
        report = deliver_due(outbox, state.config)
        return f"{count} retried: {report.sent} sent, {report.failed} failed, {report.dead} dead"

    note = await run_in_threadpool(run)
    return RedirectResponse(f"/deliveries?note={quote(note)}", status_code=303)

"""Sources: health at a glance, a dry-run "check now", and trying a new source from a URL
(with selectors) before adding it to the config."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from ieiwatch.config import ConfigError, load_config
from ieiwatch.config.schema import CMS_NAMES, SourceConfig
from ieiwatch.config.sources_file import SourcesFileError, append_sources
from ieiwatch.domain import utcnow
from ieiwatch.flows.checking import CheckResult, check_source, discover_url
from ieiwatch.scrapers.discover import source_name
from ieiwatch.scrapers.errors import ScrapeError
from ieiwatch.scrapers.opml import unique_name
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.health import SourceHealth, health_table
from ieiwatch.storage.search import items_since_by_source
from ieiwatch.storage.sources import get_source
from ieiwatch.web.security import check_csrf
from ieiwatch.web.state import db, render, state_of

router = APIRouter()
RECENT = timedelta(days=30)
CHECK_ARTICLES = 3


def health_rows(session: Session, names: list[str]) -> list[tuple[SourceHealth, int]]:
    """Each configured source's health and its items of the last 30 days."""
    recent = items_since_by_source(session, utcnow() - RECENT)
    rows = []
    for health in health_table(session, names, unknown_as_new=True):
        stored = get_source(session, health.name)
        rows.append((health, recent.get(stored.id or -1, 0) if stored else 0))
    return rows


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: Annotated[Session, Depends(db)]) -> HTMLResponse:
    names = [s.name for s in state_of(request).config.sources]
    return render(
        request,
        "sources.html",
        rows=health_rows(session, names),
        cms_names=CMS_NAMES,
        form={},
        added=request.query_params.get("added", ""),
    )


@router.post("/sources/{name}/check", response_class=HTMLResponse)
async def check_now(request: Request, name: str, csrf: Annotated[str, Form()] = "") -> HTMLResponse:
    """Fetch the source once and show what it would extract; nothing is stored or sent."""
    check_csrf(request, csrf)
    state = state_of(request)
    try:
        source = state.config.source(name)
    except KeyError:
        raise HTTPException(404, f"no source named {name!r} in the config") from None
    return await _checked(request, source, entry=None)


@router.post("/sources/try", response_class=HTMLResponse)
async def try_source(
    request: Request,
    name: Annotated[str, Form()],
    url: Annotated[str, Form()],
    kind: Annotated[str, Form()] = "feed",
    cms: Annotated[str, Form()] = "",
    item_selector: Annotated[str, Form()] = "",
    link_selector: Annotated[str, Form()] = "",
    date_selector: Annotated[str, Form()] = "",
    content_selector: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """A source from a URL and selectors: checked like "check now", with the YAML to add
    to the config when it works."""
    check_csrf(request, csrf)
    form = {
        "name": name.strip(),
        "kind": kind,
        "url": url.strip(),
        "cms": cms or None,
        "item_selector": item_selector.strip() or None,
        "link_selector": link_selector.strip() or None,
        "date_selector": date_selector.strip() or None,
        "content_selector": content_selector.strip() or None,
    }
    try:
        source = SourceConfig.model_validate({k: v for k, v in form.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        with session_scope(state_of(request).engine) as session:
            names = [s.name for s in state_of(request).config.sources]
            rows = health_rows(session, names)
        return render(
            request,
            "sources.html",
            status_code=400,
            rows=rows,
            cms_names=CMS_NAMES,
            form=form,
            problem=problems,
        )
    entry = source.model_dump(mode="json", exclude_defaults=True)
    return await _checked(request, source, entry=entry)


async def _checked(
    request: Request, source: SourceConfig, entry: dict[str, Any] | None
) -> HTMLResponse:
    result: CheckResult | None = None
    problem = None
    try:
        result = await check_source(state_of(request).settings, source, CHECK_ARTICLES)
    except ScrapeError as exc:
        problem = str(exc)
    works = result is not None and bool(result.listing.items)
    return render(
        request,
        "source_check.html",
        source=source,
        result=result,
        problem=problem,
        **_offer(entry if works else None),
    )


def _offer(entry: dict[str, Any] | None) -> dict[str, Any]:
    """The config entry shown as YAML, and as the hidden field of the "add" form."""
    if entry is None:
        return {"snippet": None, "entry_json": None}
    return {
        "snippet": yaml.safe_dump([entry], allow_unicode=True, sort_keys=False),
        "entry_json": json.dumps(entry, ensure_ascii=False),
    }


@router.post("/sources/discover", response_class=HTMLResponse)
async def discover_source(
    request: Request,
    url: Annotated[str, Form()],
    name: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Find what a page offers (its feed, or its news list, dates and next page) and the
    config entry that watches it; nothing is stored until it is added."""
    check_csrf(request, csrf)
    state = state_of(request)
    try:
        found = await discover_url(state.settings, url.strip())
    except ScrapeError as exc:
        raise HTTPException(400, f"discover: {exc}") from None
    taken = {s.name for s in state.config.sources}
    chosen = name.strip() or unique_name(source_name(found.url), taken)
    entry = found.source_entry(chosen)
    return render(request, "source_discovered.html", found=found, entry=entry, **_offer(entry))


@router.post("/sources/add")
def add_source(
    request: Request, entry: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""
) -> RedirectResponse:
    """Append a checked source to the config file (its comments kept) and watch it from the
    next run."""
    check_csrf(request, csrf)
    state = state_of(request)
    try:
        fields = json.loads(entry)
        source = SourceConfig.model_validate(fields)
    except (ValueError, ValidationError) as exc:
        raise HTTPException(400, f"source: {exc}") from None
    if source.name in {s.name for s in state.config.sources}:
        raise HTTPException(400, f"a source named {source.name!r} exists already")
    try:
        append_sources(state.config_path, [fields])
        state.config = load_config(state.config_path)
    except (SourcesFileError, ConfigError) as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse(f"/sources?added={quote(source.name)}", status_code=303)

"""What every page works with (one per app), and how pages are rendered."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from sqlmodel import Session

from ieiwatch.config.schema import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import BEIJING
from ieiwatch.storage.db import session_scope
from ieiwatch.web import evidence, i18n
from ieiwatch.web.security import csrf_token, safe_href
from ieiwatch.web.settings import WebSettings

HERE = Path(__file__).parent
LANG_COOKIE = "ieiwatch_lang"


@dataclass
class WebState:
    settings: Settings
    config: AppConfig
    config_path: Path
    web: WebSettings
    engine: Engine
    templates: Jinja2Templates


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.autoescape = True  # every template, whatever its file name
    env.filters["href"] = safe_href
    env.filters["beijing"] = _beijing
    env.globals["type_name"] = i18n.type_name
    env.globals["kind_name"] = i18n.kind_name
    env.globals["region_text"] = i18n.region_text
    env.globals["plain_evidence"] = evidence.plain
    env.globals["state_name"] = i18n.state_name
    return templates


def _beijing(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(BEIJING).strftime(fmt) if value else "-"


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE, "zh")
    return asked if asked in i18n.LANGS else "zh"


def db(request: Request) -> Iterator[Session]:
    """A session per request, committed when the page succeeded."""
    with session_scope(state_of(request).engine) as session:
        yield session


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = lang_of(request)
    state = state_of(request)
    return state.templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "t": i18n.pick(lang),
            "csrf": csrf_token(request),
            "feed_token": state.web.feed_token(),
            "path": request.url.path,
            "other_lang_href": str(
                request.url.include_query_params(lang="zh" if lang == "en" else "en")
            ),
            **context,
        },
        status_code=status_code,
    )

"""The FastAPI application: pages, feeds, exports and the JSON API over one database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from ieiwatch import __version__
from ieiwatch.config.schema import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.web import api, exports, feeds, items, sources, subscribers
from ieiwatch.web.security import CSRF_COOKIE, authorised
from ieiwatch.web.settings import WebSettings
from ieiwatch.web.state import HERE, LANG_COOKIE, WebState, lang_of, make_templates, render

CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
"""The pages run no script at all: even text that escaped escaping could not run."""
FEED_PATHS = ("/feed.atom",)
"""Paths (and ``/subscribers/<name>/feed.atom``) the read-only feed token opens."""


def create_app(
    settings: Settings,
    config: AppConfig,
    config_path: Path,
    engine: Engine,
    web: WebSettings | None = None,
) -> FastAPI:
    """The app over ``engine`` (migrated already: ``flows.runtime.open_store``)."""
    app = FastAPI(
        title="ieiwatch",
        version=__version__,
        description="Industry–education cooperation news: items, sources, subscribers.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = WebState(
        settings, config, config_path, web or WebSettings(), engine, make_templates()
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (items, sources, subscribers, feeds, exports, api):
        app.include_router(module.router)
    app.middleware("http")(_guard)
    app.exception_handler(StarletteHTTPException)(_error_page)
    return app


async def _guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Ask for the password when one is set; keep the CSRF and language cookies."""
    state: WebState = request.app.state.web
    path = request.url.path
    feed = path in FEED_PATHS or (path.startswith("/subscribers/") and path.endswith(".atom"))
    if not path.startswith("/static/") and not authorised(request, state.web, feed=feed):
        return Response(
            "password required",
            status_code=401,
            headers={"WWW-Authenticate": 'Basic realm="ieiwatch", charset="UTF-8"'},
        )
    response = await call_next(request)
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf and CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="strict")
    asked = request.query_params.get("lang")
    if asked and asked == lang_of(request):
        response.set_cookie(LANG_COOKIE, asked, samesite="lax", max_age=365 * 86400)
    if not path.startswith("/api/docs"):  # Swagger UI is the one page with scripts
        response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    if "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
    return render(request, "error.html", status_code=exc.status_code, message=str(exc.detail))

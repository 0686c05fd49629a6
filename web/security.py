"""Who may see and change what: a password or token when one is set, a read-only token
for feeds, and double-submit CSRF tokens on every form."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from ieiwatch.web.settings import WebSettings

CSRF_COOKIE = "ieiwatch_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_token(request: Request) -> str:
    """The browser's token (from its cookie), or a new one the response will set."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = new_csrf_token()
        request.state.new_csrf = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """The form's (or header's) token must equal the cookie's: another site can make the
    browser send the cookie, but cannot read it to put it in the form."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    given = submitted or request.headers.get(CSRF_HEADER, "")
    if not cookie or not given or not hmac.compare_digest(cookie, given):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise HTTPException(403, f"cross-site request from {origin} refused")


def authorised(request: Request, settings: WebSettings, *, feed: bool = False) -> bool:
    """True when no secret is set, or the request carries it (Basic password or Bearer
    token); feeds also accept the read-only feed token in ``?token=``."""
    secret = settings.secret()
    if not secret:
        return True
    if feed and _same(request.query_params.get("token", ""), settings.feed_token()):
        return True
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return any(_same(value, s) for s in _secrets(settings))
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        password = decoded.partition(":")[2]
        return any(_same(password, s) for s in _secrets(settings))
    return False


def _secrets(settings: WebSettings) -> list[str]:
    return [
        v.get_secret_value()
        for v in (settings.password, settings.token)
        if v is not None and v.get_secret_value()
    ]


def _same(given: str, expected: str) -> bool:
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def safe_href(url: str | None) -> str | None:
    """The URL when it is http(s), else None: ``javascript:`` and ``data:`` never become
    links."""
    if not url:
        return None
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in ("http", "https") else None

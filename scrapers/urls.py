"""URL canonicalisation, so one article reached by several spellings is stored once."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that track the visit rather than name the page.
_TRACKING = {
    "spm",
    "from",
    "source",
    "share",
    "share_token",
    "isappinstalled",
    "fbclid",
    "gclid",
    "scene",
    "clicktime",
    "enterid",
    "timestamp",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


INVALID_LINK = "invalid link"
"""How an ``InvalidLink`` message starts."""


class InvalidLink(ValueError):
    """A link no request can be made for: a port over 65535, a broken IPv6 literal."""


def canonicalize(url: str, base: str | None = None) -> str:
    """Absolute URL with lower-case scheme and host, no default port, no fragment, no
    tracking parameters and a sorted query.

    Raises ``InvalidLink`` for a link that cannot be read as a URL; callers skip that one
    item, not its whole listing.
    """
    try:
        if base:
            url = urljoin(base, url.strip())
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidLink(f"{INVALID_LINK} {url[:200]!r}: {exc}") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets, or the port reads as part of it
    if port and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    # Percent-encode what may not stand raw in a URL (spaces, quotes, <>, non-ASCII) and
    # leave existing escapes alone, so both spellings of one path meet.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING and not k.lower().startswith("utm_")
    )
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)

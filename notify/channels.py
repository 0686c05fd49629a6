"""Apprise URLs as channels: identify, mask and send to one URL at a time.

Apprise's ``notify()`` answers True/False for a whole set of URLs; sending per URL is what
lets us record each channel's outcome on its own.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import ssl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

import apprise
import apprise.plugins.email.base as apprise_email
from apprise.plugins.email import NotifyEmail

from ieiwatch.config.schema import apprise_url_problem
from ieiwatch.domain import IeiwatchError
from ieiwatch.domain.text import clean_line, clean_text


class NotifyError(IeiwatchError):
    """An alert could not be sent, or its Apprise URL is not one."""


class InvalidAppriseURL(NotifyError):
    def __init__(self, problem: str) -> None:
        super().__init__(f"notify: invalid Apprise URL: {problem}")


class SendFailed(NotifyError):
    pass


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    format: str = "text"
    """html, markdown or text: what ``body`` is written in."""


_APPRISE_FORMATS = {
    "html": apprise.NotifyFormat.HTML,
    "markdown": apprise.NotifyFormat.MARKDOWN,
    "text": apprise.NotifyFormat.TEXT,
}
# Slack's own markup is neither HTML nor Markdown (standard Markdown arrives as literal
# asterisks); Telegram accepts only a few HTML tags and rejects a message with others.
_TEXT_SCHEMES = ("slack", "tgram")

READ_TIMEOUT = 30.0
"""Seconds to wait for a service's answer unless the URL sets ``rto``. Apprise's own 4 s
made a webhook that answers in 5 s count as failed after accepting the message, so every
retry delivered another copy."""
_WEBHOOK_SCHEMES = ("json", "jsons", "form", "forms", "xml", "xmls")
"""Plugins that send the URL's headers as they are: they carry the idempotency key."""


def preferred_format(url: str) -> str:
    """The format the service renders best, from the plugin's declared default."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None or url.split(":", 1)[0].lower() in _TEXT_SCHEMES:
        return "text"
    native = str(
        plugin.notify_format.value
        if hasattr(plugin.notify_format, "value")
        else plugin.notify_format
    )
    return native if native in _APPRISE_FORMATS else "text"


def channel_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


# Query parameters that configure delivery rather than authenticate it.
_HARMLESS_PARAMS = {
    "mode",
    "smtp",
    "from",
    "to",
    "cc",
    "bcc",
    "name",
    "format",
    "method",
    "to_",
    "reply",
    "priority",
    "thread",
    "topic",
    "rto",
    "cto",
}
# A path segment that looks like a credential: long, or long-ish with digits (webhook
# tokens such as ``/hooks/3f9c…`` or ``/services/T000/B000/XXXX``).
_TOKENISH = re.compile(r"(?=[^/]*\d)[A-Za-z0-9_.~%+=-]{12,}|[A-Za-z0-9_.~%+=-]{24,}")


def mask(url: str) -> str:
    """The URL with its secrets hidden, safe for logs, the database and the screen.

    Apprise's privacy form hides passwords and tokens but prints header and query values
    (``?+X-Token=…``) and the path of a generic webhook (``json://host/hooks/<token>``) as
    they are, so every query value that is not known to be harmless and every path
    segment that looks like a token are hidden too; Apprise's own default parameters are
    left out.
    """
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        return _rough_mask(url)
    private = urlsplit(str(plugin.url(privacy=True)))
    given = {unquote(p.split("=", 1)[0]) for p in urlsplit(url).query.split("&") if p}
    query = []
    for part in private.query.split("&"):
        key, _, value = part.partition("=")
        if unquote(key) in given:
            query.append(f"{key}={value if unquote(key).lower() in _HARMLESS_PARAMS else '****'}")
    return urlunsplit(private._replace(path=_mask_path(private.path), query="&".join(query)))


def _mask_path(path: str) -> str:
    # An address (``analyst%40example.org``) names the recipient; it is no credential.
    return "/".join(
        "****" if _TOKENISH.fullmatch(segment) and "%40" not in segment else segment
        for segment in path.split("/")
    )


def _rough_mask(url: str) -> str:
    # An invalid URL has no plugin to mask it: keep the scheme and host shape only.
    scheme, _, rest = url.partition("://")
    rest = re.sub(r"^[^@/?]*@", "****@", rest)
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return f"{scheme}://{host}/" + ("****" if len(rest) > len(host) else "")


_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)
# urllib3 logs the request line apart from the host: ``"POST /hook/<token>?apikey=… HTTP/1.1"``.
_REQUEST_LINE = re.compile(r'"([A-Z]+) (/[^\s"]*) (HTTP/[0-9.]+)"')


def scrub(message: str) -> str:
    """A log line with every URL's credentials, query values and token-like path hidden."""
    message = _URL_IN_TEXT.sub(lambda m: _rough_mask(m.group(0)), message)
    return _REQUEST_LINE.sub(
        lambda m: f'"{m.group(1)} {_scrub_target(m.group(2))} {m.group(3)}"', message
    )


def _scrub_target(target: str) -> str:
    path, _, query = target.partition("?")
    hidden = "&".join(f"{k}=****" for k, _ in parse_qsl(query, keep_blank_values=True))
    return _mask_path(path) + (f"?{hidden}" if query else "")


# Where an alert's reason for failing shows up: Apprise logs the SMTP reply or socket
# error at DEBUG only ("Socket Exception: (500, b'Line too long')"), the rest at WARNING.
_REASON_AT_DEBUG = ("Exception:", "Response Details", "error=")
_capture = threading.local()


class _RedactSecrets(logging.Filter):
    """DEBUG records of Apprise print whole URLs, headers and payloads, secrets and all:
    they are dropped (the reasons a send failed are kept for its error first); URLs in
    the others, and in urllib3's and httpx's request logs, are masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        reasons: list[str] | None = getattr(_capture, "reasons", None)
        if record.name == "apprise":
            if reasons is not None and (
                record.levelno >= logging.WARNING or any(k in message for k in _REASON_AT_DEBUG)
            ):
                reasons.append(scrub(message))
            if record.levelno < logging.INFO:
                return False
        if "://" in message or "HTTP/" in message or "?" in message:
            record.msg, record.args = scrub(message), ()
        return True


_REDACT = _RedactSecrets()
REDACTED_LOGGERS = (
    "apprise",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
    "httpx",
    "httpcore.http11",
    "httpcore.connection",
    "requests_oauthlib.oauth2_session",
)
"""Loggers that print request URLs: a filter on a logger sees only its own records."""


def install_redaction() -> None:
    """Hide secrets in the request logs of every HTTP library a channel uses (idempotent)."""
    for name in REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


install_redaction()


_tls = threading.local()


def _verifying_context() -> ssl.SSLContext:
    """This thread's TLS context for mail, reset to verify the server.

    Apprise's email plugin makes a new default context for every mail, and that reads the
    system's certificate authorities each time: 20–55 ms of CPU here, most of a pass that
    sends a hundred instant alerts. A context is meant to be reused; Apprise turns
    verification off on it itself for a URL that asks (``verify=no``), so it is set back
    to verifying here before every mail, and each sending thread has its own."""
    context: ssl.SSLContext | None = getattr(_tls, "context", None)
    if context is None:
        context = _tls.context = ssl.create_default_context()
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    return context


class _SslForMail:
    """The ``ssl`` module as Apprise's email plugin sees it: the same, except that its
    default context is this thread's reused one (`_verifying_context`)."""

    create_default_context = staticmethod(_verifying_context)

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


def install_reused_mail_context() -> None:
    """Make Apprise's email plugin reuse a TLS context per thread (idempotent)."""
    if not isinstance(apprise_email.ssl, _SslForMail):
        apprise_email.ssl = _SslForMail()  # type: ignore[assignment]


install_reused_mail_context()


@contextmanager
def _reasons() -> Iterator[list[str]]:
    """Collect why this thread's send failed, from Apprise's log records."""
    logger = logging.getLogger("apprise")
    reasons: list[str] = []
    _capture.reasons, level = reasons, logger.level
    logger.setLevel(logging.DEBUG)  # the SMTP reply is logged at DEBUG only
    try:
        yield reasons
    finally:
        _capture.reasons = None
        logger.setLevel(level)


def validate(url: str) -> None:
    """The config file's check, for URLs given elsewhere (the command line, the web app)."""
    problem = apprise_url_problem(url)
    if problem is not None:
        raise InvalidAppriseURL(problem)


def delivery_key(ids: Sequence[int]) -> str:
    """One message's idempotency key: the same rows give the same key on every retry."""
    if len(ids) == 1:
        return f"ieiwatch-delivery-{ids[0]}"
    digest = hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()
    return f"ieiwatch-deliveries-{digest[:32]}"


def send(url: str, message: Message, key: str | None = None) -> None:
    """Send one message to one Apprise URL; raise ``SendFailed`` with the service's reason.

    ``key`` identifies the message across retries: webhooks get it as ``Idempotency-Key``
    and ``X-Ieiwatch-Delivery`` headers so a receiver can drop a repeat."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        raise InvalidAppriseURL(apprise_url_problem(url) or f"cannot send to {_rough_mask(url)}")
    _tune(plugin, url, key)
    title, body = _clean(message)
    if isinstance(plugin, NotifyEmail) and not title.isascii():
        title = _encoded_words(title)
        plugin.title_maxlen = max(int(plugin.title_maxlen), len(title))
    with _reasons() as reasons:
        ok = plugin.notify(title=title, body=body, body_format=_APPRISE_FORMATS[message.format])
    if not ok:
        reason = "; ".join(dict.fromkeys(r.split(" - ", 2)[-1] for r in reasons))
        raise SendFailed(f"notify: {mask(url)}: {reason or 'the service refused the message'}")


def _clean(message: Message) -> tuple[str, str]:
    """One line of title (a mail header, a chat heading: no breaks, no escapes, capped so
    the header encoder's time stays small); the body without escapes, controls or bidi
    overrides, whatever its format (HTML's tags and entities use none of them). Its length
    is the renderer's: it splits what a service cannot take in one message."""
    return clean_line(message.title), clean_text(message.body, None)


def _encoded_words(title: str) -> str:
    """The subject as folded RFC 2047 encoded words, made in linear time.

    Apprise serialises the mail without folding headers, so a long non-ASCII subject is
    one line; past 998 bytes the server refuses the mail ("500 Line too long"), and
    Python's own encoder is quadratic on long CJK text (73 s for 40k characters). Twelve
    characters make at most 36 bytes, a 60-character word."""
    words = (
        "=?utf-8?b?" + base64.b64encode(title[i : i + 12].encode("utf-8")).decode("ascii") + "?="
        for i in range(0, len(title), 12)
    )
    return "\n ".join(words)


def _tune(plugin: Any, url: str, key: str | None) -> None:
    query = {k.lower() for k, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    if "rto" not in query:
        plugin.socket_read_timeout = max(float(plugin.socket_read_timeout), READ_TIMEOUT)
    if isinstance(plugin, NotifyEmail) and "cto" not in query:
        # smtplib uses one timeout for every step, the server's answer to DATA included.
        plugin.socket_connect_timeout = int(max(plugin.socket_connect_timeout, READ_TIMEOUT))
    scheme = url.split(":", 1)[0].lower()
    if key is not None and scheme in _WEBHOOK_SCHEMES and isinstance(plugin.headers, dict):
        plugin.headers.setdefault("Idempotency-Key", key)
        plugin.headers.setdefault("X-Ieiwatch-Delivery", key)

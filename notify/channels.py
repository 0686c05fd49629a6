"""Apprise URLs as channels: identify, mask and send to one URL at a time.

Apprise's ``notify()`` answers True/False for a whole set of URLs; sending per URL is what
lets us record each channel's outcome on its own.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

import apprise

from ieiwatch.domain import IeiwatchError


class NotifyError(IeiwatchError):
    """An alert could not be sent, or its Apprise URL is not one."""


class InvalidAppriseURL(NotifyError):
    def __init__(self, masked: str) -> None:
        super().__init__(f"notify: invalid Apprise URL {masked} (see https://appriseit.com)")


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
}


def mask(url: str) -> str:
    """The URL with its secrets hidden, safe for logs, the database and the screen.

    Apprise's privacy form hides passwords and tokens but prints header and query values
    (``?+X-Token=…``) as they are, so every query value that is not known to be harmless is
    hidden too, and Apprise's own default parameters are left out.
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
    return urlunsplit(private._replace(query="&".join(query)))


def _rough_mask(url: str) -> str:
    # An invalid URL has no plugin to mask it: keep the scheme and host shape only.
    scheme, _, rest = url.partition("://")
    rest = re.sub(r"^[^@/?]*@", "****@", rest)
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return f"{scheme}://{host}/" + ("****" if len(rest) > len(host) else "")


class _RedactSecrets(logging.Filter):
    """Apprise's DEBUG records print whole URLs, headers and payloads, secrets and all:
    drop them; mask any URL in the others."""

    _URL = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>]+", re.IGNORECASE)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.INFO:
            return False
        message = record.getMessage()
        if "://" in message:
            record.msg, record.args = self._URL.sub(lambda m: _rough_mask(m.group(0)), message), ()
        return True


logging.getLogger("apprise").addFilter(_RedactSecrets())


def validate(url: str) -> None:
    if apprise.Apprise.instantiate(url) is None:
        raise InvalidAppriseURL(_rough_mask(url))


def send(url: str, message: Message) -> None:
    """Send one message to one Apprise URL; raise ``SendFailed`` with Apprise's reason."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:
        raise InvalidAppriseURL(_rough_mask(url))
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = plugin.notify(
            title=message.title, body=message.body, body_format=_APPRISE_FORMATS[message.format]
        )
    if not ok:
        reason = " ".join(line.split(" - ", 2)[-1] for line in log.getvalue().splitlines())
        raise SendFailed(f"notify: {mask(url)}: {reason or 'the service refused the message'}")

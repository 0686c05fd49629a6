"""Apprise URLs as channels: identify, mask and send to one URL at a time.

Apprise's ``notify()`` answers True/False for a whole set of URLs; sending per URL is what
lets us record each channel's outcome on its own.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

import apprise


class NotifyError(Exception):
    pass


class InvalidAppriseURL(NotifyError):
    def __init__(self, masked: str) -> None:
        super().__init__(f"notify: invalid Apprise URL {masked} (see https://appriseit.com)")


class SendFailed(NotifyError):
    pass


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    """Markdown; Apprise turns it into what each service renders."""


def channel_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def mask(url: str) -> str:
    """The URL with its secrets hidden, safe for logs, the database and the screen."""
    plugin = apprise.Apprise.instantiate(url)
    if plugin is not None:
        return str(plugin.url(privacy=True))
    return _rough_mask(url)


def _rough_mask(url: str) -> str:
    # An invalid URL has no plugin to mask it: keep the scheme and host shape only.
    scheme, _, rest = url.partition("://")
    rest = re.sub(r"^[^@/]*@", "****@", rest)
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}/" + ("****" if path else "")


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
            title=message.title, body=message.body, body_format=apprise.NotifyFormat.MARKDOWN
        )
    if not ok:
        reason = " ".join(line.split(" - ", 2)[-1] for line in log.getvalue().splitlines())
        raise SendFailed(f"notify: {mask(url)}: {reason or 'the service refused the message'}")

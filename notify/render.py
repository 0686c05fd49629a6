"""Alerts and digests rendered for one service and one subscriber: the entry point.

An item becomes an ``ItemView`` first (``notify.views``: every string it shows, cleaned,
translated by ``notify.wording``, not yet escaped); email is written from the templates
(``notify.email_render``), chat in each service's dialect and split to fit its limit
(``notify.chat_render``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ieiwatch.domain import clean_line
from ieiwatch.notify.channels import Message
from ieiwatch.notify.chat import EMAIL, Channel
from ieiwatch.notify.chat_render import alert_chat, digest_chat
from ieiwatch.notify.email_render import alert_html, digest_html
from ieiwatch.notify.views import AlertItem, Letter, Part, Scope, digest_view, item_view
from ieiwatch.notify.wording import TITLE_CHARS, labels

_LEGACY_FORMATS = {
    "html": EMAIL,
    "markdown": Channel("markdown", "markdown"),
    "text": Channel("text", "text"),
}


def render_alert(
    item: AlertItem, channel: Channel | str = EMAIL, letter: Letter | None = None
) -> Message:
    """The alert as one message (its first part, on a service too small for it)."""
    return alert_parts(item, channel, letter)[0].message


def alert_parts(
    item: AlertItem, channel: Channel | str = EMAIL, letter: Letter | None = None
) -> list[Part]:
    channel = _LEGACY_FORMATS[channel] if isinstance(channel, str) else channel
    letter = letter or Letter("")
    words = labels(letter.lang)
    view = item_view(item, letter.lang)
    subject = clean_line(str(words["alert_subject"]).format(title=view.title), TITLE_CHARS)
    if channel.dialect == "email":
        return [Part(Message(subject, alert_html(view, subject, letter), "html"), (0,))]
    return alert_chat(view, subject, letter, channel)


def digest_parts(
    items: Sequence[AlertItem], channel: Channel, letter: Letter, scope: Scope
) -> list[Part]:
    """The digest: period, counts by type and by source, then the items by type. Email is
    one message; a chat service gets as many numbered messages as its limit needs."""
    view = digest_view(items, letter, scope)
    if channel.dialect == "email":
        body = digest_html(view, letter)
        return [Part(Message(view.subject, body, "html"), tuple(range(len(items))))]
    return digest_chat(view, letter, channel)


def render_digest(
    items: Sequence[AlertItem], channel: Channel | str, letter: Letter, scope: Scope
) -> Message:
    """The digest as one message (its first part, on a service too small for it)."""
    channel = _LEGACY_FORMATS[channel] if isinstance(channel, str) else channel
    return digest_parts(items, channel, letter, scope)[0].message

"""Messages for the operator (``admin_notify`` in the config): dead deliveries, broken
sources. They go through the outbox like alerts (``storage.models.AdminAlert``), one row
per admin URL, so a failing admin channel gets them later instead of never; a failure
here is reported, never raised."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ieiwatch.notify.channels import Message, NotifyError, channel_key, mask, send
from ieiwatch.storage.deliveries import Outbox
from ieiwatch.storage.models import AdminAlert

TITLE_PREFIX = "[ieiwatch admin] "
GONE = "admin channel no longer configured"


def admin_channels(urls: Sequence[str]) -> list[tuple[str, str]]:
    """(channel key, masked URL) of each admin URL: what the outbox keeps of them."""
    return [(channel_key(url), mask(url)) for url in urls]


def queue_admin_alert(outbox: Outbox, urls: Sequence[str], title: str, body: str) -> int:
    """Queue the message for every admin URL; it is sent with the next due deliveries."""
    return outbox.queue_admin(admin_channels(urls), title, body) if urls else 0


def send_admin_due(outbox: Outbox, urls: Sequence[str], now: datetime) -> list[str]:
    """Send every admin message that is due; return one error line per failed send."""
    by_key = {channel_key(url): url for url in urls}
    errors = []
    for row in outbox.due_admin(now):
        if row.id is None or not outbox.claim_admin(row.id, now):
            continue  # another sender took it
        error = _send_one(row, by_key.get(row.channel_key))
        outbox.record([row.id], error, give_up=row.channel_key not in by_key, table=AdminAlert)
        if error is not None:
            errors.append(f"admin alert not sent: {error}")
    return errors


def _send_one(row: AdminAlert, url: str | None) -> str | None:
    if url is None:
        return GONE
    try:
        send(
            url, Message(title=TITLE_PREFIX + row.title, body=row.body), f"ieiwatch-admin-{row.id}"
        )
    except NotifyError as exc:
        return str(exc)
    return None

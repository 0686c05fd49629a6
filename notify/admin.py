"""Messages for the operator (``admin_notify`` in the config): dead deliveries, broken
sources. Each URL is tried on its own; a failure here is reported, never raised."""

from __future__ import annotations

from collections.abc import Sequence

from ieiwatch.notify.channels import Message, NotifyError, send


def send_admin_alert(urls: Sequence[str], title: str, body: str) -> list[str]:
    """Send to every admin URL; return one error line per URL that failed."""
    errors = []
    for url in urls:
        try:
            send(url, Message(title=f"[ieiwatch admin] {title}", body=body))
        except NotifyError as exc:
            errors.append(str(exc))
    return errors

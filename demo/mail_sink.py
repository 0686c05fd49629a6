"""A local SMTP server (aiosmtpd) that keeps every message it receives, in memory and
optionally as ``.eml`` files a person can open."""

from __future__ import annotations

import email
import ssl
import threading
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class _Keeper:
    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._sink._keep(envelope.content, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        maildir: Path | None = None,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """With ``tls_context``, the server offers STARTTLS and takes no mail without it."""
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []
        self.maildir = maildir
        self._lock = threading.Lock()
        self._controller = Controller(
            _Keeper(self),
            hostname=host,
            port=port,
            tls_context=tls_context,
            require_starttls=tls_context is not None,
        )

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def host(self) -> str:
        return str(self._controller.hostname)

    def start(self) -> MailSink:
        if self._controller.port == 0:
            # aiosmtpd cannot pick a free port itself; ask the OS for one.
            self._controller.port = _free_port(self._controller.hostname)
        self._controller.start()
        if self.maildir:
            self.maildir.mkdir(parents=True, exist_ok=True)
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> MailSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def apprise_url(self, to: str = "analyst@example.org") -> str:
        return (
            f"mailto://{self.host}:{self.port}?mode=insecure&smtp={self.host}"
            f"&from=ieiwatch@example.org&to={to}&name=ieiwatch"
        )

    def _keep(self, content: bytes, rcpt_tos: list[str]) -> None:
        with self._lock:
            self.messages.append(email.message_from_bytes(content))
            self.recipients.append(rcpt_tos)
            if self.maildir:
                existing = len(list(self.maildir.glob("*.eml")))
                (self.maildir / f"{existing + 1:04d}.eml").write_bytes(content)


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])

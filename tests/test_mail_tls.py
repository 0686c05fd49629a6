"""Mail over STARTTLS, against a real SMTP server on loopback with its own certificate:
alerts reuse one TLS context per sending thread (Apprise made one, and read the system's
certificate authorities, for every mail) and a URL that verifies still verifies."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tls_certs import self_signed

from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.notify import channels
from ieiwatch.notify.channels import Message, SendFailed, send


@pytest.fixture
def starttls_server(tmp_path: Path) -> Iterator[MailSink]:
    cert, key = self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    with MailSink(tls_context=tls) as sink:
        yield sink


def _url(port: int, verify: bool) -> str:
    return (
        f"mailto://127.0.0.1:{port}?mode=starttls&smtp=127.0.0.1&from=ieiwatch@example.org"
        f"&to=analyst@example.org{'' if verify else '&verify=no'}"
    )


def _in_new_thread(fn: Callable[[], Any]) -> Any:
    # A thread of its own: the context is per thread, and this one has none yet.
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed back to the test
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    t.join(60)
    if "error" in out:
        raise out["error"]
    return out.get("value")


def test_mails_share_one_tls_context_and_a_verifying_url_still_verifies(
    starttls_server: MailSink, tls_contexts_made: list[ssl.SSLContext]
) -> None:
    port = starttls_server.port
    made = tls_contexts_made

    def three_mails() -> str:
        send(_url(port, verify=False), Message("first", "a"))
        with pytest.raises(SendFailed) as refused:
            # The server's certificate is signed by no authority: a verifying URL refuses
            # it, although the context was last used with verification off.
            send(_url(port, verify=True), Message("second", "b"))
        send(_url(port, verify=False), Message("third", "c"))
        return str(refused.value)

    refused = _in_new_thread(three_mails)
    assert [m["Subject"] for m in starttls_server.messages] == ["first", "third"]
    assert "certificate" in refused.lower() or "ssl" in refused.lower(), refused
    assert len(made) == 1  # one context for the thread's three mails, not one each


def test_apprise_still_sees_the_rest_of_the_ssl_module() -> None:
    import apprise.plugins.email.base as apprise_email

    assert apprise_email.ssl.CERT_NONE is ssl.CERT_NONE
    assert apprise_email.ssl.create_default_context() is apprise_email.ssl.create_default_context()
    channels.install_reused_mail_context()  # idempotent: still the one wrapper
    assert apprise_email.ssl.SSLContext is ssl.SSLContext

"""Secrets stay secret (issue 15.11): not in DEBUG logs of the HTTP libraries, not in
masked webhook URLs, not in plain text in the database for command-line subscribers."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from servers import LocalSite
from sqlalchemy import Engine, text

from ieiwatch.config import AppConfig
from ieiwatch.domain import SubscriberMode, SubscriberSpec
from ieiwatch.notify.channels import Message, mask, scrub, send
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.secrets import SecretKeyError
from ieiwatch.storage.subscribers import add_subscriber

TOKEN = "9f8e7d6c5b4a39281706aabbccddeeff"


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "secret.key"
    monkeypatch.delenv("IEIWATCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("IEIWATCH_SECRET_KEY_FILE", str(path))
    return path


def test_debug_logs_of_a_send_never_show_tokens(
    receiver: LocalSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = receiver.url.replace("http://", "json://") + f"/hooks/{TOKEN}?apikey=s3cr3t-value"
    url += f"&+Authorization=Bearer%20{TOKEN}"
    send(url, Message(title="t", body="b"))
    assert receiver.received, "the webhook got the message"
    assert any("urllib3" in r.name for r in caplog.records), "urllib3 logged the request"
    assert TOKEN not in caplog.text and "s3cr3t-value" not in caplog.text


def test_urllib3_and_httpx_request_lines_are_scrubbed() -> None:
    line = f'http://hooks.example.org:443 "POST /hooks/{TOKEN}?apikey=abc&x=1 HTTP/1.1" 200 2'
    expected = '"POST /hooks/****?apikey=****&x=**** HTTP/1.1" 200 2'
    assert scrub(line) == f"http://hooks.example.org:443/ {expected}"
    httpx_line = f'HTTP Request: POST https://api.example.org/send?token={TOKEN} "HTTP/1.1 200 OK"'
    assert TOKEN not in scrub(httpx_line)


def test_webhook_path_tokens_are_masked() -> None:
    masked = mask(f"json://hooks.example.org/hooks/{TOKEN}")
    assert TOKEN not in masked and masked.startswith("json://hooks.example.org/hooks/")
    assert "analyst%40example.org" in mask(
        "mailto://user:pw@smtp.example.org/analyst@example.org?from=ieiwatch@example.org"
    )


def _add(engine: Engine, url: str) -> None:
    with session_scope(engine) as s:
        add_subscriber(s, SubscriberSpec("cli-reader", SubscriberMode.INSTANT, (url,), {}, {}))


def test_cli_subscribers_keep_passwords_and_tokens_out_of_the_database(
    engine: Engine, key_file: Path
) -> None:
    url = f"json://user:hunter2pass@hooks.example.org/hooks/{TOKEN}?+X-Token=tok-{TOKEN}"
    _add(engine, url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT notify_urls FROM subscribers")).scalar_one()
    assert "hunter2pass" not in str(stored) and TOKEN not in str(stored)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with session_scope(engine) as s:
        (sub,) = load_subscriptions(s, AppConfig())
    assert sub.urls == (url,)


def test_plain_urls_stored_before_encryption_keep_working(engine: Engine, key_file: Path) -> None:
    _add(engine, "json://hooks.example.org/old")
    with engine.begin() as conn:
        conn.execute(
            text("""UPDATE subscribers SET notify_urls = '["json://hooks.example.org/plain"]'""")
        )
    with session_scope(engine) as s:
        (sub,) = load_subscriptions(s, AppConfig())
    assert sub.urls == ("json://hooks.example.org/plain",)


def test_the_key_may_come_from_the_environment_and_a_wrong_one_is_named(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, key_file: Path
) -> None:
    monkeypatch.setenv("IEIWATCH_SECRET_KEY", "a passphrase from the operator's vault")
    _add(engine, "json://hooks.example.org/hooks/secret-one-123456")
    assert not key_file.exists()
    monkeypatch.setenv("IEIWATCH_SECRET_KEY", "another passphrase")
    with session_scope(engine) as s, pytest.raises(SecretKeyError, match="IEIWATCH_SECRET_KEY"):
        load_subscriptions(s, AppConfig())

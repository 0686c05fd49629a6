"""Delivery against hostile text and slow or failing services (issue 15): long and
multi-line titles by email, escapes kept out of chat and webhooks, slow webhooks, killed
digests, and admin alerts that survive a failing admin channel."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from servers import LocalSite, Route
from sqlalchemy import Engine
from sqlmodel import select

from ieiwatch.classify import Classification, Party, Region
from ieiwatch.config import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.demo.mail_sink import MailSink, _free_port
from ieiwatch.domain import DeliveryKind
from ieiwatch.flows.ingest import to_store
from ieiwatch.flows.polling import record_source_failure
from ieiwatch.flows.runtime import RunContext
from ieiwatch.notify.channels import Message, SendFailed, send
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.sending import deliver_due, due_batches
from ieiwatch.notify.subscriptions import load_subscriptions, subscriptions
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import STALE_CLAIM, Outbox
from ieiwatch.storage.models import AdminAlert, Delivery
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.subscribers import sync_subscribers

HOSTILE = (
    "\x1b[2J\x1b]8;;http://evil.example/\x07点我\x1b]8;;\x07\x00 滨江大学\u202egpj.exe 共建实验室"
)


def _config(*subscribers: dict[str, Any], admin: list[str] | None = None) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [{"name": "binjiang", "kind": "feed", "url": "http://127.0.0.1:1/f.xml"}],
            "subscribers": list(subscribers),
            "admin_notify": admin or [],
        }
    )


def _store(engine: Engine, config: AppConfig, n: int = 1, title: str = "滨江大学共建实验室") -> int:
    """Store ``n`` relevant articles as a run does and plan their alerts."""
    cls = Classification(
        relevant=True,
        score=0.9,
        type="joint_lab",
        parties=[Party("滨江大学", "university")],
        region=Region("Zhejiang", "Hangzhou"),
        sectors=[],
        evidence=["共建"],
        lang="zh",
        version="test",
    )
    scraped = [
        ScrapedArticle(
            url=f"https://news.binjiang.edu.cn/info/{i}.htm",
            title=f"{title} {i}",
            text=f"第{i}条：滨江大学与企业共建联合实验室。" * 20,
            published_at=datetime.now(UTC) - timedelta(hours=1),
        )
        for i in range(n)
    ]
    with session_scope(engine) as s:
        src = sync_sources(s, config.sources)["binjiang"]
        sync_subscribers(s, [c.spec() for c in config.subscribers])
        stored = articles.insert_new(s, src.id or 0, [to_store(a, cls) for a in scraped])
        return plan_alerts(s, stored, "binjiang", load_subscriptions(s, config))


def _hook(site: LocalSite, path: str) -> str:
    return site.url.replace("http://", "json://") + path


def _subject(message: Any) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_a_40k_character_chinese_title_is_mailed_in_well_under_a_second(mail: MailSink) -> None:
    for length in (40_000, 80_000):
        started = time.monotonic()
        send(mail.apprise_url(), Message(title="滨" * length, body="<p>正文</p>", format="html"))
        assert time.monotonic() - started < 1.0
    subject = _subject(mail.messages[-1])
    assert subject.startswith("滨滨滨") and len(subject) <= 500


def test_a_newline_in_a_title_does_not_make_the_email_undeliverable(mail: MailSink) -> None:
    send(mail.apprise_url(), Message(title="第一行\r\n第二行\n" + "长" * 600, body="x"))
    (message,) = mail.messages
    subject = _subject(message)
    assert subject.startswith("第一行 第二行 长") and "\n" not in subject


class _Refusing:
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return "550 5.1.1 mailbox analyst@example.org unknown"


@pytest.fixture
def refusing_mail() -> Iterator[str]:
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=_free_port("127.0.0.1"))
    controller.start()
    yield (
        f"mailto://127.0.0.1:{controller.port}?mode=insecure&smtp=127.0.0.1"
        "&from=ieiwatch@example.org&to=analyst@example.org"
    )
    controller.stop()


def test_a_refused_email_records_the_servers_reply(refusing_mail: str) -> None:
    with pytest.raises(SendFailed) as failed:
        send(refusing_mail, Message(title="t", body="b"))
    assert "550" in str(failed.value) and "mailbox analyst@example.org unknown" in str(failed.value)


def test_escapes_nul_and_bidi_overrides_never_reach_a_webhook(receiver: LocalSite) -> None:
    send(_hook(receiver, "/hook"), Message(title=HOSTILE, body=f"正文 {HOSTILE}\n第二段"))
    payload = json.loads(receiver.received[0].body)
    for text in (payload["title"], payload["message"]):
        assert not any(c in text for c in "\x1b\x00\x07\u202e")
    assert "滨江大学" in payload["title"] and "第二段" in payload["message"]


def test_a_webhook_answering_after_5_seconds_gets_exactly_one_copy(
    engine: Engine, receiver: LocalSite
) -> None:
    receiver.routes["/slow"] = Route(200, b"ok", delay=5.0)
    config = _config({"name": "a", "notify": [_hook(receiver, "/slow")]})
    _store(engine, config)
    first = deliver_due(Outbox(engine), config)
    later = deliver_due(Outbox(engine), config, now=datetime.now(UTC) + timedelta(days=1))
    assert (first.sent, first.failed, later.messages) == (1, 0, 0)
    (copy,) = receiver.received
    with session_scope(engine) as s:
        row = s.exec(select(Delivery)).one()
    assert copy.headers["Idempotency-Key"] == f"ieiwatch-delivery-{row.id}"
    assert copy.headers["X-Ieiwatch-Delivery"] == f"ieiwatch-delivery-{row.id}"


def test_retries_of_one_alert_carry_the_same_idempotency_key(
    engine: Engine, receiver: LocalSite
) -> None:
    receiver.queued["/flaky"] = [Route(503)]
    config = _config({"name": "a", "notify": [_hook(receiver, "/flaky")]})
    _store(engine, config)
    deliver_due(Outbox(engine), config)
    deliver_due(Outbox(engine), config, now=datetime.now(UTC) + timedelta(hours=1))
    keys = [r.headers["Idempotency-Key"] for r in receiver.hits("/flaky")]
    assert len(keys) == 2 and len(set(keys)) == 1
    assert len(receiver.received) == 1


def _digest_config(receiver: LocalSite) -> AppConfig:
    return _config(
        {
            "name": "reader",
            "notify": [_hook(receiver, "/digest")],
            "mode": "digest",
            "digest": {"every": "daily", "at": "08:00", "timezone": "UTC"},
        }
    )


def test_a_digest_claimed_by_a_killed_run_goes_out_once_the_claim_is_stale(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _digest_config(receiver)
    _store(engine, config, n=3)
    outbox = Outbox(engine)
    due_at = (datetime.now(UTC) + timedelta(days=1)).replace(hour=8, minute=1)
    subs = {s.id: s for s in subscriptions(outbox.subscribers(), config)}
    # A run that claims the digest and is killed before sending it.
    (batch,) = due_batches(outbox, DeliveryKind.DIGEST, subs, due_at)
    assert len(outbox.claim(batch.ids, due_at, batch.period)) == 3
    assert deliver_due(outbox, config, now=due_at + timedelta(minutes=5)).messages == 0
    report = deliver_due(outbox, config, now=due_at + STALE_CLAIM + timedelta(minutes=1))
    assert (report.messages, report.sent) == (1, 3)
    assert len(receiver.received) == 1


def test_a_digest_whose_run_died_before_claiming_is_not_postponed_a_period(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _digest_config(receiver)
    _store(engine, config, n=2)
    outbox = Outbox(engine)
    due_at = (datetime.now(UTC) + timedelta(days=1)).replace(hour=8, minute=1)
    subs = {s.id: s for s in subscriptions(outbox.subscribers(), config)}
    list(due_batches(outbox, DeliveryKind.DIGEST, subs, due_at))  # planned, never claimed
    report = deliver_due(outbox, config, now=due_at + timedelta(minutes=1))
    assert (report.messages, report.sent) == (1, 2)


def test_a_broken_source_alert_survives_one_failure_of_the_admin_channel(
    engine: Engine, receiver: LocalSite
) -> None:
    receiver.queued["/admin"] = [Route(500)]
    config = _config(admin=[_hook(receiver, "/admin")])
    _store(engine, config, n=0)
    settings = Settings(broken_after_failures=2)
    ctx = RunContext(settings, config, engine, fetcher=None)  # type: ignore[arg-type]
    lines = [record_source_failure(ctx, "binjiang", "HTTP 503") for _ in range(2)]
    assert any("broken" in line for line in lines[-1])
    outbox = Outbox(engine)
    first = deliver_due(outbox, config)
    assert receiver.received == [] and any("admin alert not sent" in e for e in first.errors)
    deliver_due(outbox, config, now=datetime.now(UTC) + timedelta(minutes=5))
    deliver_due(outbox, config, now=datetime.now(UTC) + timedelta(minutes=30))
    (alert,) = receiver.received
    assert "binjiang" in json.loads(alert.body)["title"]
    with session_scope(engine) as s:
        (row,) = s.exec(select(AdminAlert)).all()
    assert (row.status, row.attempts) == ("sent", 2)


def test_escapes_and_bidi_overrides_never_reach_an_email(mail: MailSink) -> None:
    send(mail.apprise_url(), Message(title=HOSTILE, body=f"<p>{HOSTILE}</p>", format="html"))
    (message,) = mail.messages
    subject = _subject(message)
    body = message.get_payload(decode=True) if not message.is_multipart() else b""
    parts = [body] + [p.get_payload(decode=True) for p in message.walk() if not p.is_multipart()]
    text = subject + "".join(p.decode("utf-8") for p in parts if isinstance(p, bytes))
    assert "滨江大学" in subject and "<p>" in text
    assert not any(c in text for c in "\x1b\x00\x07\u202e")

"""The delivery guarantees, in-process where no kill is needed (``bench/fault_suite.py``
kills real runs): nothing stored or planned is lost, no alert is sent twice, except the one
documented window (a message the service accepted, its rows not yet marked sent), and then
once, with the same idempotency key."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from servers import LocalSite, Route
from sqlalchemy import Engine
from sqlmodel import col, select

from ieiwatch.classify import Classification, Party, Region
from ieiwatch.config import AppConfig
from ieiwatch.flows.ingest import to_store
from ieiwatch.notify.channels import Message, delivery_key, send
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.sending import deliver_due
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import MAX_ATTEMPTS, STALE_CLAIM, Outbox
from ieiwatch.storage.failpoints import ENV, POINTS
from ieiwatch.storage.models import Delivery
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.subscribers import sync_subscribers

N = 5


def _config(receiver: LocalSite, path: str = "/hook") -> AppConfig:
    hook = receiver.url.replace("http://", "json://") + path
    return AppConfig.model_validate(
        {
            "sources": [{"name": "binjiang", "kind": "feed", "url": "http://127.0.0.1:1/f.xml"}],
            "subscribers": [{"name": "reader", "notify": [hook]}],
        }
    )


def _scraped(i: int) -> ScrapedArticle:
    unis = ["滨江大学", "东海学院", "西岭大学", "南湖学院", "北辰大学"]
    return ScrapedArticle(
        url=f"https://news.binjiang.edu.cn/info/{i}.htm",
        title=f"{unis[i % 5]}共建联合实验室 K{i:02d}",
        text=f"第{i}条新闻：{unis[i % 5]}与企业签署校企合作协议，编号{i * 7919}。" * (3 + i),
        published_at=datetime.now(UTC) - timedelta(hours=1),
    )


_CLS = Classification(
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


def _store(engine: Engine, config: AppConfig, *, fail_before_commit: bool = False) -> int:
    """Store N stories and plan their alerts in one transaction, as a run does."""

    class Killed(Exception):
        pass

    try:
        with session_scope(engine) as s:
            src = sync_sources(s, config.sources)["binjiang"]
            sync_subscribers(s, [c.spec() for c in config.subscribers])
            stored = articles.insert_new(
                s, src.id or 0, [to_store(_scraped(i), _CLS) for i in range(N)]
            )
            planned = plan_alerts(s, stored, "binjiang", load_subscriptions(s, config))
            if fail_before_commit:
                raise Killed
            return planned
    except Killed:
        return 0


def _markers(receiver: LocalSite, path: str = "/hook") -> list[str]:
    found = []
    for request in receiver.received:
        if request.path == path:
            body: dict[str, Any] = json.loads(request.body)
            found += sorted({m for m in _KEYS if m in body["title"] + body["message"]})
    return found


_KEYS = [f"K{i:02d}" for i in range(N)]


def test_a_run_dying_before_its_store_commits_loses_nothing(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _config(receiver)
    assert _store(engine, config, fail_before_commit=True) == 0
    assert _store(engine, config) == N
    deliver_due(Outbox(engine), config)
    assert sorted(_markers(receiver)) == _KEYS


def test_claims_of_a_dead_sender_are_sent_once_after_they_go_stale(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _config(receiver)
    _store(engine, config)
    outbox = Outbox(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        ids = [d.id or 0 for d in s.exec(select(Delivery))]
    assert len(outbox.claim(ids, now)) == N  # …and the sender dies
    assert deliver_due(outbox, config, now=now + STALE_CLAIM - timedelta(seconds=1)).sent == 0
    assert deliver_due(outbox, config, now=now + STALE_CLAIM + timedelta(seconds=1)).sent == N
    assert sorted(_markers(receiver)) == _KEYS


def test_the_crash_window_repeats_one_message_once_with_the_same_key(
    engine: Engine, receiver: LocalSite
) -> None:
    """Killed after the service accepted an alert and before its row was marked sent: the
    alert goes again once its claim is stale, with the key a receiver can drop it by."""
    config = _config(receiver)
    _store(engine, config)
    outbox = Outbox(engine)
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        first = s.exec(select(Delivery).order_by(col(Delivery.id))).first()
    assert first is not None and first.id is not None
    outbox.claim([first.id], now)
    url = config.subscribers[0].notify[0]
    send(url, Message(title="K00 sent before the crash", body="K00"), delivery_key([first.id]))
    deliver_due(outbox, config, now=now + STALE_CLAIM + timedelta(seconds=1))
    repeated = [r for r in receiver.received if "K00" in r.body.decode()]
    assert len(repeated) == 2
    assert {r.headers["Idempotency-Key"] for r in repeated} == {f"ieiwatch-delivery-{first.id}"}
    assert len(receiver.received) == N + 1


def test_two_senders_at_once_send_each_alert_once(engine: Engine, receiver: LocalSite) -> None:
    receiver.routes["/hook"] = Route(200, b"ok", delay=0.2)  # sends overlap
    config = _config(receiver)
    _store(engine, config)
    start = threading.Barrier(2)

    def sender() -> None:
        start.wait()
        deliver_due(Outbox(engine), config)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(_markers(receiver)) == _KEYS


@pytest.mark.parametrize(
    "answers",
    [[Route(500)] * 4, [Route(500), Route(200, b"ok")] * 6],
    ids=["failing-then-up", "flapping"],
)
def test_failing_and_flapping_receivers_get_every_alert_exactly_once(
    engine: Engine, receiver: LocalSite, answers: list[Route]
) -> None:
    receiver.queued["/hook"] = list(answers)
    config = _config(receiver)
    _store(engine, config)
    now = datetime.now(UTC)
    for hour in range(MAX_ATTEMPTS):
        deliver_due(Outbox(engine), config, now=now + timedelta(hours=hour))
    assert sorted(_markers(receiver)) == _KEYS
    with session_scope(engine) as s:
        assert {d.status for d in s.exec(select(Delivery))} == {"sent"}


@pytest.mark.parametrize("point", POINTS)
def test_a_failpoint_kills_its_process_and_only_when_named(point: str) -> None:
    code = f"from ieiwatch.storage.failpoints import reached; reached({point!r}); print('alive')"
    killed = subprocess.run(
        [sys.executable, "-c", code], env={ENV: point}, capture_output=True, check=False
    )
    spared = subprocess.run(
        [sys.executable, "-c", code], env={ENV: "elsewhere"}, capture_output=True, check=False
    )
    assert killed.returncode == -9 and spared.stdout.strip() == b"alive"

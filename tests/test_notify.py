"""Alerts through Apprise to a real SMTP server and a real webhook receiver on loopback."""

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from servers import LocalSite, Route
from sqlalchemy import Engine
from sqlmodel import select

from ieiwatch.classify import Classification, Party, Region
from ieiwatch.config import AppConfig
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows.ingest import to_store
from ieiwatch.notify.channels import InvalidAppriseURL, Message, mask, send, validate
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.render import render_alert
from ieiwatch.notify.sending import deliver_due
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.notify.views import AlertItem, Letter
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles, deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import Outbox
from ieiwatch.storage.models import Delivery, Story
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.subscribers import sync_subscribers

LAB_TEXT = (
    "11月3日上午，滨江大学与恒远新能源集团有限公司共建的储能技术联合实验室揭牌仪式在滨江大学"
    "材料学院举行。根据双方签署的校企合作协议，联合实验室将围绕固态电池、储能系统安全和电池回收"
    "利用等方向开展联合攻关，集团每年投入研发经费2000万元，学校组建研究团队。"
)


def _lab(**overrides: object) -> tuple[ScrapedArticle, Classification]:
    fields: dict = {
        "url": "https://news.binjiang.edu.cn/info/1002/1.htm",
        "title": "滨江大学与恒远新能源集团共建联合实验室",
        "text": LAB_TEXT,
        "published_at": datetime(2025, 11, 2, 16, 30, tzinfo=UTC),
    }
    fields.update(overrides)
    cls = Classification(
        relevant=True,
        score=0.91,
        type="joint_lab",
        parties=[Party("滨江大学", "university"), Party("恒远新能源集团有限公司", "enterprise")],
        region=Region("Zhejiang", "Hangzhou"),
        sectors=["new_energy"],
        evidence=["共建", "联合实验室"],
        lang="zh",
        version="test",
    )
    return ScrapedArticle(**fields), cls


def _config(*subscribers: dict, admin: list[str] | None = None) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [
                {"name": "binjiang", "kind": "feed", "url": "http://127.0.0.1:1/f.xml"},
                {"name": "edu-bureau", "kind": "feed", "url": "http://127.0.0.1:1/g.xml"},
            ],
            "subscribers": list(subscribers),
            "admin_notify": admin or [],
        }
    )


def _store(engine: Engine, config: AppConfig, source: str = "binjiang", **overrides: object) -> int:
    """Store one article the way a run does and plan its alerts; return the alerts planned."""
    with session_scope(engine) as s:
        src = sync_sources(s, config.sources)[source]
        sync_subscribers(s, [c.spec() for c in config.subscribers])
        stored = articles.insert_new(s, src.id or 0, [to_store(*_lab(**overrides))])
        return plan_alerts(s, stored, source, load_subscriptions(s, config))


def _hook(receiver: LocalSite, path: str) -> str:
    return receiver.url.replace("http://", "json://") + path


def _item(**overrides: object) -> AlertItem:
    fields: dict = {
        "title": "滨江大学与恒远新能源集团共建联合实验室",
        "url": "https://news.binjiang.edu.cn/info/1002/1.htm",
        "published_at": datetime(2025, 11, 2, 16, 30, tzinfo=UTC),
        "type": "joint_lab",
        "score": 0.91,
        "parties": [Party("滨江大学", "university")],
        "region": Region("浙江省", None),
        "evidence": ["共建"],
        "sources": [("binjiang", "https://news.binjiang.edu.cn/info/1002/1.htm")],
    }
    fields.update(overrides)
    return AlertItem(**fields)


@pytest.mark.parametrize("fmt", ["html", "markdown", "text"])
def test_alert_shows_title_type_parties_region_date_source_evidence_link(fmt: str) -> None:
    body = render_alert(_item(), fmt, Letter("analyst", "en")).body
    # 16:30 UTC on 2 November is 00:30 on 3 November in Beijing, the sources' time.
    for expected in [
        "Joint lab",
        "滨江大学 (university)",
        "浙江省",
        "2025-11-03",
        "binjiang",
        "共建",
        "https://news.binjiang.edu.cn/info/1002/1.htm",
    ]:
        assert expected in body
    assert "恒远新能源集团共建联合实验室" in body


def test_html_in_a_web_title_arrives_escaped_by_email(mail: MailSink) -> None:
    send(mail.apprise_url(), render_alert(_item(title="<script>alert(1)</script>合作"), "html"))
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode("utf-8")
        for p in mail.messages[0].walk()
        if not p.is_multipart()
    }
    assert "<script>" not in parts["text/html"] and "&lt;script&gt;" in parts["text/html"]
    assert "合作" in parts["text/plain"]  # email also carries a plain-text part


def test_webhook_receives_the_alert(receiver: LocalSite) -> None:
    send(_hook(receiver, "/hook"), Message("t", "b"))
    payload = json.loads(receiver.received[0].body)
    assert (payload["title"], payload["message"]) == ("t", "b")


def test_invalid_apprise_url_is_named_without_its_secret() -> None:
    with pytest.raises(InvalidAppriseURL) as err:
        validate("nosuchservice://user:hunter2@host/path")
    assert "nosuchservice://" in str(err.value) and "hunter2" not in str(err.value)


def test_masked_url_hides_the_password() -> None:
    masked = mask("mailto://bot:hunter2@smtp.example.org?to=a@example.org")
    assert "hunter2" not in masked and masked.startswith("mailto://bot:")


def test_one_failing_url_does_not_block_or_repeat_another(
    engine: Engine, receiver: LocalSite, mail: MailSink
) -> None:
    receiver.routes["/broken"] = Route(500, b"down")
    config = _config(
        {"name": "a", "notify": [_hook(receiver, "/broken"), mail.apprise_url()]},
        {"name": "b", "notify": [_hook(receiver, "/ok")]},
    )
    _store(engine, config)
    report = deliver_due(Outbox(engine), config)
    assert (report.sent, report.failed) == (2, 1)
    assert len(mail.messages) == 1 and [r.path for r in receiver.received] == ["/ok"]
    again = deliver_due(Outbox(engine), config)  # the failed one is not due yet; nothing repeats
    assert (again.sent, again.failed) == (0, 0)
    with session_scope(engine) as s:
        failed = s.exec(select(Delivery).where(Delivery.status == "failed")).one()
    assert failed.attempts == 1 and "500" in (failed.last_error or "")


def test_receiver_failing_first_n_requests_gets_every_alert_exactly_once(
    engine: Engine, receiver: LocalSite
) -> None:
    receiver.queued["/flaky"] = [Route(503), Route(502), Route(500)]
    config = _config({"name": "a", "notify": [_hook(receiver, "/flaky")]})
    _store(engine, config)
    _store(
        engine,
        config,
        url="https://news.binjiang.edu.cn/info/1002/2.htm",
        title="滨江职业技术学院与星辰智能制造有限公司共建产业学院",
        text="不同的新闻" * 30,
    )
    later = datetime.now(UTC)
    for _ in range(6):
        later += timedelta(hours=2)  # past every backoff
        deliver_due(Outbox(engine), config, now=later)
    assert len(receiver.received) == 2
    titles = sorted(json.loads(r.body)["title"] for r in receiver.received)
    assert len(set(titles)) == 2


def test_filters_route_items_to_the_right_subscribers(engine: Engine, receiver: LocalSite) -> None:
    subs = {
        "labs": {"types": ["joint_lab"]},
        "colleges": {"types": ["industry_college"]},
        "keyword": {"keywords": ["储能"]},
        "zhejiang": {"regions": ["浙江省"]},
        "hangzhou": {"regions": ["Hangzhou"]},
        "guangdong": {"regions": ["广东省"]},
        "company": {"parties": ["恒远新能源集团"]},
        "other-company": {"parties": ["宁德时代"]},
        "only-edu-bureau": {"sources": ["edu-bureau"]},
        "picky": {"relevant_only": False, "min_score": 0.95},
    }
    config = _config(
        *({"name": n, "notify": [_hook(receiver, f"/{n}")], "filters": f} for n, f in subs.items())
    )
    _store(engine, config)
    deliver_due(Outbox(engine), config)
    assert sorted(r.path for r in receiver.received) == [
        "/company",
        "/hangzhou",
        "/keyword",
        "/labs",
        "/zhejiang",
    ]


def test_near_duplicates_from_two_sources_make_one_alert_naming_both(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _config({"name": "a", "notify": [_hook(receiver, "/a")]})
    _store(engine, config, source="binjiang")
    repost = "（来源：滨江大学新闻网）" + LAB_TEXT + "（编辑：张三）"
    planned = _store(
        engine,
        config,
        source="edu-bureau",
        url="https://jyj.binjiang.gov.cn/art/2025/11/3/art_1_2.html",
        title="滨江大学与恒远新能源集团共建储能技术联合实验室",
        text=repost,
    )
    deliver_due(Outbox(engine), config)
    assert planned == 0  # the story was planned already
    (alert,) = receiver.received
    message = json.loads(alert.body)["message"]
    assert "binjiang" in message and "其他来源：edu-bureau" in message
    assert "https://jyj.binjiang.gov.cn/art/2025/11/3/art_1_2.html" in message
    with session_scope(engine) as s:
        assert len(list(s.exec(select(Story)))) == 1
    # A later copy does not alert again either.
    _store(
        engine,
        config,
        source="edu-bureau",
        url="https://jyj.binjiang.gov.cn/x/3.html",
        text=repost + "（转载）",
    )
    deliver_due(Outbox(engine), config)
    assert len(receiver.received) == 1


def test_different_news_is_a_different_story(engine: Engine, receiver: LocalSite) -> None:
    config = _config({"name": "a", "notify": [_hook(receiver, "/a")]})
    _store(engine, config)
    _store(
        engine,
        config,
        url="https://news.binjiang.edu.cn/info/1002/9.htm",
        title="滨江大学召开秋季学期教学工作会议",
        text="10月28日下午，滨江大学2025年秋季学期教学工作会议在行政楼召开。" * 4,
    )
    deliver_due(Outbox(engine), config)
    assert len(receiver.received) == 2


def test_a_subscriber_added_later_does_not_receive_old_items(
    engine: Engine, receiver: LocalSite
) -> None:
    early = _config({"name": "early", "notify": [_hook(receiver, "/early")]})
    _store(engine, early)
    later = _config(
        {"name": "early", "notify": [_hook(receiver, "/early")]},
        {"name": "late", "notify": [_hook(receiver, "/late")]},
    )
    with session_scope(engine) as s:
        sync_subscribers(s, [c.spec() for c in later.subscribers])
    deliver_due(Outbox(engine), later)
    assert [r.path for r in receiver.received] == ["/early"]


def test_dead_deliveries_are_reported_once_to_the_admin(
    engine: Engine, receiver: LocalSite
) -> None:
    receiver.routes["/down"] = Route(500)
    config = _config(
        {"name": "a", "notify": [_hook(receiver, "/down")]}, admin=[_hook(receiver, "/admin")]
    )
    _store(engine, config)
    now = datetime.now(UTC)
    for _ in range(deliveries.MAX_ATTEMPTS + 2):
        now += timedelta(days=1)
        deliver_due(Outbox(engine), config, now=now)
    admin = [r for r in receiver.received if r.path == "/admin"]
    assert len(admin) == 1 and "given up" in json.loads(admin[0].body)["title"]
    with session_scope(engine) as s:
        assert s.exec(select(Delivery)).one().status == "dead"


def test_no_secret_appears_in_logs_or_records(
    engine: Engine, receiver: LocalSite, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cr3t-t0ken-value"
    receiver.routes["/hook"] = Route(500)
    url = _hook(receiver, "/hook") + f"?+X-Token={secret}&:token={secret}"
    config = _config({"name": "a", "notify": [url]})
    caplog.set_level(logging.DEBUG)
    _store(engine, config)
    report = deliver_due(Outbox(engine), config)
    with session_scope(engine) as s:
        row = s.exec(select(Delivery)).one()
    assert report.failed == 1
    assert secret not in caplog.text
    assert secret not in " ".join(report.errors)
    assert secret not in f"{row.channel} {row.last_error}"


def _next_local(hour: int, minute: int, days: int = 1) -> datetime:
    from zoneinfo import ZoneInfo

    local = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(UTC)


def test_a_digest_arrives_once_per_period_with_the_right_items(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _config(
        {
            "name": "weekly-reader",
            "notify": [_hook(receiver, "/digest")],
            "mode": "digest",
            "digest": {"every": "daily", "at": "08:00"},
        }
    )
    _store(engine, config)
    _store(
        engine,
        config,
        url="https://news.binjiang.edu.cn/info/1002/2.htm",
        title="东海职业技术学院与星辰智能制造有限公司共建产业学院",
        text="另一条新闻" * 40,
    )
    deliver_due(Outbox(engine), config)
    assert receiver.received == []  # not before 08:00 tomorrow
    tomorrow = _next_local(8, 1)
    deliver_due(Outbox(engine), config, now=tomorrow)
    deliver_due(Outbox(engine), config, now=tomorrow + timedelta(hours=3))
    (digest,) = receiver.received
    payload = json.loads(digest.body)
    assert "2 条" in payload["title"]
    assert "【联合实验室（2）】" in payload["message"]
    assert "东海职业技术学院" in payload["message"] and "恒远新能源集团" in payload["message"]

    _store(
        engine,
        config,
        url="https://news.binjiang.edu.cn/info/1002/3.htm",
        title="第三条：滨江学院与某企业共建实训基地",
        text="第三条新闻" * 40,
    )
    deliver_due(Outbox(engine), config, now=tomorrow + timedelta(hours=5))
    assert len(receiver.received) == 1  # the next one waits for its period
    deliver_due(Outbox(engine), config, now=_next_local(8, 5, days=2))
    assert len(receiver.received) == 2
    second = json.loads(receiver.received[1].body)
    assert "1 条" in second["title"] and "第三条" in second["message"]


def test_weekly_digest_time_is_the_last_scheduled_weekday() -> None:
    from ieiwatch.config.schema import DigestSchedule
    from ieiwatch.notify.schedule import last_occurrence

    schedule = DigestSchedule(every="weekly", weekday="mon", at="09:30")
    wednesday = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)  # 20:00 in Beijing
    assert last_occurrence(schedule, wednesday) == datetime(2026, 11, 16, 1, 30, tzinfo=UTC)

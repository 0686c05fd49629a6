"""Alerts through Apprise to a real SMTP server and a real webhook receiver on loopback."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from ieiwatch.config import AppConfig
from ieiwatch.flows.demo_site.mail_sink import MailSink
from ieiwatch.flows.demo_site.server import LocalSite, Route
from ieiwatch.notify.channels import InvalidAppriseURL, Message, mask, send, validate
from ieiwatch.notify.outbox import deliver_due, plan_alerts
from ieiwatch.notify.render import render_alert
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Delivery
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.subscribers import sync_subscribers


def _article(**overrides: object) -> Article:
    fields: dict = {
        "id": 1, "source_id": 1, "url": "https://news.example.edu.cn/info/1002/1.htm",
        "url_key": "k", "title": "滨江大学与恒远新能源集团共建联合实验室",
        "published_at": datetime(2025, 11, 2, 16, 30, tzinfo=UTC), "text": "……",
        "content_hash": "h", "relevant": True, "score": 0.91, "type": "joint_lab",
        "parties": [{"name": "滨江大学", "kind": "university"},
                    {"name": "恒远新能源集团", "kind": "enterprise"}],
        "region": {"province": "浙江省", "city": None}, "evidence": ["共建", "联合实验室"],
    }
    fields.update(overrides)
    return Article(**fields)


def test_alert_shows_title_type_parties_date_source_and_link() -> None:
    # 16:30 UTC on 2 November is 00:30 on 3 November in Beijing, the sources' time.
    body = render_alert(_article(), "binjiang-news").body
    for expected in ["滨江大学与恒远新能源集团共建联合实验室", "Joint lab", "滨江大学 (university)",
                     "恒远新能源集团 (enterprise)", "2025-11-03", "binjiang-news", "共建",
                     "https://news.example.edu.cn/info/1002/1.htm", "浙江省"]:
        assert expected in body


def test_html_in_a_web_title_arrives_escaped_by_email(mail: MailSink) -> None:
    message = render_alert(_article(title="<script>alert(1)</script>合作"), "s")
    send(mail.apprise_url(), message)
    html_part = next(p for p in mail.messages[0].walk() if p.get_content_type() == "text/html")
    html = html_part.get_payload(decode=True).decode("utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_webhook_receives_the_alert(receiver: LocalSite) -> None:
    send(_hook(receiver, "/hook"), Message("t", "**b**"))
    payload = json.loads(receiver.received[0].body)
    assert (payload["title"], payload["message"]) == ("t", "**b**")


def test_invalid_apprise_url_is_named_without_its_secret() -> None:
    with pytest.raises(InvalidAppriseURL) as err:
        validate("nosuchservice://user:hunter2@host/path")
    assert "nosuchservice://" in str(err.value) and "hunter2" not in str(err.value)


def test_masked_url_hides_the_password() -> None:
    masked = mask("mailto://bot:hunter2@smtp.example.org?to=a@example.org")
    assert "hunter2" not in masked and masked.startswith("mailto://bot:")


def _setup(engine: Engine, config: AppConfig, article: Article) -> None:
    with session_scope(engine) as s:
        source = sync_sources(s, config.sources)["uni"]
        subs = sync_subscribers(s, config.subscribers)
        article.source_id = source.id or 0
        article.id = None
        s.add(article)
        s.flush()
        plan_alerts(s, [article], "uni", [(c, subs[c.name]) for c in config.subscribers])


def _config(*subscribers: dict) -> AppConfig:
    return AppConfig.model_validate({
        "sources": [{"name": "uni", "kind": "feed", "url": "http://127.0.0.1:1/f.xml"}],
        "subscribers": list(subscribers),
    })


def _hook(receiver: LocalSite, path: str) -> str:
    return receiver.url.replace("http://", "json://") + path


def test_one_failing_url_does_not_block_or_repeat_another(
    engine: Engine, receiver: LocalSite, mail: MailSink
) -> None:
    receiver.routes["/broken"] = Route(500, b"down")
    config = _config(
        {"name": "a", "notify": [_hook(receiver, "/broken"), mail.apprise_url()]},
        {"name": "b", "notify": [_hook(receiver, "/ok")]},
    )
    _setup(engine, config, _article())
    report = deliver_due(engine, config)
    assert (report.sent, report.failed) == (2, 1)
    assert len(mail.messages) == 1 and [r.path for r in receiver.received] == ["/ok"]
    again = deliver_due(engine, config)  # the failed one is not due yet; nothing repeats
    assert (again.sent, again.failed) == (0, 0)
    with session_scope(engine) as s:
        failed = s.exec(select(Delivery).where(Delivery.status == "failed")).one()
    assert failed.attempts == 1 and "500" in (failed.last_error or "")


def test_filters_route_items_to_the_right_subscribers(engine: Engine, receiver: LocalSite) -> None:
    config = _config(
        {"name": "labs", "notify": [_hook(receiver, "/labs")],
         "filters": {"types": ["joint_lab"]}},
        {"name": "colleges", "notify": [_hook(receiver, "/colleges")],
         "filters": {"types": ["industry_college"]}},
        {"name": "keyword", "notify": [_hook(receiver, "/kw")],
         "filters": {"keywords": ["恒远"]}},
        {"name": "everything", "notify": [_hook(receiver, "/all")],
         "filters": {"relevant_only": False, "min_score": 0.95}},
    )
    _setup(engine, config, _article())
    deliver_due(engine, config)
    assert sorted(r.path for r in receiver.received) == ["/kw", "/labs"]


def test_alert_names_the_source_it_came_from(engine: Engine, receiver: LocalSite) -> None:
    config = _config({"name": "a", "notify": [_hook(receiver, "/a")]})
    _setup(engine, config, _article())
    deliver_due(engine, config)
    assert "Source: uni" in json.loads(receiver.received[0].body)["message"]

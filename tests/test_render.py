"""Alerts and digests rendered from stored articles: what an analyst reads in each
language, on each service, with hostile text, and split to fit each service's limit."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from servers import LocalSite, Route
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from ieiwatch.classify import classify
from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import AppConfig
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.domain import Party, Region
from ieiwatch.flows.ingest import to_store
from ieiwatch.notify.channels import send
from ieiwatch.notify.chat import CHANNELS, EMAIL, Channel, channel_for, size
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.render import alert_parts, digest_parts
from ieiwatch.notify.sending import alert_item, deliver_due
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.notify.views import AlertItem, Letter, Scope, why_line
from ieiwatch.notify.wording import excerpt, region_text
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import ClaimedDelivery, Outbox
from ieiwatch.storage.models import Article, Delivery, Subscriber
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.stories import story_sources
from ieiwatch.storage.subscribers import sync_subscribers

register_commands()

LAB_TITLE = "滨江大学与恒远新能源集团签署协议 共建储能技术联合实验室"
LAB_TEXT = (
    "11月3日，滨江大学与恒远新能源集团有限公司在杭州签署战略合作协议，双方将共建储能"
    "技术联合实验室。实验室将围绕固态电池、储能系统安全和电池回收利用开展联合攻关。恒远新能源集团每年"
    "投入研发经费2000万元，学校组建研究团队。"
)
COLLEGE_TITLE = "东海职业技术学院与星辰智能制造有限公司共建产业学院揭牌"
COLLEGE_TEXT = (
    "近日，东海职业技术学院与星辰智能制造有限公司共建的智能制造产业学院在宁波揭牌成立。"
    "产业学院将开设工业机器人订单班，企业派驻工程师担任产业导师。双方还将共建实训基地。"
)
HOSTILE_TITLE = (
    "<script>alert(1)</script>\x1b[2J\x1b]8;;http://evil\x07点我\x1b]8;;\x07 <!channel> "
    "*粗体* [链接](http://evil) 滨江大学与恒远新能源集团共建联合实验室\n第二行\u202eexe.jpg"
    + "长"
    * 40_000
)
MANAGE = "https://ieiwatch.example.org/subscribers"
PUBLISHED = datetime(2025, 11, 2, 16, 30, tzinfo=UTC)  # 2025-11-03 00:30 in Beijing


def _config(*subscribers: dict, web: dict | None = None) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [
                {"name": "binjiang", "kind": "feed", "url": "https://news.binjiang.edu.cn/f.xml"},
                {"name": "edu-bureau", "kind": "feed", "url": "https://jyj.binjiang.gov.cn/g.xml"},
            ],
            "subscribers": list(subscribers),
            "web": web or {},
        }
    )


def _store(
    engine: Engine,
    config: AppConfig,
    title: str,
    text: str,
    url: str,
    source: str = "binjiang",
    published: datetime = PUBLISHED,
) -> int:
    """Store one article as a run does (classified for real) and plan its alerts."""
    scraped = ScrapedArticle(url=url, title=title, text=text, published_at=published)
    with session_scope(engine) as s:
        src = sync_sources(s, config.sources)[source]
        sync_subscribers(s, [c.spec() for c in config.subscribers])
        stored = articles.insert_new(s, src.id or 0, [to_store(scraped, classify(title, text))])
        return plan_alerts(s, stored, source, load_subscriptions(s, config))


def _stored_items(engine: Engine) -> list[AlertItem]:
    """Every stored article as the sender builds its alert (with the story's sources)."""
    with session_scope(engine) as s:
        rows = list(s.exec(select(Article).order_by(Article.id)))
        return [
            alert_item(ClaimedDelivery(0, "", "", a, story_sources(s, a.story_id or 0)))
            for a in rows
        ]


def _lab_and_college(engine: Engine, config: AppConfig) -> list[AlertItem]:
    _store(engine, config, LAB_TITLE, LAB_TEXT, "https://news.binjiang.edu.cn/info/1002/1.htm")
    _store(
        engine,
        config,
        LAB_TITLE,
        "（来源：滨江大学新闻网）" + LAB_TEXT,
        "https://jyj.binjiang.gov.cn/art/2025/11/3/art_1_2.html",
        source="edu-bureau",
    )
    _store(
        engine,
        config,
        COLLEGE_TITLE,
        COLLEGE_TEXT,
        "https://jyj.binjiang.gov.cn/art/2025/11/4/art_1_3.html",
        source="edu-bureau",
        published=PUBLISHED + timedelta(days=1),
    )
    items = _stored_items(engine)
    return [items[0], items[2]]  # the repost is the first item's story


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_email_alert_from_a_stored_article_reads_as_news_in_chinese(engine: Engine) -> None:
    (lab, _college) = _lab_and_college(engine, _config())
    message = alert_parts(lab, EMAIL, Letter("analyst", "zh", MANAGE))[0].message
    html, text = message.body, _text_of(message.body)
    assert message.title == f"[ieiwatch] {LAB_TITLE}"
    assert f'<a href="{lab.url}"' in html and LAB_TITLE in html  # the title is the link
    assert "2025-11-03 · binjiang (news.binjiang.edu.cn)" in text  # date and source site
    # Two sentences of the stored text, not the evidence dump.
    assert "双方将共建储能技术联合实验室。实验室将围绕固态电池" in text
    assert "投入研发经费" not in text and "+action" not in text
    assert "滨江大学与恒远新能源集团有限公司签署合作协议，共建联合实验室" in text
    assert "联合实验室" in text and "滨江大学（高校）、恒远新能源集团有限公司（企业）" in text
    assert "浙江省杭州市" in text
    assert "其他来源" in text and "https://jyj.binjiang.gov.cn/art/2025/11/3/art_1_2.html" in html
    assert "ieiwatch subscribers pause analyst" in text and f'href="{MANAGE}"' in html
    assert "style=" in html and "<style" not in html  # inline CSS only


def test_english_subscriber_gets_english_labels_and_region(engine: Engine) -> None:
    (lab, _college) = _lab_and_college(engine, _config())
    text = _text_of(alert_parts(lab, EMAIL, Letter("analyst", "en"))[0].message.body)
    for expected in [
        "Joint lab",
        "Parties",
        "滨江大学 (university), 恒远新能源集团有限公司 (company)",
        "Hangzhou, Zhejiang",
        "signed an agreement to co-build a joint lab",
        "Also reported by",
        "To pause: ieiwatch subscribers pause analyst",
    ]:
        assert expected in text
    assert "联合实验室（" not in text and "Manage your subscription" not in text  # no web app


def test_the_plain_text_part_of_an_email_carries_the_alert(engine: Engine, mail: MailSink) -> None:
    (lab, _college) = _lab_and_college(engine, _config())
    send(mail.apprise_url(), alert_parts(lab, EMAIL, Letter("analyst", "zh", MANAGE))[0].message)
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode("utf-8")
        for p in mail.messages[0].walk()
        if not p.is_multipart()
    }
    plain = parts["text/plain"]
    for expected in [LAB_TITLE, lab.url, "签署合作协议，共建联合实验室", "浙江省杭州市", MANAGE]:
        assert expected in plain
    assert "ieiwatch subscribers pause analyst" in plain
    assert "{" not in plain and "color:" not in plain  # no CSS leaks into the text


def test_digest_email_has_period_counts_by_type_and_source_then_groups(engine: Engine) -> None:
    items = _lab_and_college(engine, _config())
    end = datetime(2025, 11, 5, 0, 0, tzinfo=UTC)
    scope = Scope("daily", end - timedelta(days=1), end)
    (part,) = digest_parts(items, EMAIL, Letter("analyst", "zh"), scope)
    text = _text_of(part.message.body)
    assert part.message.title == "[ieiwatch] 每日摘要 · analyst：2 条"
    assert "收录时间：2025-11-04 08:00 至 2025-11-05 08:00（北京时间）" in text
    assert "本期共 2 条产教合作新闻" in text
    assert "按类型 产业学院 1 联合实验室 1" in text
    assert "按来源 binjiang 1 edu-bureau 1" in text
    assert text.index("联合实验室（1）") < text.index(LAB_TITLE)
    assert text.index("产业学院（1）") < text.index(COLLEGE_TITLE)
    assert "东海职业技术学院与星辰智能制造有限公司共建产业学院 https://" in text
    assert "浙江省宁波市" in text and sorted(part.items) == [0, 1]


def test_backfill_summary_names_its_source_and_date_range(engine: Engine) -> None:
    items = _lab_and_college(engine, _config())
    (part,) = digest_parts(items, EMAIL, Letter("analyst", "en"), Scope("backfill"))
    assert part.message.title == "[ieiwatch] Backfill of binjiang, edu-bureau: 2 items"
    text = _text_of(part.message.body)
    assert "Backfill of binjiang, edu-bureau: published 2025-11-03 to 2025-11-04" in text


CHAT = {name: channel for name, channel in CHANNELS.items() if channel.dialect != "email"}


def _hostile(engine: Engine) -> AlertItem:
    config = _config()
    _store(engine, config, HOSTILE_TITLE, LAB_TEXT, "https://news.binjiang.edu.cn/x.htm")
    (item,) = _stored_items(engine)
    return AlertItem(
        **{
            **item.__dict__,
            "parties": [Party("<b>恶意</b>\x1b[31m公司", "enterprise")],
            "text": "<img src=x onerror=alert(1)>第一句话很长很长很长。\x1b[2J第二句话也很长很长。",
        }
    )


def test_hostile_text_is_shown_not_run_in_every_format(engine: Engine) -> None:
    item = _hostile(engine)
    for lang in ("zh", "en"):
        emails = [
            alert_parts(item, EMAIL, Letter("analyst", lang))[0].message,
            digest_parts([item], EMAIL, Letter("analyst", lang), Scope("backfill"))[0].message,
        ]
        for message in emails:
            html = message.body
            assert "<script" not in html and "&lt;script&gt;" in html
            assert "<img" not in html and "<b>恶意" not in html and "&lt;b&gt;恶意" in html
            assert "\x1b" not in html + message.title and "\n" not in message.title
    scope = Scope("backfill")
    for name, channel in CHAT.items():
        alert = alert_parts(item, channel, Letter("analyst"))
        digest = digest_parts([item, item], channel, Letter("analyst", "en"), scope)
        for part in alert + digest:
            body, title = part.message.body, part.message.title
            assert "\x1b" not in body + title and "\u202e" not in body + title, name
            assert "\n" not in title and len(title) <= 200, name
            if channel.dialect in ("telegram", "markdown"):
                assert "<script" not in body and "<b>恶意" not in body, name
            if channel.dialect == "slack":
                assert "<!channel>" not in body and "‹!channel›" in body, name
            if channel.dialect == "markdown":
                assert "[链接](http://evil)" not in body, name
            first_line = body.split("\n", 1)[0]
            assert "第二行" not in first_line or "script" in first_line, name  # one line


def test_a_forty_thousand_character_title_stays_a_short_message(engine: Engine) -> None:
    item = _hostile(engine)
    for channel in CHAT.values():
        parts = alert_parts(item, channel, Letter("analyst"))
        assert len(parts) == 1
        assert size(parts[0].message.body, "chars") < 2000
    assert len(item.title) <= 500  # capped when stored


def _many(n: int) -> list[AlertItem]:
    return [
        AlertItem(
            title=f"第{i}条：滨江大学与星辰智能制造有限公司共建产业学院"
            + "，并开展订单培养" * (i % 4),
            url=f"https://news.binjiang.edu.cn/info/{i}.htm",
            published_at=PUBLISHED - timedelta(hours=i),
            type=("industry_college", "joint_lab", "training_base")[i % 3],
            score=0.9,
            parties=[Party("滨江大学", "university"), Party("星辰智能制造有限公司", "enterprise")],
            region=Region("Zhejiang", "Ningbo"),
            evidence=["+action: 签署协议"],
            sources=[("binjiang", f"https://news.binjiang.edu.cn/info/{i}.htm")],
            text="双方签署合作协议。共建产业学院。",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("name", sorted(n for n, c in CHAT.items() if c.limit))
def test_a_long_digest_is_split_into_numbered_messages_that_each_fit(name: str) -> None:
    channel = CHAT[name]
    assert channel.limit is not None
    items = _many(120 if channel.limit > 5000 else 40)
    scope = Scope("weekly", PUBLISHED - timedelta(days=7), PUBLISHED)
    parts = digest_parts(items, channel, Letter("analyst", "zh", MANAGE), scope)
    if channel.limit < 30_000:
        assert len(parts) > 1
    for n, part in enumerate(parts):
        marker = f"({n + 1}/{len(parts)})" if len(parts) > 1 else ""
        body, title = part.message.body, part.message.title
        assert size(body, channel.unit) <= channel.limit, (name, n)
        assert marker in (body.split("\n", 1)[0] if channel.title_in_body else title)
        assert part.message.format == channel.body_format
    # Every item once, whole: nothing cut off, nothing twice.
    carried = [i for part in parts for i in part.items]
    assert sorted(carried) == list(range(len(items)))
    joined = "\n".join(p.message.body for p in parts)
    for item in items:
        assert item.url in joined or item.url.replace("/", "/") in joined
    assert "ieiwatch subscribers pause analyst" in parts[-1].message.body


def test_channel_table_picks_each_services_format_and_limit() -> None:
    assert channel_for("mailto://bot:pw@example.org?to=a@example.org") == EMAIL
    assert channel_for("wecombot://abcdef123") == Channel("text", "text", 2048, "bytes", True)
    assert channel_for("dingtalk://abc123/").dialect == "text"
    markdown = channel_for("dingtalk://abc123/?format=markdown")
    assert (markdown.dialect, markdown.body_format, markdown.title_in_body) == (
        "markdown",
        "markdown",
        False,
    )
    assert channel_for("feishu://token123").unit == "json"
    assert channel_for("slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ").dialect == "slack"
    telegram = channel_for("tgram://123456789:abcdefg_hijklmnop/12315544/")
    assert (telegram.dialect, telegram.limit, telegram.title_in_body) == ("telegram", 4096, True)
    assert channel_for("json://127.0.0.1:9/hook").dialect == "text"
    discord = channel_for("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js")
    assert discord.limit and discord.dialect in ("text", "markdown")


@pytest.mark.parametrize(
    ("region", "zh", "en"),
    [
        (Region("Zhejiang", "Hangzhou"), "浙江省杭州市", "Hangzhou, Zhejiang"),
        (Region("Beijing", "Beijing"), "北京市", "Beijing"),
        (Region("Guangxi", None), "广西壮族自治区", "Guangxi"),
        (Region("Jilin", "Jilin"), "吉林省吉林市", "Jilin City, Jilin"),
        (Region("Jiangsu", "Taizhou"), "江苏省泰州市", "Taizhou, Jiangsu"),
        (Region("浙江省", None), "浙江省", "浙江省"),
    ],
)
def test_region_reads_as_people_write_it(region: Region, zh: str, en: str) -> None:
    assert (region_text(region, "zh"), region_text(region, "en")) == (zh, en)


def test_why_line_says_who_did_what_to_what_end() -> None:
    item = _many(1)[0]
    signed = AlertItem(**{**item.__dict__, "type": "joint_lab", "parties": item.parties[::-1]})
    assert why_line(signed, "zh") == "滨江大学与星辰智能制造有限公司签署合作协议，共建联合实验室"
    assert why_line(signed, "en") == (
        "滨江大学 and 星辰智能制造有限公司 signed an agreement to co-build a joint lab"
    )
    built = AlertItem(**{**item.__dict__, "evidence": ["+action: 共建产业学院"], "parties": []})
    assert why_line(built, "zh") == "共建产业学院"
    assert why_line(AlertItem(**{**item.__dict__, "type": None}), "zh") == ""


def test_excerpt_is_two_sentences_without_the_headline() -> None:
    text = f"{LAB_TITLE}。\n\n{LAB_TEXT}"
    assert excerpt(text, LAB_TITLE) == (
        "11月3日，滨江大学与恒远新能源集团有限公司在杭州签署战略合作协议，双方将共建储能"
        "技术联合实验室。实验室将围绕固态电池、储能系统安全和电池回收利用开展联合攻关。"
    )
    english = "Hangzhou, Nov 3. Binjiang University signed an MoU with CATL. They will build a lab."
    assert excerpt(english) == (
        "Binjiang University signed an MoU with CATL. They will build a lab."
    )


def _hook(receiver: LocalSite, path: str) -> str:
    return receiver.url.replace("http://", "json://") + path


def test_language_set_in_the_config_reaches_the_subscribers_alerts(
    engine: Engine, receiver: LocalSite
) -> None:
    config = _config(
        {"name": "zh-reader", "notify": [_hook(receiver, "/zh")]},
        {"name": "en-reader", "notify": [_hook(receiver, "/en")], "lang": "en"},
        web={"base_url": "https://ieiwatch.example.org/"},
    )
    _store(engine, config, LAB_TITLE, LAB_TEXT, "https://news.binjiang.edu.cn/info/1002/1.htm")
    deliver_due(Outbox(engine), config)
    got = {r.path: json.loads(r.body)["message"] for r in receiver.received}
    assert "要点：滨江大学与恒远新能源集团" in got["/zh"] and "浙江省杭州市" in got["/zh"]
    assert "Why: 滨江大学 and 恒远新能源集团" in got["/en"] and "Hangzhou, Zhejiang" in got["/en"]
    assert f"Manage your subscription: {MANAGE}" in got["/en"]
    with session_scope(engine) as s:
        langs = {row.name: row.lang for row in s.exec(select(Subscriber))}
    assert langs == {"zh-reader": "zh", "en-reader": "en"}


def test_a_failed_part_of_a_split_digest_is_retried_alone(
    engine: Engine, receiver: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CHANNELS, "json", Channel("text", "text", 600, "chars"))
    config = _config(
        {
            "name": "digest-reader",
            "notify": [_hook(receiver, "/d")],
            "mode": "digest",
            "digest": {"every": "daily", "at": "08:00"},
        }
    )
    for i in range(6):
        _store(
            engine,
            config,
            f"第{i}条：滨江大学与第{i}家企业签署协议共建联合实验室",
            f"第{i}条新闻。" + f"滨江大学与第{i}家企业签署协议，共建第{i}个联合实验室。" * 5,
            f"https://news.binjiang.edu.cn/info/{i}.htm",
        )
    receiver.queued["/d"] = [Route(200), Route(503)]  # the second message fails
    later = datetime.now(UTC) + timedelta(days=1, hours=1)
    first = deliver_due(Outbox(engine), config, now=later)
    assert first.messages == 1 and first.failed > 0 and first.sent > 0
    retry = deliver_due(Outbox(engine), config, now=later + timedelta(hours=1))
    assert retry.failed == 0 and first.sent + retry.sent == 6
    bodies = [json.loads(r.body)["message"] for r in receiver.received]
    for i in range(6):  # each story arrived exactly once over all messages
        assert sum(f"第{i}条：" in body for body in bodies) == 1
    with session_scope(engine) as s:
        assert {d.status for d in s.exec(select(Delivery))} == {"sent"}


def test_subscribers_add_takes_a_language(
    tmp_path: Path, receiver: LocalSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(yaml.safe_dump({"sources": []}), encoding="utf-8")
    hook = _hook(receiver, "/x")
    runner = CliRunner()
    ok = runner.invoke(
        app, ["subscribers", "add", "en", "--notify", hook, "--lang", "en", "--config", str(path)]
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        app, ["subscribers", "add", "fr", "--notify", hook, "--lang", "fr", "--config", str(path)]
    )
    assert bad.exit_code != 0 and "lang" in bad.output

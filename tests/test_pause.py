"""Pausing a subscriber holds its alerts; resuming sends them (README: "its alerts wait
until it resumes")."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from servers import LocalSite
from typer.testing import CliRunner, Result

from ieiwatch.classify import classify
from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import load_config
from ieiwatch.flows.ingest import to_store
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles
from ieiwatch.storage.db import init_db, make_engine, session_scope
from ieiwatch.storage.sources import sync_sources

register_commands()


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    path = tmp_path / "ieiwatch.yaml"
    source = {"name": "uni", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"}
    path.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    return path


def _cli(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--config", str(config_path)])


EVENTS = [
    ("恒远新能源集团", "储能技术"),
    ("华为技术有限公司", "鲲鹏计算"),
    ("中兴通讯股份有限公司", "5G通信"),
    ("哈尔滨电气集团", "清洁能源装备"),
    ("比亚迪股份有限公司", "动力电池"),
    ("科大讯飞股份有限公司", "智能语音"),
]


def _store_and_plan(config_path: Path, n: int) -> None:
    """What a monitoring run does with ``n`` new cooperation items."""
    engine = make_engine(os.environ["IEIWATCH_DATABASE_URL"])
    init_db(engine)
    config = load_config(config_path)
    found = []
    for i, (firm, lab) in enumerate(EVENTS[:n]):
        title = f"滨江大学与{firm}签署校企合作协议 共建{lab}联合实验室"
        text = f"{title}。双方将围绕{lab}开展科研攻关，共建实习基地，联合培养研究生。"
        art = ScrapedArticle(
            f"https://news.binjiang.edu.cn/{i}.htm", title, datetime(2025, 11, 3, tzinfo=UTC), text
        )
        found.append(to_store(art, classify(art.title, art.text)))
    with session_scope(engine) as s:
        src = sync_sources(s, config.sources)["uni"]
        stored = articles.insert_new(s, src.id or 0, found)
        plan_alerts(s, stored, "uni", load_subscriptions(s, config))
    engine.dispose()


def test_alerts_found_during_a_pause_are_sent_on_resume(
    config_path: Path, receiver: LocalSite
) -> None:
    hook = receiver.url.replace("http://", "json://") + "/ops"
    assert _cli(config_path, "subscribers", "add", "ops", "--notify", hook).exit_code == 0
    assert _cli(config_path, "subscribers", "pause", "ops").exit_code == 0

    _store_and_plan(config_path, 6)
    _cli(config_path, "deliveries", "retry")  # a pass sends what is due: nothing for ops
    assert receiver.received == []

    assert _cli(config_path, "subscribers", "resume", "ops").exit_code == 0
    _cli(config_path, "deliveries", "retry")
    assert len(receiver.received) == 6
    _cli(config_path, "deliveries", "retry")
    assert len(receiver.received) == 6  # and none twice

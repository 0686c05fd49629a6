"""`ieiwatch subscribers …` and `ieiwatch deliveries …` against real local receivers."""

import json
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import yaml
from servers import LocalSite, Route
from typer.testing import CliRunner, Result

from ieiwatch.cli.main import app, register_commands
from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows.ingest import to_store

register_commands()
SECRET = "hunter2-secret"


@pytest.fixture
def config_path(tmp_path: Path, mail: MailSink, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [{"name": "uni", "kind": "feed", "url": "http://127.0.0.1:9/feed.xml"}],
                "subscribers": [{"name": "from-file", "notify": [mail.apprise_url()]}],
            }
        ),
        encoding="utf-8",
    )
    return path


def _cli(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--config", str(config_path)])


def _hook(receiver: LocalSite, path: str) -> str:
    return receiver.url.replace("http://", "json://") + path + f"?+X-Token={SECRET}"


def test_add_list_pause_resume_remove(config_path: Path, receiver: LocalSite) -> None:
    added = _cli(
        config_path,
        "subscribers",
        "add",
        "ops",
        "--notify",
        _hook(receiver, "/ops"),
        "--type",
        "joint_lab",
        "--region",
        "浙江",
        "--mode",
        "digest",
        "--digest-at",
        "09:30",
    )
    assert added.exit_code == 0, added.output
    listed = _cli(config_path, "subscribers", "list")
    assert "ops  [cli, active, digest daily 09:30 Asia/Shanghai]" in listed.output
    assert "from-file  [config, active, instant]" in listed.output
    assert "    wants: cooperation news; types: joint_lab; regions: 浙江" in listed.output
    assert _cli(config_path, "subscribers", "pause", "ops").exit_code == 0
    assert "ops  [cli, paused" in _cli(config_path, "subscribers", "list").output
    assert _cli(config_path, "subscribers", "resume", "ops").exit_code == 0
    assert _cli(config_path, "subscribers", "remove", "ops").exit_code == 0
    assert "ops" not in _cli(config_path, "subscribers", "list").output
    for result in (added, listed):
        assert SECRET not in result.output


def test_a_config_subscriber_cannot_be_removed_from_the_cli(config_path: Path) -> None:
    result = _cli(config_path, "subscribers", "remove", "from-file")
    assert result.exit_code == 1 and "comes from the config file" in result.output


def test_an_invalid_apprise_url_is_refused_by_name(config_path: Path) -> None:
    result = _cli(
        config_path, "subscribers", "add", "x", "--notify", f"nosuch://user:{SECRET}@host/path"
    )
    assert result.exit_code == 1
    assert "nosuch:// is not a service Apprise knows" in result.output
    assert SECRET not in result.output
    bare = _cli(config_path, "subscribers", "add", "x", "--notify", "127.0.0.1:19302/hook")
    assert bare.exit_code == 1 and "it needs a service scheme" in bare.output


def test_test_says_per_url_whether_it_went_through(
    config_path: Path, receiver: LocalSite, mail: MailSink
) -> None:
    receiver.routes["/down"] = Route(500)
    _cli(
        config_path,
        "subscribers",
        "add",
        "two",
        "--notify",
        _hook(receiver, "/up"),
        "--notify",
        _hook(receiver, "/down"),
    )
    result = _cli(config_path, "subscribers", "test", "two")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("ok      json://") and lines[1].startswith("FAILED  json://")
    assert "500" in lines[1] and SECRET not in result.output
    assert _cli(config_path, "subscribers", "test", "from-file").exit_code == 0
    assert len(mail.messages) == 1
    subject = str(make_header(decode_header(mail.messages[0]["Subject"])))
    assert "【测试】" in subject  # a real-looking alert, marked as a test
    assert "滨江大学" in json.loads(receiver.received[0].body)["message"]


def _store_one_article(database_url: str, config_path: Path) -> None:
    from datetime import UTC, datetime

    from ieiwatch.classify import classify
    from ieiwatch.config import load_config
    from ieiwatch.scrapers.models import ScrapedArticle
    from ieiwatch.storage import articles
    from ieiwatch.storage.db import init_db, make_engine, session_scope
    from ieiwatch.storage.sources import sync_sources

    engine = make_engine(database_url)
    init_db(engine)
    title = "滨江大学与恒远新能源集团有限公司签署校企合作协议 共建储能联合实验室"
    art = ScrapedArticle(
        "https://news.binjiang.edu.cn/1.htm",
        title,
        datetime(2025, 11, 3, tzinfo=UTC),
        title + "。双方将共建联合实验室。",
    )
    with session_scope(engine) as s:
        src = sync_sources(s, load_config(config_path).sources)["uni"]
        articles.insert_new(s, src.id or 0, [to_store(art, classify(art.title, art.text))])
    engine.dispose()


def test_old_items_only_when_asked_then_failed_deliveries_are_listed_and_retried(
    config_path: Path, receiver: LocalSite
) -> None:
    import os

    _store_one_article(os.environ["IEIWATCH_DATABASE_URL"], config_path)
    _cli(config_path, "subscribers", "add", "new", "--notify", _hook(receiver, "/new"))
    added = _cli(
        config_path,
        "subscribers",
        "add",
        "asked",
        "--notify",
        _hook(receiver, "/hook"),
        "--since",
        "2025-01-01",
    )
    assert "1 alerts planned for items since 2025-01-01" in added.output
    receiver.routes["/hook"] = Route(503)
    first = _cli(config_path, "deliveries", "retry")  # sends what is due: the planned alert
    assert first.exit_code == 1 and "1 failed again" in first.output
    failed = _cli(config_path, "deliveries", "list", "--failed")
    assert "failed" in failed.output and "503" in failed.output and SECRET not in failed.output
    assert (
        "滨江大学与恒远新能源集团有限公司签署校企合作协议" in failed.output
    )  # what, not "story 1"
    assert "1 attempt (times: Beijing)" in failed.output and "next try" in failed.output
    (row,) = [
        json.loads(x) for x in _cli(config_path, "deliveries", "list", "--json").output.splitlines()
    ]
    assert row["subscriber"] == "asked" and row["status"] == "failed" and row["attempts"] == 1
    assert row["url"] == "https://news.binjiang.edu.cn/1.htm" and SECRET not in json.dumps(row)
    assert (
        _cli(config_path, "deliveries", "list", "--subscriber", "new").output == "no deliveries\n"
    )
    receiver.routes.clear()
    second = _cli(config_path, "deliveries", "retry")  # due at once, whatever the backoff
    assert second.exit_code == 0 and "1 failed made due again; 1 sent" in second.output
    assert [r.path for r in receiver.received] == ["/hook"]  # "new" got no old item


def test_the_cli_refuses_what_the_config_file_refuses(config_path: Path) -> None:
    unknown = _cli(
        config_path,
        "subscribers",
        "add",
        "zj",
        "--notify",
        "json://127.0.0.1/h",
        "--source",
        "nope",
    )
    assert unknown.exit_code == 1
    assert "subscriber 'zj' filters on unknown sources: nope" in unknown.output
    capital = _cli(config_path, "subscribers", "add", "ZJ", "--notify", "json://127.0.0.1/h")
    assert capital.exit_code == 1 and "name" in capital.output
    assert "zj" not in _cli(config_path, "subscribers", "list").output

"""Source health: the decisions as plain functions, then whole runs over loopback servers
(a layout change marks a source broken with one admin alert, and it recovers by itself),
and the `ieiwatch sources` commands."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from servers import LocalSite, Route
from sqlalchemy import Engine, event
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from ieiwatch.cli.main import app, register_commands
from ieiwatch.config import AppConfig, Settings
from ieiwatch.domain import SourceKind
from ieiwatch.flows.polling import RunReport, run_pass
from ieiwatch.storage import health
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.health import HealthRules
from ieiwatch.storage.models import Article, Source

register_commands()

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
RULES = HealthRules()


def _days_ago(*days: float) -> list[datetime]:
    return [NOW - timedelta(days=d) for d in days]


# ---------------------------------------------------------------------- decisions


def test_median_gap() -> None:
    assert health.median_gap(_days_ago(1, 2, 4, 5)) == timedelta(days=1)
    assert health.median_gap(_days_ago(3)) is None


def test_a_daily_source_quiet_for_ten_days_is_silent() -> None:
    times = _days_ago(10, 11, 12, 13, 14, 15)
    reason = health.silence_reason(times[0], times, NOW, RULES)
    assert reason is not None and reason.startswith("silent: no new item since 2025-09-21")


def test_silence_needs_five_items() -> None:
    times = _days_ago(30, 31, 32, 33)
    assert health.silence_reason(times[0], times, NOW, RULES) is None


def test_a_slow_source_gets_four_of_its_gaps() -> None:
    monthly = _days_ago(60, 90, 120, 150, 180)  # 30-day gaps: silent after 120 days
    assert health.silence_reason(monthly[0], monthly, NOW, RULES) is None
    monthly = _days_ago(130, 160, 190, 220, 250)
    assert health.silence_reason(monthly[0], monthly, NOW, RULES) is not None


def test_a_future_date_does_not_hide_a_silence() -> None:
    # An item dated years ahead counts as new when it was stored, 20 days ago.
    times = [NOW + timedelta(days=3000), *_days_ago(21, 22, 23, 24)]
    stored_at = NOW - timedelta(days=20)
    assert health.silence_reason(stored_at, times, NOW, RULES) is not None
    src = _source()
    health.note_new_items(
        src,
        [
            Article(
                source_id=1,
                url="u",
                url_key="k",
                title="t",
                content_hash="h",
                published_at=times[0],
            )
        ],
        stored_at,
    )
    assert src.last_item_at == stored_at


def _source(**kw: object) -> Source:
    return Source(id=1, name="s", kind="html", url="http://x.cn/", **kw)


def test_a_layout_change_breaks_only_a_source_that_worked_before() -> None:
    never = _source(consecutive_failures=1)
    assert health.failure_reason(never, "e", layout_changed=True, rules=RULES) is None
    worked = _source(consecutive_failures=1, last_success_at=NOW)
    reason = health.failure_reason(worked, "e", layout_changed=True, rules=RULES)
    assert reason is not None and "selectors match nothing" in reason


def test_failures_in_a_row_break_a_source_at_the_threshold() -> None:
    assert (
        health.failure_reason(
            _source(consecutive_failures=2), "e", layout_changed=False, rules=RULES
        )
        is None
    )
    reason = health.failure_reason(
        _source(consecutive_failures=3), "HTTP 404", layout_changed=False, rules=RULES
    )
    assert reason == "failed 3 runs in a row; last error: HTTP 404"


def test_broken_is_announced_once_and_recovery_clears_it() -> None:
    src = _source()
    first = health.mark_broken(src, "gone", NOW)
    assert first is not None and first.broken and "broken" in first.title
    assert health.mark_broken(src, "still gone", NOW + timedelta(days=1)) is None
    assert src.broken_since == NOW and src.broken_reason == "still gone"
    back = health.mark_recovered(src)
    assert back is not None and not back.broken and "working again" in back.title
    assert src.broken_reason is None and src.broken_since is None
    assert health.mark_recovered(src) is None


def test_newest_item_time_moves_forward_only() -> None:
    src = _source(last_item_at=NOW - timedelta(days=1))
    old = Article(
        source_id=1,
        url="u",
        url_key="k",
        title="t",
        content_hash="h",
        published_at=NOW - timedelta(days=5),
        fetched_at=NOW,
    )
    health.note_new_items(src, [old], NOW)
    assert src.last_item_at == NOW - timedelta(days=1)
    undated = Article(
        source_id=1, url="u", url_key="k", title="t", content_hash="h", fetched_at=NOW
    )
    health.note_new_items(src, [undated], NOW)
    assert src.last_item_at == NOW


# ------------------------------------------------------------- runs over loopback

CHANGED_LAYOUT = """<html><head><meta charset="utf-8"></head><body>
<div class="newslist-v2"><p><span>新版页面</span></p></div></body></html>""".encode()


def _config(site: LocalSite, receiver: LocalSite, url: str | None = None) -> AppConfig:
    return AppConfig.model_validate(
        {
            "sources": [
                {
                    "name": "nanhu",
                    "kind": "html",
                    "url": url or f"{site.url}/list.htm",
                    "item_selector": "ul.news li",
                    "date_selector": "span.d",
                }
            ],
            "admin_notify": [receiver.url.replace("http://", "json://") + "/admin"],
        }
    )


def _run(database_url: str, config: AppConfig, **settings: object) -> RunReport:
    return asyncio.run(run_pass(Settings(database_url=database_url, **settings), config))


def _row(database_url: str, name: str = "nanhu") -> Source:
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        row = s.exec(select(Source).where(Source.name == name)).one()
    engine.dispose()
    return row


def _alerts(receiver: LocalSite) -> list[dict]:
    return [json.loads(r.body) for r in receiver.received]


def test_a_changed_layout_marks_the_source_broken_once_and_it_recovers(
    site: LocalSite, receiver: LocalSite, sqlite_url: str
) -> None:
    config = _config(site, receiver)
    first = _run(sqlite_url, config)
    assert first.sources[0].status == "ok" and _alerts(receiver) == []
    worked = _row(sqlite_url)
    # the newest list date, 2025-09-12 in Beijing time
    assert worked.last_item_at == datetime(2025, 9, 11, 16, 0, tzinfo=UTC)

    site.routes["/list.htm"] = Route(200, CHANGED_LAYOUT, {"Content-Type": "text/html"})
    broken = _run(sqlite_url, config)
    assert broken.sources[0].status == "error"
    assert any(e.startswith("health: marked broken") for e in broken.sources[0].errors)
    row = _row(sqlite_url)
    assert row.broken_reason and "selectors match nothing" in row.broken_reason
    assert row.broken_since is not None
    (alert,) = _alerts(receiver)
    assert "nanhu is broken" in alert["title"] and "ul.news li" in alert["message"]

    again = _run(sqlite_url, config)  # still broken: no second alert
    assert len(receiver.received) == 1
    assert not any(e.startswith("health:") for e in again.sources[0].errors)
    assert _row(sqlite_url).broken_since == row.broken_since
    assert _row(sqlite_url).consecutive_failures == 2

    site.routes.clear()  # the old layout is back
    back = _run(sqlite_url, config)
    assert back.sources[0].status in ("ok", "not_modified")
    assert any(e.startswith("health: recovered") for e in back.sources[0].errors)
    healed = _row(sqlite_url)
    assert healed.broken_reason is None and healed.broken_since is None
    assert healed.consecutive_failures == 0
    assert "working again" in _alerts(receiver)[1]["title"] and len(receiver.received) == 2


def test_failing_n_runs_in_a_row_marks_broken_with_one_alert(
    site: LocalSite, receiver: LocalSite, sqlite_url: str
) -> None:
    config = _config(site, receiver, url=f"{site.url}/gone.htm")
    for _ in range(2):
        _run(sqlite_url, config, broken_after_failures=3)
    assert _row(sqlite_url).broken_reason is None and receiver.received == []
    _run(sqlite_url, config, broken_after_failures=3)
    _run(sqlite_url, config, broken_after_failures=3)
    row = _row(sqlite_url)
    # the reason follows the count; the alert went out once, at the third failure
    assert row.broken_reason is not None and row.broken_reason.startswith("failed 4 runs")
    assert "HTTP 404" in row.broken_reason and row.consecutive_failures == 4
    (alert,) = _alerts(receiver)
    assert "failed 3 runs in a row" in alert["message"]


def _dated_feed(site: LocalSite, days_ago: list[int]) -> None:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>News {d}</title><link>/n/{d}.htm</link><description>text {d}"
        f"</description><pubDate>{(now - timedelta(days=d)):%a, %d %b %Y %H:%M:%S} +0000"
        "</pubDate></item>"
        for d in days_ago
    )
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'
    )
    site.routes["/dated.xml"] = Route(200, body.encode(), {"Content-Type": "application/rss+xml"})


def test_a_silent_source_is_marked_broken_and_new_items_recover_it(
    site: LocalSite, receiver: LocalSite, sqlite_url: str
) -> None:
    config = AppConfig.model_validate(
        {
            "sources": [{"name": "quiet", "kind": "feed", "url": f"{site.url}/dated.xml"}],
            "admin_notify": [receiver.url.replace("http://", "json://") + "/admin"],
        }
    )
    _dated_feed(site, [40, 41, 42, 43, 44, 45])  # daily, then quiet for 40 days
    report = _run(sqlite_url, config)
    assert report.sources[0].status == "ok" and report.sources[0].new == 6
    row = _row(sqlite_url, "quiet")
    assert row.broken_reason is not None and row.broken_reason.startswith("silent")
    assert row.last_item_at is not None and (datetime.now(UTC) - row.last_item_at).days == 40
    assert len(receiver.received) == 1

    _dated_feed(site, [0, 40, 41, 42, 43, 44, 45])
    _run(sqlite_url, config)
    assert _row(sqlite_url, "quiet").broken_reason is None
    assert len(receiver.received) == 2


def test_a_bozo_feed_is_used_and_its_problem_recorded(site: LocalSite, sqlite_url: str) -> None:
    feed = (Path(__file__).parent / "data/site/feed.xml").read_bytes()
    site.routes["/feed.xml"] = Route(
        200, feed.replace(b"</channel></rss>", b"<broken"), {"Content-Type": "application/rss+xml"}
    )
    config = AppConfig.model_validate(
        {"sources": [{"name": "lakeside", "kind": "feed", "url": f"{site.url}/feed.xml"}]}
    )
    report = _run(sqlite_url, config)
    (source,) = report.sources
    assert source.status == "ok" and source.new == 2
    assert any(e.startswith("feed: SAXParseException") for e in source.errors)
    row = _row(sqlite_url, "lakeside")
    assert row.consecutive_failures == 0 and "SAXParseException" in (row.last_error or "")


# ------------------------------------------------------------------ the commands


@pytest.fixture
def config_file(tmp_path: Path, site: LocalSite, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    path = tmp_path / "ieiwatch.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "nanhu",
                        "kind": "html",
                        "url": f"{site.url}/list.htm",
                        "item_selector": "ul.news li",
                        "date_selector": "span.d",
                        "content_selector": "div.article-body",
                    },
                    {"name": "gone", "kind": "feed", "url": f"{site.url}/gone.xml"},
                ]
            }
        ),
        encoding="utf-8",
    )
    return path


def _cli(config_file: Path, *args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--config", str(config_file)])


def test_sources_list_shows_the_health_table(config_file: Path, tmp_path: Path) -> None:
    config = AppConfig.model_validate(yaml.safe_load(config_file.read_text(encoding="utf-8")))
    _run(f"sqlite:///{tmp_path / 'db.sqlite'}", config)  # what `ieiwatch run` does
    listed = _cli(config_file, "sources", "list")
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line for line in listed.output.splitlines()[1:]}
    assert lines["nanhu"].split()[1] == "ok"
    assert lines["nanhu"].split()[5] == "2"  # items in the last 7 days
    assert "2025-09-12" in lines["nanhu"]  # its newest item
    assert lines["gone"].split()[1] == "failing" and "HTTP 404" in lines["gone"]


def test_sources_check_prints_what_it_would_extract_and_stores_nothing(
    config_file: Path, tmp_path: Path, site: LocalSite
) -> None:
    result = _cli(config_file, "sources", "check", "nanhu", "--articles", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2 items listed" in out
    assert "2025-09-12" in out and f"{site.url}/art/101.htm" in out
    assert "南湖职业技术学院与鑫源汽车有限公司共建新能源汽车产业学院" in out
    assert "characters:" in out  # the text sample of the first article
    assert "cooperation news: " in out and "鑫源汽车有限公司 (enterprise)" in out
    assert len(site.hits("/art/101.htm")) == 1 and site.hits("/art/102.htm") == []
    assert not (tmp_path / "db.sqlite").exists()


def test_sources_check_names_the_problem(config_file: Path) -> None:
    unknown = _cli(config_file, "sources", "check", "nope")
    assert unknown.exit_code == 2 and "no source named 'nope'" in unknown.output
    failing = _cli(config_file, "sources", "check", "gone")
    assert failing.exit_code == 1 and "HTTP 404" in failing.output


def test_sources_check_hints_at_discovery_when_the_selector_matches_nothing(
    tmp_path: Path, site: LocalSite
) -> None:
    path = tmp_path / "c.yaml"
    source = {
        "name": "n",
        "kind": "html",
        "url": f"{site.url}/list.htm",
        "item_selector": "ol.x li",
    }
    path.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    result = _cli(path, "sources", "check", "n")
    assert result.exit_code == 1 and "matched nothing" in result.output
    assert f"ieiwatch sources discover {site.url}/list.htm" in result.output


def test_health_queries_on_each_database(engine: Engine) -> None:
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        src = Source(name="q", kind="feed", url="http://x.cn/rss")
        s.add(src)
        s.flush()
        assert src.id is not None
        for i, (published, fetched_days) in enumerate(
            [(now - timedelta(days=2), 0), (None, 1), (now - timedelta(days=30), 20)]
        ):
            s.add(
                Article(
                    source_id=src.id,
                    url=f"http://x.cn/{i}",
                    url_key=f"k{i}",
                    title="t",
                    content_hash=f"h{i}",
                    published_at=published,
                    fetched_at=now - timedelta(days=fetched_days),
                )
            )
        s.flush()
        times = health.item_times(s, src.id)
        assert times == sorted(times, reverse=True) and len(times) == 3
        assert times[0] == now - timedelta(days=1)  # no publication date: its fetch time
        assert health.items_per_week(s, now) == {src.id: 2}
        (row,) = health.health_table(s, ["q", "unknown"], now)
        assert row.state == "new" and row.items_per_week == 2


def _add_articles(session: Session, source_id: int, published: list[datetime | None]) -> None:
    for i, when in enumerate(published):
        session.add(
            Article(
                source_id=source_id,
                url=f"http://x.cn/{source_id}/{i}",
                url_key=f"k{source_id}-{i}",
                title="t",
                content_hash=f"h{source_id}-{i}",
                published_at=when,
                fetched_at=NOW - timedelta(days=100),
            )
        )


def test_unchanged_sources_get_the_health_of_one_by_one_checks_on_each_database(
    engine: Engine,
) -> None:
    daily_then_quiet = _days_ago(40, 41, 42, 43, 44, 45)
    cases: dict[str, tuple[list[datetime | None], str | None]] = {
        "silent": (list(daily_then_quiet), None),
        "recent": ([*_days_ago(1), *daily_then_quiet], None),
        "few": (list(_days_ago(40, 41)), None),
        "none": ([], None),
        "undated": ([None] * 6, None),  # their fetch time, 100 days ago
        "recovers": (list(_days_ago(1, 2, 3, 4, 5)), "silent: earlier"),
        "stays-broken": (list(daily_then_quiet), "silent: earlier"),
    }
    with session_scope(engine) as s:
        rows = []
        for name, (published, broken) in cases.items():
            row = Source(name=name, kind=SourceKind.FEED, url=f"http://x.cn/{name}")
            row.broken_reason, row.broken_since = (
                broken,
                NOW - timedelta(days=3) if broken else None,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            _add_articles(s, row.id, published)
            dated = [p for p in published if p is not None]
            row.last_item_at = max(dated) if dated else None
            rows.append(row)
        s.flush()
        one_by_one = {r.id: health.item_times(s, r.id) for r in rows if r.id is not None}
        assert health.item_times_of(s, [r.id for r in rows if r.id is not None]) == one_by_one
        expected = {}
        for r in rows:
            copy = Source.model_validate(r.model_dump())
            change = health.after_success(s, copy, RULES, now=NOW)
            s.expunge(copy)
            expected[r.name] = (copy.broken_reason, change)
        changes = health.after_unchanged(s, rows, RULES, now=NOW)
    assert {r.name: r.broken_reason for r in rows} == {n: e[0] for n, e in expected.items()}
    assert changes == [e[1] for e in expected.values() if e[1] is not None]
    assert {c.source: c.broken for c in changes} == {
        "silent": True,
        "undated": True,
        "recovers": False,
    }


def test_a_poll_reads_the_items_times_only_of_a_source_that_could_be_silent(
    engine: Engine,
) -> None:
    checking: list[str] = []
    read_for: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "row_number()" in statement.lower():  # the items' times, ranked per source
            read_for.append(checking[-1])

    event.listen(engine, "before_cursor_execute", note)
    with session_scope(engine) as s:
        # One item this week: not silent, whatever the source's pace. One 40 days ago:
        # maybe silent (too few items to say, here), which only its items' times tell.
        for name, published in (("busy", _days_ago(1, 2, 3, 4, 5)), ("quiet", _days_ago(40))):
            row = Source(name=name, kind=SourceKind.FEED, url=f"http://x.cn/{name}")
            s.add(row)
            s.flush()
            assert row.id is not None
            _add_articles(s, row.id, published)
            row.last_item_at = max(published)
            s.flush()
            checking.append(name)
            assert health.after_success(s, row, RULES, now=NOW) is None
            assert row.broken_reason is None
    assert read_for == ["quiet"]


def test_a_source_that_falls_silent_while_its_list_is_unchanged_is_marked_once(
    site: LocalSite, receiver: LocalSite, sqlite_url: str
) -> None:
    config = _config(site, receiver)
    assert _run(sqlite_url, config).sources[0].status == "ok"
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        source_id = _row(sqlite_url).id
        assert source_id is not None
        _add_articles(s, source_id, [datetime(2025, 9, d, tzinfo=UTC) for d in range(1, 6)])
    engine.dispose()

    unchanged = _run(sqlite_url, config)  # the list answers 304: recorded with its batch
    (report,) = unchanged.sources
    assert report.status == "not_modified"
    assert [e for e in report.errors if e.startswith("health: marked broken: silent")]
    row = _row(sqlite_url)
    assert row.broken_reason is not None and row.broken_reason.startswith("silent")
    assert row.last_polled_at is not None and row.consecutive_failures == 0
    (alert,) = _alerts(receiver)
    assert "nanhu is broken" in alert["title"]
    again = _run(sqlite_url, config)
    assert again.sources[0].status == "not_modified" and again.sources[0].errors == []
    assert len(receiver.received) == 1

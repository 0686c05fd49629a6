"""The Prefect flow and the CLI, on a temporary Prefect server and loopback sources."""

import asyncio
from pathlib import Path

import pytest
import yaml
from servers import LocalSite
from typer.testing import CliRunner

from ieiwatch.cli.main import app
from ieiwatch.demo.mail_sink import MailSink

pytestmark = pytest.mark.usefixtures("prefect_api")


def _write_config(path: Path, site: LocalSite, mail: MailSink, *, broken: bool) -> Path:
    list_url = "http://127.0.0.1:9/list.htm" if broken else f"{site.url}/list.htm"
    path.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {"name": "lakeside-feed", "kind": "feed", "url": f"{site.url}/feed.xml"},
                    {
                        "name": "nanhu-list",
                        "kind": "html",
                        "url": list_url,
                        "item_selector": "ul.news li",
                        "content_selector": "div.article-body",
                    },
                ],
                "subscribers": [{"name": "analyst", "notify": [mail.apprise_url()]}],
                "alert_window_days": 36500,
            }
        ),
        encoding="utf-8",
    )
    return path


def test_monitor_flow_records_a_failing_source_and_delivers_the_rest(
    site: LocalSite,
    mail: MailSink,
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ieiwatch.flows.monitor import monitor

    monkeypatch.setenv("IEIWATCH_SOURCE_RETRIES", "1")
    monkeypatch.setenv("IEIWATCH_SOURCE_RETRY_DELAY", "0")
    config = _write_config(tmp_path / "c.yaml", site, mail, broken=True)
    report = asyncio.run(monitor(config_path=str(config), database_url=sqlite_url))
    assert [s.status for s in report.sources] == ["ok", "error"]
    assert report.deliveries.sent == 1 and len(mail.messages) == 1


def test_cli_run_prints_a_summary_and_a_second_run_alerts_nothing(
    site: LocalSite,
    mail: MailSink,
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", sqlite_url)
    config = _write_config(tmp_path / "c.yaml", site, mail, broken=False)
    runner = CliRunner()
    first = runner.invoke(app, ["run", "--config", str(config)])
    second = runner.invoke(app, ["run", "--config", str(config)])
    assert first.exit_code == 0, first.output
    assert "lakeside-feed" in first.output and "alerts: 2 sent" in first.output
    assert second.exit_code == 0 and "not_modified" in second.output
    assert "alerts: 0 sent" in second.output and len(mail.messages) == 2
    listed = runner.invoke(app, ["items", "list", "--relevant", "--json"])
    assert listed.exit_code == 0 and listed.output.count('"relevant": true') == 2
    assert '"evidence": [' in listed.output and '"parties": [{' in listed.output
    assert '"publisher": null' in listed.output  # a feed's pages that name no school
    redone = runner.invoke(app, ["reclassify", "--all"])  # the reclassify flow
    assert redone.exit_code == 0 and "3 articles reclassified, 0 changed" in redone.output


def test_cli_run_exits_non_zero_only_when_nothing_could_run(
    mail: MailSink, tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IEIWATCH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("IEIWATCH_SOURCE_RETRIES", "0")
    with LocalSite() as gone:
        dead = gone
    config = _write_config(tmp_path / "c.yaml", dead, mail, broken=True)
    result = CliRunner().invoke(app, ["run", "--config", str(config)])
    assert result.exit_code == 1
    assert "error" in result.output


def test_cli_rejects_a_bad_config_before_anything_runs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - {name: x, kind: rss, url: 'http://x.cn/'}\n", encoding="utf-8")
    for command in ("run", "reclassify"):
        result = CliRunner().invoke(app, [command, "--config", str(bad)])
        assert result.exit_code == 2
        assert "sources[0].kind" in result.output


@pytest.mark.parametrize(
    ("status", "feed_requests", "outcome"), [(503, 2, "ok"), (404, 1, "error")]
)
def test_transient_source_errors_are_retried_and_permanent_ones_are_not(
    site: LocalSite,
    mail: MailSink,
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    feed_requests: int,
    outcome: str,
) -> None:
    from servers import Route

    from ieiwatch.flows.monitor import monitor

    monkeypatch.setenv("IEIWATCH_SOURCE_RETRIES", "2")
    monkeypatch.setenv("IEIWATCH_SOURCE_RETRY_DELAY", "0")
    site.queued["/feed.xml"] = [Route(status)]
    config = _write_config(tmp_path / "c.yaml", site, mail, broken=False)
    report = asyncio.run(monitor(config_path=str(config), database_url=sqlite_url))
    assert report.sources[0].status == outcome
    assert len(site.hits("/feed.xml")) == feed_requests


def test_a_source_past_its_time_limit_is_given_up_and_the_flow_goes_on(
    site: LocalSite,
    mail: MailSink,
    tmp_path: Path,
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from servers import Route

    from ieiwatch.flows.monitor import monitor
    from ieiwatch.flows.page_pool import INLINE_UP_TO, classify_all
    from ieiwatch.flows.polling import RunReport

    config = _write_config(tmp_path / "c.yaml", site, mail, broken=False)
    # What a process does once (import the page readers, load the classifier) and what a
    # pass does first (start the page pool's workers) took the feed source past its second
    # on a slow machine: done first, so that the time limit measures the sources.
    warm_up = f"sqlite:///{tmp_path / 'warm-up.db'}"
    asyncio.run(monitor(config_path=str(config), database_url=warm_up))
    monkeypatch.setenv("IEIWATCH_SOURCE_TIMEOUT", "1")
    site.routes["/list.htm"] = Route(
        200, b"<html></html>", {"Content-Type": "text/html"}, delay=4.0
    )

    async def with_workers_up() -> RunReport:
        await classify_all([("warm-up", "the workers are up")] * (INLINE_UP_TO + 1))
        return await monitor(config_path=str(config), database_url=sqlite_url)

    report = asyncio.run(with_workers_up())
    assert [s.status for s in report.sources] == ["ok", "error"]
    assert "no result within 1s" in report.sources[1].errors[0]
    assert report.deliveries.sent == 1

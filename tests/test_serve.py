"""`ieiwatch serve` against real Prefect servers (its own child server, or the one in
PREFECT_API_URL), the flows it serves, and what a monitor run publishes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from servers import LocalSite, Route
from sqlalchemy import update

from ieiwatch.config.schema import AppConfig, DigestSchedule
from ieiwatch.domain import utcnow
from ieiwatch.flows.deployments import digest_cron, digest_schedules, monitor_groups
from ieiwatch.notify.subscriptions import Subscription
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Delivery

IEIWATCH = [str(Path(sys.executable).parent / "ieiwatch")]
START_TIMEOUT = 150.0


def _config(site: LocalSite) -> dict:
    return {
        "sources": [
            {
                "name": "lakeside-feed",
                "kind": "feed",
                "url": f"{site.url}/feed.xml",
                "interval": 15,
            },
            {
                "name": "nanhu-list",
                "kind": "html",
                "url": f"{site.url}/list.htm",
                "item_selector": "ul.news li",
                "content_selector": "div.article-body",
            },
            {
                "name": "donghu",
                "kind": "html",
                "url": f"{site.url}/backfill/list.htm",
                "cms": "webplus",
                "interval": 15,
            },
            {
                "name": "retired",
                "kind": "feed",
                "url": f"{site.url}/feed.xml",
                "interval": 5,
                "enabled": False,
            },
        ],
        "subscribers": [
            {"name": "daily", "notify": ["json://127.0.0.1:9/a"], "mode": "digest"},
            {"name": "also-daily", "notify": ["json://127.0.0.1:9/b"], "mode": "digest"},
            {
                "name": "weekly",
                "notify": ["json://127.0.0.1:9/c"],
                "mode": "digest",
                "digest": {
                    "every": "weekly",
                    "at": "17:30",
                    "weekday": "sun",
                    "timezone": "Europe/Berlin",
                },
            },
            {"name": "now", "notify": ["json://127.0.0.1:9/d"]},
        ],
    }


def _subscription(name: str, mode: str, digest: DigestSchedule) -> Subscription:
    from ieiwatch.config.schema import Filters

    return Subscription(0, name, (), mode, digest, Filters(), False, "config")


def test_sources_are_grouped_by_interval_and_digests_by_schedule(site: LocalSite) -> None:
    config = AppConfig.model_validate(_config(site))
    groups = monitor_groups(config)
    assert [(g.deployment_name, g.sources) for g in groups] == [
        ("monitor-every-15m", ("lakeside-feed", "donghu")),
        ("monitor-every-30m", ("nanhu-list",)),
    ]
    subs = [_subscription(s.name, s.mode, s.digest) for s in config.subscribers]
    assert digest_schedules(subs) == [
        ("0 8 * * *", "Asia/Shanghai"),
        ("30 17 * * 0", "Europe/Berlin"),
    ]
    assert digest_cron(DigestSchedule(every="weekly", weekday="mon", at="07:05")) == "5 7 * * 1"


@contextmanager
def _serving(
    args: list[str], env: dict[str, str], cwd: Path
) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`ieiwatch serve` as a subprocess; killed with its child server if a test fails."""
    proc = subprocess.Popen(
        [*IEIWATCH, "serve", *args],
        env=env,
        cwd=cwd,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    try:
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for line in lines:  # a child server the failed test left behind
            if (m := re.search(r"starting pid (\d+)", line)) and _alive(int(m.group(1))):
                os.kill(int(m.group(1)), signal.SIGKILL)


def _read_until(proc: subprocess.Popen[str], lines: list[str], marker: str) -> None:
    """Read serve's output until ``marker`` (readline blocks: the deadline is checked per
    line, and serve prints a line at each step of its start)."""
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return
    pytest.fail(f"serve did not print {marker!r}:\n" + "\n".join(lines))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _port_open(url: str) -> bool:
    host, port = re.search(r"//([\d.]+):(\d+)", url).groups()  # type: ignore[union-attr]
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "IEIWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "PREFECT_HOME": str(tmp_path / "client-home"),
        **extra,
    }
    if "PREFECT_API_URL" not in extra:
        env.pop("PREFECT_API_URL", None)
    return env


async def _deployments(api_url: str) -> dict[str, dict]:
    """The server's deployments, through Prefect's client, as JSON."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import DeploymentSort
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: api_url}):
        async with get_client() as client:
            # limit and sort given: left out, the client sends nulls that Prefect's server
            # rejects with fastapi >= 0.151.
            found = await client.read_deployments(limit=50, sort=DeploymentSort.NAME_ASC)
    return {d.name: d.model_dump(mode="json") for d in found}


@pytest.mark.slow
def test_serve_starts_a_server_serves_the_schedules_and_stops_cleanly(
    site: LocalSite, tmp_path: Path, migrated_prefect_db: Path
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump(_config(site)), encoding="utf-8")
    # The home of a serve that ran before: its server finds the database migrated and starts
    # in seconds, where a first start spends 10-30 s migrating it.
    home = tmp_path / "prefect"
    home.mkdir()
    shutil.copyfile(migrated_prefect_db, home / "prefect.db")
    args = ["--config", str(config), "--prefect-home", str(home)]
    with _serving(args, _env(tmp_path), tmp_path) as (proc, lines):
        _read_until(proc, lines, "Ctrl-C stops")
        started = next(line for line in lines if "starting pid" in line)
        server_pid = int(re.search(r"starting pid (\d+)", started).group(1))  # type: ignore[union-attr]
        api_url = re.search(r"on (http://\S+/api)", started).group(1)  # type: ignore[union-attr]
        deployments = asyncio.run(_deployments(api_url))
        ui = re.search(r"\(UI: (http://\S+)\)", "\n".join(lines)).group(1)  # type: ignore[union-attr]
        _the_ui_shows(f"{ui}/deployments", "monitor-every-15m")

        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        lines += out.splitlines()
    assert proc.returncode == 0, "\n".join(lines)
    assert "stopped" in lines and any("prefect server: stopped" in x for x in lines)
    assert not _alive(server_pid) and not _port_open(api_url)

    assert set(deployments) == {
        "monitor-every-15m",
        "monitor-every-30m",
        "digest",
        "retry-deliveries",
        "backfill",
    }
    every15 = deployments["monitor-every-15m"]
    assert every15["parameters"]["sources"] == ["lakeside-feed", "donghu"]
    assert every15["parameters"]["config_path"] == str(config)
    assert [s["schedule"]["interval"] for s in every15["schedules"]] == [900.0]
    assert [s["schedule"]["interval"] for s in deployments["monitor-every-30m"]["schedules"]] == [
        1800.0
    ]
    crons = {
        (s["schedule"]["cron"], s["schedule"]["timezone"])
        for s in deployments["digest"]["schedules"]
    }
    assert crons == {("0 8 * * *", "Asia/Shanghai"), ("30 17 * * 0", "Europe/Berlin")}
    assert [s["schedule"]["interval"] for s in deployments["retry-deliveries"]["schedules"]] == [
        300.0
    ]
    assert deployments["backfill"]["schedules"] == []
    for d in deployments.values():  # runs of one deployment never overlap
        assert d["global_concurrency_limit"]["limit"] == 1, d["name"]
        assert d["entrypoint"].startswith("ieiwatch.flows."), d["entrypoint"]
        assert all(s["active"] for s in d["schedules"])  # not paused on the way out
    assert deployments["monitor-every-15m"]["concurrency_options"]["collision_strategy"] == (
        "CANCEL_NEW"
    )
    assert deployments["backfill"]["concurrency_options"]["collision_strategy"] == "ENQUEUE"


def _the_ui_shows(url: str, text: str) -> None:
    """The printed UI link works in a browser: the UI reaches its API and lists ``text``."""
    from browser import headless_chromium
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with headless_chromium() as driver:
        driver.get(url)  # type: ignore[attr-defined]
        WebDriverWait(driver, 60).until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)


@pytest.mark.slow
@pytest.mark.usefixtures("prefect_api")
def test_serve_uses_the_server_in_prefect_api_url(site: LocalSite, tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    api_url = str(PREFECT_API_URL.value())
    config = tmp_path / "c.yaml"
    only = {**_config(site), "sources": _config(site)["sources"][1:2], "subscribers": []}
    config.write_text(yaml.safe_dump(only), encoding="utf-8")
    env = _env(tmp_path, PREFECT_API_URL=api_url)
    with _serving(["--config", str(config)], env, tmp_path) as (proc, lines):
        _read_until(proc, lines, "Ctrl-C stops")
        deployments = asyncio.run(_deployments(api_url))
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
        lines += out.splitlines()
    assert proc.returncode == 0, "\n".join(lines)
    assert not any("prefect server" in line for line in lines)  # none of its own
    assert {"monitor-every-30m", "digest", "backfill"} <= set(deployments)
    assert deployments["digest"]["schedules"] == []  # no digest subscribers, no schedule


@pytest.mark.usefixtures("prefect_api")
def test_a_monitor_run_of_one_group_publishes_results_and_relevant_items(
    site: LocalSite, tmp_path: Path, sqlite_url: str
) -> None:
    from prefect.settings import PREFECT_API_URL

    from ieiwatch.flows.monitor import monitor

    config = tmp_path / "c.yaml"
    # The fixtures' news is from 2025: a window that makes it news, so that it raises events.
    news = {**_config(site), "subscribers": [], "alert_window_days": 36500}
    config.write_text(yaml.safe_dump(news), encoding="utf-8")
    state = asyncio.run(
        monitor(
            config_path=str(config),
            database_url=sqlite_url,
            sources=["nanhu-list", "gone-source"],
            return_state=True,
        )
    )
    report = asyncio.run(state.aresult())
    run_id = str(state.state_details.flow_run_id)
    assert [(s.name, s.status) for s in report.sources] == [
        ("gone-source", "error"),
        ("nanhu-list", "ok"),
    ]
    assert len(site.hits("/feed.xml")) == 0  # not in the group: not polled
    relevant = report.sources[1].relevant_items
    assert relevant and all(i.id for i in relevant)

    async def published() -> tuple[list, list]:
        async with httpx.AsyncClient(base_url=str(PREFECT_API_URL.value())) as http:
            artifacts = (
                await http.post(
                    "/artifacts/filter",
                    json={
                        "artifacts": {
                            "key": {"any_": ["monitor-summary", "monitor-relevant-items"]}
                        },
                        "flow_runs": {"id": {"any_": [run_id]}},
                        "limit": 50,
                    },
                )
            ).json()
            events = (
                await http.post(
                    "/events/filter",
                    json={
                        "filter": {
                            "event": {"name": ["ieiwatch.item.relevant"]},
                            "related": {"id": [f"prefect.flow-run.{run_id}"]},
                        },
                        "limit": 50,
                    },
                )
            ).json()["events"]
        return artifacts, events

    deadline = time.monotonic() + 30
    artifacts, events = asyncio.run(published())
    while len(events) < len(relevant) and time.monotonic() < deadline:
        time.sleep(0.2)  # events are stored shortly after they arrive
        artifacts, events = asyncio.run(published())
    table = json.loads(next(a["data"] for a in artifacts if a["type"] == "table"))
    assert [row["source"] for row in table] == ["gone-source", "nanhu-list"]
    assert "not in the config" in table[0]["errors"]
    markdown = next(a["data"] for a in artifacts if a["type"] == "markdown")
    assert relevant[0].title in markdown
    assert {e["resource"]["prefect.resource.id"] for e in events} == {
        f"ieiwatch.article.{i.id}" for i in relevant
    }
    payload = events[0]["payload"]
    assert payload["source"] == "nanhu-list" and payload["origin"] == "monitor"
    assert payload["type"] and isinstance(payload["parties"], list)


@pytest.mark.usefixtures("prefect_api")
def test_retry_deliveries_flow_sends_what_is_due(
    site: LocalSite, receiver: LocalSite, tmp_path: Path, sqlite_url: str
) -> None:
    from ieiwatch.flows.delivery import retry_deliveries
    from ieiwatch.flows.monitor import monitor

    hook = receiver.url.replace("http://", "json://") + "/hook"
    receiver.queued["/hook"] = [Route(500)] * 10  # down during the monitor run
    config = tmp_path / "c.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "sources": _config(site)["sources"][1:2],
                "subscribers": [{"name": "ops", "notify": [hook]}],
                "alert_window_days": 36500,
            }
        ),
        encoding="utf-8",
    )
    report = asyncio.run(monitor(config_path=str(config), database_url=sqlite_url))
    assert report.deliveries.sent == 0 and report.deliveries.failed >= 1
    receiver.queued["/hook"] = []  # back up; and the backoff is over:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    engine.dispose()
    retried = asyncio.run(retry_deliveries(config_path=str(config), database_url=sqlite_url))
    assert retried.sent == report.deliveries.failed and retried.failed == 0
    assert len(receiver.received) == retried.sent

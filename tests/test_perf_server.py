"""A one-shot `ieiwatch run` uses the Prefect server `ieiwatch serve` keeps running (found
through the state file in its home) instead of starting a temporary one each time."""

import asyncio
import json
import os
from contextlib import suppress
from pathlib import Path

import httpx
from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL, temporary_settings
from servers import LocalSite

from ieiwatch.flows.local_server import (
    STATE_FILE,
    LocalPrefectServer,
    free_port,
    prefect_for_one_run,
    running_server,
)


def _flow_runs(api_url: str) -> int:
    return int(httpx.post(f"{api_url}/flow_runs/count", json={}, timeout=10).json())


def test_a_server_that_answers_is_found_through_its_state_file(
    prefect_server: LocalPrefectServer,
) -> None:
    assert running_server(prefect_server.home) == prefect_server.api_url


def test_a_missing_stale_or_silent_server_is_not_used(tmp_path: Path) -> None:
    assert running_server(tmp_path) is None  # no state file
    silent = {"api_url": f"http://127.0.0.1:{free_port()}/api", "pid": os.getpid()}
    (tmp_path / STATE_FILE).write_text(json.dumps(silent))
    assert running_server(tmp_path) is None  # nothing answers there
    (tmp_path / STATE_FILE).write_text("{not json")
    assert running_server(tmp_path) is None
    with (
        temporary_settings(restore_defaults={PREFECT_API_URL}),
        prefect_for_one_run(tmp_path) as api_url,
    ):
        assert api_url is None and not PREFECT_API_URL.value()


def test_a_one_shot_run_goes_to_the_running_server(
    prefect_server: LocalPrefectServer, site: LocalSite, sqlite_url: str, tmp_path: Path
) -> None:
    from ieiwatch.flows.monitor import monitor

    config = tmp_path / "c.yaml"
    config.write_text(
        f"sources:\n  - name: lakeside\n    kind: feed\n    url: {site.url}/feed.xml\n",
        encoding="utf-8",
    )
    before = _flow_runs(prefect_server.api_url)
    with (
        temporary_settings(restore_defaults={PREFECT_API_URL}),
        prefect_for_one_run(prefect_server.home) as api_url,
    ):
        report = asyncio.run(monitor(config_path=str(config), database_url=sqlite_url))
        # What is still queued goes out while the settings point at the server.
        with suppress(RuntimeError):  # the log worker never started
            APILogWorker.instance().drain()
        EventsWorker.drain_all()
    assert api_url == prefect_server.api_url
    assert report.sources[0].new == 2
    assert _flow_runs(prefect_server.api_url) == before + 1


def test_the_state_file_goes_when_the_server_stops(tmp_path: Path) -> None:
    server = LocalPrefectServer(tmp_path)
    (tmp_path / STATE_FILE).write_text(json.dumps({"api_url": server.api_url, "pid": 1}))
    server.stop()
    assert not (tmp_path / STATE_FILE).exists()

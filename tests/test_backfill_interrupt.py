"""Ctrl-C during `ieiwatch backfill` says how to resume, and the rerun resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from servers import LocalSite, Route

from ieiwatch.flows.local_server import LocalPrefectServer

IEIWATCH = [str(Path(sys.executable).parent / "ieiwatch")]


def _wait_for_request(site: LocalSite, path: str, timeout: float = 120) -> None:
    """Until the backfill asks for ``path`` (it then hangs there: the route is slow)."""
    deadline = time.monotonic() + timeout
    while not site.hits(path):
        assert time.monotonic() < deadline, f"{path} was never requested"
        threading.Event().wait(0.05)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow
def test_ctrl_c_says_the_same_command_resumes_and_it_does(
    site: LocalSite, tmp_path: Path, prefect_server: LocalPrefectServer
) -> None:
    config = tmp_path / "c.yaml"
    source = {
        "name": "donghu",
        "kind": "html",
        "url": f"{site.url}/backfill/list.htm",
        "cms": "webplus",
    }
    config.write_text(yaml.safe_dump({"sources": [source]}), encoding="utf-8")
    env = {
        **os.environ,
        "IEIWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "PREFECT_API_URL": prefect_server.api_url,
    }
    page2 = (Path(__file__).parent / "data/site/backfill/list2.htm").read_bytes()
    site.routes["/backfill/list2.htm"] = Route(body=page2, delay=60)
    command = [*IEIWATCH, "backfill", "--source", "donghu", "--config", str(config)]

    proc = subprocess.Popen(
        command,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        # Ctrl-C as a terminal sends it: a suite started as a background job has SIGINT
        # ignored, and a child would inherit that and never see the signal.
        preexec_fn=_default_sigint,
    )
    try:
        _wait_for_request(site, "/backfill/list2.htm")
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, out
    assert "run the same command again to resume" in out

    del site.routes["/backfill/list2.htm"]
    rerun = subprocess.run(command, env=env, text=True, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert (
        len(site.hits("/backfill/list.htm")) == 1
    )  # page 1 was checkpointed: the rerun started at page 2

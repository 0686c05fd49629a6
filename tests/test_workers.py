"""Scale-out for real: a Prefect server on PostgreSQL, a process work pool, two
`prefect worker start` processes, and several monitor runs at once over the same local
sources into one PostgreSQL database. Every item must be stored once and every alert
delivered once. Also: prefect.yaml's deployments load.

Slow (about a minute): it is marked so, and `make test` runs it. It needs PostgreSQL on
127.0.0.1:5432 (or IEIWATCH_TEST_POSTGRES_URL) and is skipped, saying so, without it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from servers import LocalSite, Route
from sqlmodel import select

from ieiwatch.demo.mail_sink import MailSink
from ieiwatch.flows.local_server import LocalPrefectServer
from ieiwatch.storage.db import make_engine, session_scope
from ieiwatch.storage.models import Article, Delivery

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
BIN = Path(sys.executable).parent
POOL = "ieiwatch-test"
RUNS = 4
RUN_TIMEOUT = 150.0

# Items of the three sources (an article of /art/102.htm is on two of them); the relevant
# ones are the four cooperation stories.
EXPECTED_PATHS = {
    "/art/101.htm",
    "/art/102.htm",
    "/art/201.htm",
    "/backfill/info/1.htm",
    "/backfill/info/2.htm",
    "/backfill/info/3.htm",
}
RELEVANT = 4


# The Prefect server on PostgreSQL is conftest's `prefect_on_postgres`: started with the
# session, so that its start-up overlaps the other tests.


@pytest.fixture
def slow_sources() -> Iterator[LocalSite]:
    """tests/data/site, with the listings answering after a second: runs overlap, and one
    worker (limit 2) cannot take all of them."""
    with LocalSite(DATA / "site") as site:
        site.content_types = {".htm": "text/html", ".xml": "application/rss+xml"}
        for path, kind in (
            ("/feed.xml", "application/rss+xml"),
            ("/list.htm", "text/html"),
            ("/backfill/list.htm", "text/html"),
        ):
            body = (DATA / "site" / path.lstrip("/")).read_bytes()
            site.routes[path] = Route(200, body, {"Content-Type": kind}, delay=1.0)
        yield site


class Workers:
    """`prefect worker start` processes, each in a session of its own so that stopping one
    also stops the flow runs it started."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path, self.env = tmp_path, env
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def start(self, name: str) -> None:
        log = self.tmp_path / f"{name}.log"
        env = {**self.env, "PREFECT_HOME": str(self.tmp_path / f"{name}-home")}
        with log.open("wb") as out:
            self.procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "prefect"),
                        "worker",
                        "start",
                        "--pool",
                        POOL,
                        "--name",
                        name,
                        "--limit",
                        "2",
                    ],
                    env=env,
                    cwd=self.tmp_path,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        self.logs.append(log)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)

    def ran(self, run_ids: list[str]) -> list[int]:
        """How many of the runs each worker's log names."""
        texts = [log.read_text(errors="replace") for log in self.logs]
        return [sum(run_id in t for run_id in run_ids) for t in texts]


@contextmanager
def _running(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """A command running alongside the test's next steps; killed if they fail."""
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _prefect(*args: str, env: dict[str, str]) -> None:
    done = subprocess.run(
        [str(BIN / "prefect"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


async def _deploy_burst(api_url: str) -> str:
    """The monitor flow for the pool, without the concurrency limit of the scheduled
    deployments (the point here is runs that overlap)."""
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.types.entrypoint import EntrypointType

    from ieiwatch.flows.monitor import monitor

    with temporary_settings({PREFECT_API_URL: api_url}):
        deployment = await monitor.ato_deployment(
            name="burst", work_pool_name=POOL, entrypoint_type=EntrypointType.MODULE_PATH
        )
        return str(await deployment.aapply())


async def _start_runs(api_url: str, deployment_id: str, count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        answers = await asyncio.gather(
            *(
                http.post(f"/deployments/{deployment_id}/create_flow_run", json={})
                for _ in range(count)
            )
        )
    return [a.raise_for_status().json()["id"] for a in answers]


async def _wait_for(api_url: str, run_ids: list[str], timeout: float) -> list[dict]:
    """The runs once all are over (polling the API until a deadline)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        while True:
            runs = (
                await http.post(
                    "/flow_runs/filter", json={"flow_runs": {"id": {"any_": run_ids}}, "limit": 50}
                )
            ).json()
            states = {r["id"]: r["state_type"] for r in runs}
            final = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
            if len(states) == len(run_ids) and set(states.values()) <= final:
                return runs
            if time.monotonic() > deadline:
                pytest.fail(f"runs not finished after {timeout:.0f} s: {states}")
            await asyncio.sleep(0.25)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_running_monitor_at_once_store_and_alert_everything_once(
    prefect_on_postgres: LocalPrefectServer,
    postgres_schema: str,
    slow_sources: LocalSite,
    mail: MailSink,
    receiver: LocalSite,
    tmp_path: Path,
) -> None:
    api_url = prefect_on_postgres.api_url
    config = tmp_path / "ieiwatch.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "name": "lakeside-feed",
                        "kind": "feed",
                        "url": f"{slow_sources.url}/feed.xml",
                    },
                    {
                        "name": "nanhu-list",
                        "kind": "html",
                        "url": f"{slow_sources.url}/list.htm",
                        "item_selector": "ul.news li",
                        "content_selector": "div.article-body",
                    },
                    {
                        "name": "donghu",
                        "kind": "html",
                        "cms": "webplus",
                        "url": f"{slow_sources.url}/backfill/list.htm",
                    },
                ],
                "subscribers": [
                    {
                        "name": "analyst",
                        "notify": [
                            mail.apprise_url(),
                            receiver.url.replace("http://", "json://") + "/hook",
                        ],
                    }
                ],
                "alert_window_days": 36500,
            }
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PREFECT_API_URL": api_url,
        "IEIWATCH_CONFIG": str(config),
        "IEIWATCH_DATABASE_URL": postgres_schema,
        "IEIWATCH_HTTP_HOST_DELAY": "0",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_HOME": str(tmp_path / "cli-home"),
    }
    env.pop("PREFECT_API_DATABASE_CONNECTION_URL", None)  # the server's, not the clients'

    _prefect("work-pool", "create", POOL, "--type", "process", env=env)
    # The deployments `ieiwatch deploy` makes for a pool (scheduled, never overlapping) …
    # (Its own database: the runs below are to find an empty one and race to create it.)
    deploy_env = {**env, "IEIWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.db'}"}
    with _running([str(BIN / "ieiwatch"), "deploy", "--pool", POOL], deploy_env) as deploying:
        # … and, made meanwhile, one without a limit, to run several monitor passes at once.
        burst = asyncio.run(_deploy_burst(api_url))
        stdout, stderr = deploying.communicate(timeout=120)
    assert deploying.returncode == 0, stdout + stderr
    assert "deployed monitor/monitor-every-30m: every 30 min (pool" in stdout
    # The runs are there before the workers: a worker takes the earliest first, so none of
    # its slots goes to the first scheduled run of `ieiwatch deploy`'s deployments (due 10 s
    # after them), which would hold one of the four back.
    run_ids = asyncio.run(_start_runs(api_url, burst, RUNS))

    workers = Workers(tmp_path, env)
    try:
        workers.start("worker-1")
        workers.start("worker-2")
        runs = asyncio.run(_wait_for(api_url, run_ids, RUN_TIMEOUT))
    finally:
        workers.stop()
    assert {r["state_type"] for r in runs} == {"COMPLETED"}, (
        [(r["name"], r["state_type"]) for r in runs],
        [log.read_text(errors="replace")[-3000:] for log in workers.logs],
    )
    assert all(n >= 1 for n in workers.ran(run_ids)), workers.ran(run_ids)
    # They did run at once: the last to start began before the first to end had ended.
    assert max(r["start_time"] for r in runs) < min(r["end_time"] for r in runs)

    engine = make_engine(postgres_schema)
    with session_scope(engine) as session:
        urls = [a.url for a in session.exec(select(Article))]
        deliveries = list(session.exec(select(Delivery)))
    engine.dispose()
    paths = Counter("/" + u.split("/", 3)[3] for u in urls)
    assert set(paths) == EXPECTED_PATHS and set(paths.values()) == {1}
    assert len(deliveries) == 2 * RELEVANT  # two channels
    assert {d.status for d in deliveries} == {"sent"}
    subjects = Counter(m["Subject"] for m in mail.messages)
    assert len(subjects) == RELEVANT and set(subjects.values()) == {1}
    bodies = Counter(r.body for r in receiver.received)
    assert len(bodies) == RELEVANT and set(bodies.values()) == {1}


def test_prefect_yaml_deployments_load_their_flows() -> None:
    """What `prefect deploy --all` reads: each entrypoint loads (from the repository root)
    and its parameters fit the flow."""
    from prefect.flows import load_flow_from_entrypoint

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    names = {d["name"] for d in spec["deployments"]}
    assert names == {"monitor", "digest", "retry-deliveries", "backfill"}
    cwd = Path.cwd()
    try:
        os.chdir(REPO)
        for deployment in spec["deployments"]:
            flow = load_flow_from_entrypoint(deployment["entrypoint"])
            if deployment["name"] != "backfill":  # its source comes with each run
                flow.validate_parameters(deployment.get("parameters") or {})
            assert deployment["work_pool"]["name"] == "ieiwatch"
            assert deployment["concurrency_limit"]["limit"] == 1
    finally:
        os.chdir(cwd)
    assert spec["pull"][0]["prefect.deployments.steps.set_working_directory"]["directory"] == (
        "{{ $IEIWATCH_HOME }}"
    )

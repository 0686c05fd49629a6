"""``ieiwatch serve``: one long-lived process serving ieiwatch's Prefect deployments.

* ``monitor/monitor-every-{N}m``: one per distinct source ``interval`` (minutes), polling
  that group's sources (the flow's ``sources`` parameter);
* ``digest/digest``: on each digest subscriber's schedule (cron in their time zone);
* ``retry-deliveries/retry-deliveries``: every few minutes;
* ``backfill/backfill``: no schedule, for ``prefect deployment run 'backfill/backfill'``.

Runs of one deployment never overlap: a scheduled run that finds the previous one still
going is cancelled (the next interval comes soon enough), a backfill waits its turn.

Prefect only schedules runs on a real server (its ephemeral API never does, silently). When
``PREFECT_API_URL`` is not set, this starts ``prefect server start`` (SQLite under
``PREFECT_HOME``, default ``data/prefect``) on 127.0.0.1 as a child process, and stops it
after the runner on Ctrl-C or SIGTERM. Deployment schedules are not paused on the way out,
so a restarted ``serve`` carries on.

``deploy`` creates the same deployments on a shared server for a work pool's workers
(``ieiwatch deploy --pool NAME``); their runs read the worker machine's ``IEIWATCH_CONFIG``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron, Interval
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.types.entrypoint import EntrypointType

from ieiwatch.config.schema import WEEKDAYS, AppConfig, DigestSchedule
from ieiwatch.notify.subscriptions import Subscription
from ieiwatch.storage.types import utcnow

Announce = Callable[[str], None]

RETRY_EVERY_MINUTES = 5
FIRST_RUN_DELAY = timedelta(seconds=10)
"""The first monitor run of each group starts this soon after serving begins."""
SERVER_START_TIMEOUT = 180.0
"""Seconds for a fresh ``prefect server start`` (database migrations included)."""
STOP_TIMEOUT = 30.0
TAGS = ["ieiwatch"]
# A scheduled run colliding with the previous one is dropped; a manual backfill waits.
SKIP_IF_RUNNING = ConcurrencyLimitConfig(
    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW)
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


class ServeError(RuntimeError):
    """Serving could not start, or its Prefect server went away."""


@dataclass(frozen=True)
class MonitorGroup:
    interval: int
    """Minutes."""
    sources: tuple[str, ...]

    @property
    def deployment_name(self) -> str:
        return f"monitor-every-{self.interval}m"


def monitor_groups(config: AppConfig) -> list[MonitorGroup]:
    """Enabled sources grouped by their ``interval``, shortest first."""
    groups: dict[int, list[str]] = {}
    for source in config.sources:
        if source.enabled:
            groups.setdefault(source.interval, []).append(source.name)
    return [MonitorGroup(minutes, tuple(names)) for minutes, names in sorted(groups.items())]


def digest_cron(schedule: DigestSchedule) -> str:
    """Cron for a digest schedule, read in the schedule's own time zone."""
    hour, minute = (int(x) for x in schedule.at.split(":"))
    # Cron counts weekdays from Sunday = 0; WEEKDAYS starts on Monday.
    weekday = "*" if schedule.every == "daily" else str((WEEKDAYS.index(schedule.weekday) + 1) % 7)
    return f"{minute} {hour} * * {weekday}"


def digest_schedules(subscriptions: Sequence[Subscription]) -> list[tuple[str, str]]:
    """The distinct (cron, time zone) pairs of the active digest subscribers."""
    wanted = {(digest_cron(s.digest), s.digest.timezone)
              for s in subscriptions if s.mode == "digest" and not s.paused}
    return sorted(wanted)


async def build_deployments(
    config: AppConfig, subscriptions: Sequence[Subscription], *,
    config_path: Path | None, retry_minutes: int = RETRY_EVERY_MINUTES,
    work_pool: str | None = None,
) -> list[RunnerDeployment]:
    """The deployments for this config: served here, or for a work pool's workers.

    Without ``config_path`` the runs read the config their machine names
    (``IEIWATCH_CONFIG``), as workers on other machines must.
    """
    # Imported here: the flows pull in the scrapers and the classifier.
    from ieiwatch.flows.backfill import backfill
    from ieiwatch.flows.delivery import digest, retry_deliveries
    from ieiwatch.flows.monitor import monitor

    common = {"config_path": str(config_path.resolve())} if config_path else {}
    # Entrypoints by module path: a run's process imports the installed ieiwatch, whatever
    # its working directory (a worker's runs need no checkout and no pull step).
    module = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": TAGS,
              "work_pool_name": work_pool}
    first_run = utcnow() + FIRST_RUN_DELAY
    deployments = [
        await monitor.ato_deployment(
            name=group.deployment_name,
            schedules=[Interval(timedelta(minutes=group.interval), anchor_date=first_run)],
            parameters={**common, "sources": list(group.sources)},
            concurrency_limit=SKIP_IF_RUNNING,
            description=f"Poll {', '.join(group.sources)} every {group.interval} minutes.",
            **module,
        )
        for group in monitor_groups(config)
    ]
    deployments.append(await digest.ato_deployment(
        name="digest",
        schedules=[Cron(cron, timezone=zone) for cron, zone in digest_schedules(subscriptions)],
        parameters=common, concurrency_limit=SKIP_IF_RUNNING,
        description="Send the digests that are due.", **module,
    ))
    deployments.append(await retry_deliveries.ato_deployment(
        name="retry-deliveries",
        schedules=[Interval(timedelta(minutes=retry_minutes))],
        parameters=common, concurrency_limit=SKIP_IF_RUNNING,
        description="Send every alert that is due, retries included.", **module,
    ))
    deployments.append(await backfill.ato_deployment(
        name="backfill", parameters=common, concurrency_limit=ONE_AT_A_TIME,
        description="Walk a source's history: --param source=NAME [--param since=YYYY-MM-DD]",
        **module,
    ))
    return deployments


def describe(deployment: RunnerDeployment) -> str:
    schedules = [_schedule_text(s.schedule) for s in deployment.schedules or []]
    return f"{deployment.flow_name}/{deployment.name}: {', '.join(schedules) or 'on demand'}"


def _schedule_text(schedule: object) -> str:
    interval = getattr(schedule, "interval", None)
    if interval is not None:
        return f"every {int(interval.total_seconds() // 60)} min"
    return f"cron {getattr(schedule, 'cron', '?')} ({getattr(schedule, 'timezone', 'UTC')})"


class LocalPrefectServer:
    """``prefect server start`` as a child process: SQLite under ``home``, on loopback.

    It gets a session of its own, so a Ctrl-C in the terminal reaches ``serve`` only, which
    then stops the runner first and the server last.
    """

    def __init__(self, home: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.home = home.resolve()
        self.host = host
        self.port = port or free_port(host)
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PREFECT_HOME": str(self.home),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host,
                 "--port", str(self.port)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def wait_healthy(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise ServeError(f"prefect server exited at start: {self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{self.api_url}/health")).status_code == 200:
                        return
                await asyncio.sleep(0.5)
        self.stop()
        raise ServeError(f"prefect server did not answer within {timeout:.0f} s "
                         f"(log: {self.log_path})")

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def api_url_configured() -> bool:
    return bool(PREFECT_API_URL.value())


async def check_reachable(api_url: str) -> None:
    """Fail early, and say where, when the configured Prefect server does not answer."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            (await client.get(f"{api_url.rstrip('/')}/health")).raise_for_status()
    except httpx.HTTPError as exc:
        raise ServeError(f"no Prefect server answers at PREFECT_API_URL={api_url} "
                         f"({type(exc).__name__}: {exc})") from None


@contextlib.contextmanager
def _pointed_at(api_url: str) -> Iterator[None]:
    """This process and the flow runs it starts talk to ``api_url``."""
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = api_url
    try:
        with temporary_settings({PREFECT_API_URL: api_url}):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous


async def serve(
    config: AppConfig,
    config_path: Path,
    subscriptions: Sequence[Subscription],
    *,
    prefect_home: Path,
    prefect_port: int = 0,
    limit: int | None = None,
    retry_minutes: int = RETRY_EVERY_MINUTES,
    announce: Announce = print,
) -> None:
    """Serve until SIGINT or SIGTERM; start (and stop) a local server if none is set."""
    server: LocalPrefectServer | None = None
    if api_url_configured():
        await check_reachable(str(PREFECT_API_URL.value()))
    else:
        server = LocalPrefectServer(prefect_home, prefect_port)
        server.start()
        announce(f"prefect server: starting pid {server.pid} on {server.api_url} "
                 f"(PREFECT_HOME {server.home}, log {server.log_path})")
    try:
        if server is not None:
            await server.wait_healthy()
            announce(f"prefect server: ready at {server.api_url} "
                     f"(UI: {server.api_url.removesuffix('/api')})")
        with _pointed_at(server.api_url) if server else contextlib.nullcontext():
            deployments = await build_deployments(config, subscriptions,
                                                  config_path=config_path,
                                                  retry_minutes=retry_minutes)
            await _serve_until_stopped(deployments, server, limit, announce)
    finally:
        if server is not None:
            server.stop()
            announce(f"prefect server: stopped (pid {server.pid})")


async def _serve_until_stopped(
    deployments: Sequence[RunnerDeployment], server: LocalPrefectServer | None,
    limit: int | None, announce: Announce,
) -> None:
    runner = Runner(name="ieiwatch-serve", pause_on_shutdown=False, limit=limit)
    for deployment in deployments:
        await runner.aadd_deployment(deployment)
        announce(f"serving {describe(deployment)}")
    stop = asyncio.Event()
    running = asyncio.create_task(runner.start())
    # Runner.start() installs a SIGTERM handler that calls sys.exit(); let it run that far,
    # then put ours in its place so both signals take the same orderly way out.
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    announce("serving; Ctrl-C stops")
    watchers = [asyncio.create_task(stop.wait()), running]
    if server is not None:
        watchers.append(asyncio.create_task(_watch(server)))
    try:
        await asyncio.wait(watchers, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await _stop_runner(runner, running)
        for task in watchers:
            task.cancel()
    if not stop.is_set():
        _why_it_ended(running, server)
    announce("stopped")


def _why_it_ended(running: asyncio.Task[None], server: LocalPrefectServer | None) -> None:
    """Nobody asked to stop: the server died, or the runner gave up."""
    if server is not None and not server.alive():
        raise ServeError(f"prefect server exited: {server.log_tail()}")
    if running.done() and not running.cancelled() and running.exception() is not None:
        raise ServeError(f"the runner stopped: {running.exception()}") from running.exception()


async def _watch(server: LocalPrefectServer) -> None:
    while server.alive():
        await asyncio.sleep(1)


async def _stop_runner(runner: Runner, running: asyncio.Task[None]) -> None:
    if runner.started:
        with contextlib.suppress(Exception):
            await runner.astop()
    # Its outcome is read by _why_it_ended; here it only has to be over.
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await asyncio.wait_for(asyncio.shield(running), STOP_TIMEOUT)


async def deploy(
    config: AppConfig, subscriptions: Sequence[Subscription], *, work_pool: str,
    retry_minutes: int = RETRY_EVERY_MINUTES, announce: Announce = print,
) -> list[str]:
    """Create or update the deployments on the Prefect server for ``work_pool``'s workers;
    returns their names. The runs read their machine's ``IEIWATCH_CONFIG``."""
    await check_reachable(str(PREFECT_API_URL.value()))
    deployments = await build_deployments(config, subscriptions, config_path=None,
                                          retry_minutes=retry_minutes, work_pool=work_pool)
    names = []
    for deployment in deployments:
        await deployment.aapply()
        names.append(f"{deployment.flow_name}/{deployment.name}")
        announce(f"deployed {describe(deployment)} (pool {work_pool})")
    return names

"""``ieiwatch serve``: one long-lived process serving ieiwatch's Prefect deployments.

Prefect only schedules runs on a real server (its ephemeral API never does, silently). When
``PREFECT_API_URL`` is not set, this starts ``prefect server start`` (SQLite under
``PREFECT_HOME``, default ``prefect/`` in the user data directory) on 127.0.0.1 as a child
process, and stops it after the runner on Ctrl-C or SIGTERM. Deployment schedules are not
paused on the way out, so a restarted ``serve`` carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Iterator, Sequence
from pathlib import Path

from prefect.deployments.runner import RunnerDeployment
from prefect.runner import Runner
from prefect.settings import PREFECT_API_URL, temporary_settings

from ieiwatch.config.schema import AppConfig
from ieiwatch.flows.deployments import (
    RETRY_EVERY_MINUTES,
    Announce,
    ServeError,
    api_url_configured,
    build_deployments,
    check_reachable,
    describe,
)
from ieiwatch.flows.local_server import STOP_TIMEOUT, LocalPrefectServer
from ieiwatch.notify.subscriptions import Subscription


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
        announce(
            f"prefect server: starting pid {server.pid} on {server.api_url} "
            f"(PREFECT_HOME {server.home}, log {server.log_path})"
        )
    try:
        if server is not None:
            await server.wait_healthy()
            announce(
                f"prefect server: ready at {server.api_url} "
                f"(UI: {server.api_url.removesuffix('/api')})"
            )
        with _pointed_at(server.api_url) if server else contextlib.nullcontext():
            deployments = await build_deployments(
                config, subscriptions, config_path=config_path, retry_minutes=retry_minutes
            )
            await _serve_until_stopped(deployments, server, limit, announce)
    finally:
        if server is not None:
            server.stop()
            announce(f"prefect server: stopped (pid {server.pid})")


async def _serve_until_stopped(
    deployments: Sequence[RunnerDeployment],
    server: LocalPrefectServer | None,
    limit: int | None,
    announce: Announce,
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

"""``ieiwatch serve`` (schedules in one long-lived process) and ``ieiwatch deploy`` (the same
deployments for a work pool's workers); see flows/serve.py and flows/deployments.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ieiwatch.cli.common import DEFAULT_PREFECT_HOME, ConfigOption, fail, load_or_exit
from ieiwatch.cli.web import HostOption, PortOption, web_settings
from ieiwatch.config.schema import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.flows.runtime import open_store
from ieiwatch.notify.subscriptions import Subscription, load_subscriptions
from ieiwatch.storage.db import session_scope
from ieiwatch.web.settings import WebError

if TYPE_CHECKING:
    from ieiwatch.web.server import BackgroundWeb


def serve_command(
    config: ConfigOption = None,
    prefect_port: Annotated[
        int,
        typer.Option(
            envvar="IEIWATCH_PREFECT_PORT",
            help="Port of the local Prefect server started when PREFECT_API_URL is unset "
            "(0: a free one).",
        ),
    ] = 0,
    prefect_home: Annotated[
        Path,
        typer.Option(
            envvar="IEIWATCH_PREFECT_HOME",
            help="PREFECT_HOME of that local server (its SQLite database and log).",
        ),
    ] = DEFAULT_PREFECT_HOME,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many flow runs at once in this process.")
    ] = None,
    retry_minutes: Annotated[
        int, typer.Option(min=1, help="Minutes between retry-deliveries runs.")
    ] = 5,
    web: Annotated[
        bool, typer.Option("--web/--no-web", help="Also serve the web app (ieiwatch web).")
    ] = True,
    web_host: HostOption = None,
    web_port: PortOption = None,
) -> None:
    """Serve the monitor, digest, retry-deliveries and backfill deployments until Ctrl-C,
    and the web app beside them."""
    settings, app_config = load_or_exit(config)
    from ieiwatch.flows.serve import ServeError, serve

    subscriptions = _prepared(settings, app_config)
    beside = _web_beside(settings, app_config, config, web_host, web_port) if web else None
    try:
        asyncio.run(
            serve(
                app_config,
                config or settings.config_path,
                subscriptions,
                prefect_home=prefect_home,
                prefect_port=prefect_port,
                limit=limit,
                retry_minutes=retry_minutes,
                announce=typer.echo,
            )
        )
    except ServeError as exc:
        raise fail(f"serve: {exc}") from None
    finally:
        if beside is not None:
            beside.stop()


def _web_beside(
    settings: Settings,
    config: AppConfig,
    path: Path | None,
    host: str | None,
    port: int | None,
) -> BackgroundWeb | None:
    """The web app, listening in a thread of this process before the schedules start."""
    from ieiwatch.web.server import BackgroundWeb, build, url_of

    web = web_settings(host, port)
    try:
        app, _engine = build(settings, config, path or settings.config_path, web)
    except WebError as exc:
        raise fail(f"serve: web app: {exc} (or --no-web)") from None
    beside = BackgroundWeb(app, web)
    try:
        beside.start()
    except WebError as exc:
        # Monitoring matters more than the pages: say so, and go on without them.
        typer.echo(f"serve: web app not started: {exc} (choose --web-port)", err=True)
        return None
    typer.echo(f"web app: {url_of(web)}")
    return beside


def deploy_command(
    pool: Annotated[str, typer.Option("--pool", help="The work pool whose workers run them.")],
    config: ConfigOption = None,
    retry_minutes: Annotated[
        int, typer.Option(min=1, help="Minutes between retry-deliveries runs.")
    ] = 5,
) -> None:
    """Create the same deployments on the Prefect server at PREFECT_API_URL, for a work pool
    (sources grouped by interval, digests at their subscribers' hours)."""
    settings, app_config = load_or_exit(config)
    from ieiwatch.flows.deployments import ServeError, api_url_configured, deploy

    if not api_url_configured():
        raise fail(
            "deploy: set PREFECT_API_URL to the Prefect server's API "
            "(e.g. http://prefect.example.org:4200/api)"
        )
    subscriptions = _prepared(settings, app_config)
    try:
        asyncio.run(
            deploy(
                app_config,
                subscriptions,
                work_pool=pool,
                retry_minutes=retry_minutes,
                announce=typer.echo,
            )
        )
    except ServeError as exc:
        raise fail(f"deploy: {exc}") from None
    typer.echo(f"start workers with: prefect worker start --pool {pool}")


def _prepared(settings: Settings, config: AppConfig) -> list[Subscription]:
    """Migrate and sync the database once here, before any run races to do it; the
    subscribers whose digests get schedules."""
    engine = open_store(settings, config)
    try:
        with session_scope(engine) as session:
            return load_subscriptions(session, config)
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("deploy")(deploy_command)

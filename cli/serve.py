"""``ieiwatch serve`` (schedules in one long-lived process) and ``ieiwatch deploy`` (the same
deployments for a work pool's workers); see flows/serve.py and flows/deployments.py."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from ieiwatch.cli.common import ConfigOption, fail, load_or_exit
from ieiwatch.config.schema import AppConfig
from ieiwatch.config.settings import Settings
from ieiwatch.flows.runtime import open_store
from ieiwatch.notify.subscriptions import Subscription, load_subscriptions
from ieiwatch.storage.db import session_scope


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
    ] = Path("data/prefect"),
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many flow runs at once in this process.")
    ] = None,
    retry_minutes: Annotated[
        int, typer.Option(min=1, help="Minutes between retry-deliveries runs.")
    ] = 5,
) -> None:
    """Serve the monitor, digest, retry-deliveries and backfill deployments until Ctrl-C."""
    settings, app_config = load_or_exit(config)
    from ieiwatch.flows.serve import ServeError, serve

    subscriptions = _prepared(settings, app_config)
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

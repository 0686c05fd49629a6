"""``ieiwatch deliveries list [--failed]`` and ``ieiwatch deliveries retry``."""

from __future__ import annotations

from typing import Annotated

import typer

from ieiwatch.cli.common import ConfigOption, command_group, load_or_exit, shown
from ieiwatch.flows.runtime import open_store, read_store
from ieiwatch.notify.render import format_date
from ieiwatch.notify.sending import deliver_due
from ieiwatch.storage.deliveries import Outbox, list_deliveries
from ieiwatch.storage.subscribers import subscriber_names

deliveries_app = command_group("The alert outbox.")


@deliveries_app.command("list")
def list_(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only failed and given-up ones.")
    ] = False,
    limit: Annotated[int, typer.Option()] = 50,
    config: ConfigOption = None,
) -> None:
    """Deliveries, newest first: status, attempts, next try and last error."""
    settings, _ = load_or_exit(config)
    with read_store(settings) as session:
        rows = list_deliveries(session, failed_only=failed, limit=limit) if session else []
        names = subscriber_names(session) if session else {}
    for d in rows:
        retry = f" next try {d.next_attempt_at:%Y-%m-%d %H:%M}Z" if d.next_attempt_at else ""
        typer.echo(
            f"#{d.id} {d.status:<7} {d.kind:<7} {names.get(d.subscriber_id, '?')} "
            f"→ {d.channel}  story {d.story_id}, {d.attempts} attempts{retry}"
            f"  (created {format_date(d.created_at)})"
        )
        if d.last_error:
            typer.echo(f"      last error: {shown(d.last_error, 2000)}")
    if not rows:
        typer.echo("no deliveries" + (" failed" if failed else ""))


@deliveries_app.command("retry")
def retry(config: ConfigOption = None) -> None:
    """Retry every failed, not yet dead delivery now, whatever its next-try time."""
    settings, app_config = load_or_exit(config)
    engine = open_store(settings, app_config)
    try:
        outbox = Outbox(engine)
        count = outbox.retry_now()
        report = deliver_due(outbox, app_config)
    finally:
        engine.dispose()
    typer.echo(
        f"{count} failed made due again; {report.sent} sent, {report.failed} failed "
        f"again, {report.dead} given up"
    )
    for error in report.errors:
        typer.echo(f"    ! {error}")
    if report.failed or report.dead:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(deliveries_app, name="deliveries")

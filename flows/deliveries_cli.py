"""``ieiwatch deliveries list [--failed]`` and ``ieiwatch deliveries retry``."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import select

from ieiwatch.flows.cli_support import ConfigOption, load_or_exit
from ieiwatch.flows.pipeline import open_store
from ieiwatch.notify.outbox import deliver_due
from ieiwatch.notify.render import format_date
from ieiwatch.storage import deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Subscriber

deliveries_app = typer.Typer(help="The alert outbox.", no_args_is_help=True)


@deliveries_app.command("list")
def list_(
    failed: Annotated[bool, typer.Option("--failed", help="Only failed and given-up ones.")]
    = False,
    limit: Annotated[int, typer.Option()] = 50,
    config: ConfigOption = None,
) -> None:
    """Deliveries, newest first: status, attempts, next try and last error."""
    settings, app_config = load_or_exit(config)
    engine = open_store(settings, app_config)
    with session_scope(engine) as session:
        rows = deliveries.list_deliveries(session, failed_only=failed, limit=limit)
        names = {s.id: s.name for s in session.exec(select(Subscriber))}
    for d in rows:
        retry = f" next try {d.next_attempt_at:%Y-%m-%d %H:%M}Z" if d.next_attempt_at else ""
        typer.echo(f"#{d.id} {d.status:<7} {d.kind:<7} {names.get(d.subscriber_id, '?')} "
                   f"→ {d.channel}  story {d.story_id}, {d.attempts} attempts{retry}"
                   f"  (created {format_date(d.created_at)})")
        if d.last_error:
            typer.echo(f"      last error: {d.last_error}")
    if not rows:
        typer.echo("no deliveries" + (" failed" if failed else ""))


@deliveries_app.command("retry")
def retry(config: ConfigOption = None) -> None:
    """Retry every failed, not yet dead delivery now, whatever its next-try time."""
    settings, app_config = load_or_exit(config)
    engine = open_store(settings, app_config)
    with session_scope(engine) as session:
        count = deliveries.retry_now(session)
    report = deliver_due(engine, app_config)
    typer.echo(f"{count} failed made due again; {report.sent} sent, {report.failed} failed "
               f"again, {report.dead} given up")
    for error in report.errors:
        typer.echo(f"    ! {error}")
    if report.failed or report.dead:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(deliveries_app, name="deliveries")

"""``ieiwatch deliveries list [--failed]`` and ``ieiwatch deliveries retry``."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from ieiwatch.cli.common import ConfigOption, command_group, echo, load_or_exit, shown, when
from ieiwatch.domain import DeliveryStatus
from ieiwatch.flows.runtime import open_store, read_store
from ieiwatch.notify.sending import deliver_due
from ieiwatch.storage.deliveries import DeliveryLine, Outbox, delivery_lines

deliveries_app = command_group("The alert outbox.")


@deliveries_app.command("list")
def list_(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only failed and given-up ones.")
    ] = False,
    subscriber: Annotated[
        str | None, typer.Option(help="Only this subscriber's.", metavar="NAME")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
    limit: Annotated[int, typer.Option(metavar="N")] = 50,
    config: ConfigOption = None,
) -> None:
    """Deliveries, newest first: what, to whom, status, times, attempts and last error."""
    settings, _ = load_or_exit(config)
    with read_store(settings) as session:
        lines = (
            delivery_lines(session, failed_only=failed, subscriber=subscriber, limit=limit)
            if session
            else []
        )
    for line in lines:
        if as_json:
            typer.echo(json.dumps(as_dict(line), ensure_ascii=False))
        else:
            for text in as_text(line):
                echo(text)
    if not lines and not as_json:
        typer.echo("no deliveries" + (" failed" if failed else ""))


def as_dict(line: DeliveryLine) -> dict[str, object]:
    d = line.delivery
    return {
        "id": d.id,
        "status": d.status,
        "kind": d.kind,
        "subscriber": line.subscriber,
        "channel": d.channel,
        "story_id": d.story_id,
        "title": line.title,
        "url": line.url,
        "attempts": d.attempts,
        "created_at": _iso(d.created_at),
        "sent_at": _iso(d.sent_at),
        "next_attempt_at": _iso(d.next_attempt_at),
        "last_error": d.last_error,
    }


def as_text(line: DeliveryLine) -> list[str]:
    """``#12 sent  instant  ops → mailto://… `` then the title, then the times."""
    d = line.delivery
    times = [f"created {when(d.created_at)}"]
    if d.sent_at:
        times.append(f"sent {when(d.sent_at)}")
    if d.next_attempt_at and d.status not in (DeliveryStatus.SENT, DeliveryStatus.DEAD):
        times.append(f"next try {when(d.next_attempt_at)}")
    attempts = f"{d.attempts} attempt" + ("" if d.attempts == 1 else "s")
    out = [
        f"#{d.id} {d.status:<7} {d.kind:<7} {line.subscriber} → {d.channel}",
        f"      {shown(line.title, 120)}",
        f"      {', '.join(times)}; {attempts} (times: Beijing)",
    ]
    if d.last_error:
        out.append(f"      last error: {shown(d.last_error, 2000)}")
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


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

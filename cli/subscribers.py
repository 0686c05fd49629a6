"""``ieiwatch subscribers add|list|remove|pause|resume|test``.

Subscribers of the config file are listed, paused, resumed and tested here too; the ones
added here keep their Apprise URLs in the database. URLs are always shown masked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlmodel import Session

from ieiwatch.cli.common import ConfigOption, command_group, fail, load_or_exit
from ieiwatch.config.schema import AppConfig, Filters, SubscriberConfig
from ieiwatch.config.settings import Settings
from ieiwatch.domain import ArticleType, SubscriberMode
from ieiwatch.flows.runtime import open_store, read_store
from ieiwatch.notify.channels import NotifyError, mask, send, validate
from ieiwatch.notify.planning import plan_since
from ieiwatch.notify.samples import sample_messages
from ieiwatch.notify.sending import letters
from ieiwatch.notify.subscriptions import Subscription, load_subscriptions, subscriptions
from ieiwatch.notify.views import Letter
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.subscribers import (
    SubscriberError,
    add_subscriber,
    remove_subscriber,
    set_paused,
    subscribers_by_name,
)

subscribers_app = command_group("Who gets alerts, and how.")

TYPES = ", ".join(t.value for t in ArticleType)


@subscribers_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Unique name: lowercase letters, digits, - _ .")],
    notify: Annotated[
        list[str], typer.Option("--notify", metavar="URL", help="Apprise URL (repeatable).")
    ],
    mode: Annotated[str, typer.Option(metavar="MODE", help="instant or digest")] = "instant",
    digest_every: Annotated[str, typer.Option(metavar="daily|weekly")] = "daily",
    digest_at: Annotated[str, typer.Option(metavar="HH:MM", help="local time")] = "08:00",
    digest_weekday: Annotated[
        str, typer.Option(metavar="DAY", help="mon … sun, for weekly")
    ] = "mon",
    timezone: Annotated[str, typer.Option(metavar="ZONE")] = "Asia/Shanghai",
    lang: Annotated[str, typer.Option(metavar="zh|en", help="Language of its alerts.")] = "zh",
    all_items: Annotated[
        bool, typer.Option("--all-items", help="Not only cooperation news.")
    ] = False,
    min_score: Annotated[float, typer.Option(metavar="0-1")] = 0.0,
    type_: Annotated[
        list[ArticleType] | None,
        typer.Option(
            "--type", metavar="TYPE", case_sensitive=False, help=f"Article type: {TYPES}."
        ),
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option(metavar="PLACE", help="Province or city, e.g. 浙江.")
    ] = None,
    party: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="Institution or company name.")
    ] = None,
    keyword: Annotated[
        list[str] | None, typer.Option(metavar="WORD", help="Any of them in title or text.")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option(metavar="NAME", help="A source of the config.")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(
            metavar="DATE",
            help="Also alert stored items published since this date (default: none of them).",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Add a subscriber (kept in the database, next to those of the config file)."""
    settings, app_config = load_or_exit(config)
    sub = _subscriber_config(
        app_config,
        name,
        notify,
        mode,
        {
            "every": digest_every,
            "at": digest_at,
            "weekday": digest_weekday,
            "timezone": timezone,
        },
        {
            "relevant_only": not all_items,
            "min_score": min_score,
            "types": type_ or [],
            "regions": region or [],
            "parties": party or [],
            "keywords": keyword or [],
            "sources": source or [],
        },
        lang,
    )
    engine = open_store(settings, app_config)
    try:
        with session_scope(engine) as session:
            row = add_subscriber(session, sub.spec())
            planned = _plan_since(session, app_config, row.id or 0, since) if since else 0
    except SubscriberError as exc:
        raise fail(f"subscribers: {exc}") from None
    finally:
        engine.dispose()
    typer.echo(f"added {name}: {', '.join(mask(u) for u in notify)}")
    if since:
        when = (
            f"in its next digest ({sub.digest.every} at {sub.digest.at} {sub.digest.timezone})"
            if sub.mode == SubscriberMode.DIGEST
            else "with the next run (or now: ieiwatch deliveries retry)"
        )
        typer.echo(f"{planned} alerts planned for items since {since:%Y-%m-%d}; they go out {when}")


def _subscriber_config(
    app_config: AppConfig,
    name: str,
    notify: list[str],
    mode: str,
    digest: dict[str, Any],
    filters: dict[str, Any],
    lang: str = "zh",
) -> SubscriberConfig:
    for url in notify:
        try:
            validate(url)
        except NotifyError as exc:
            raise fail(str(exc)) from None
    try:
        sub = SubscriberConfig.model_validate(
            {
                "name": name,
                "notify": notify,
                "mode": mode,
                "digest": digest,
                "filters": filters,
                "lang": lang,
            }
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise fail(f"subscribers: {problems}") from None
    try:  # the config file's own rule, so that both ways of adding agree
        app_config.check_sources_known(sub)
    except ValueError as exc:
        raise fail(f"subscribers: {exc}") from None
    return sub


def _plan_since(session: Session, config: AppConfig, subscriber_id: int, since: datetime) -> int:
    since = since if since.tzinfo else since.replace(tzinfo=UTC)
    sub = next(s for s in load_subscriptions(session, config) if s.id == subscriber_id)
    return plan_since(session, sub, since)


def filters_text(filters: Filters) -> str:
    """A subscriber's filters as a reader says them: ``cooperation news; types:
    joint_lab, industry_college; regions: 浙江``."""
    parts = ["cooperation news" if filters.relevant_only else "every item"]
    if filters.min_score:
        parts.append(f"score ≥ {filters.min_score:g}")
    for label, values in (
        ("types", filters.types),
        ("regions", filters.regions),
        ("parties", filters.parties),
        ("keywords", filters.keywords),
        ("sources", filters.sources),
    ):
        if values:
            parts.append(f"{label}: {', '.join(values)}")
    return "; ".join(parts)


def letters_of(settings: Settings, config: AppConfig) -> dict[str, Letter]:
    """Each subscriber's language and manage link, by name (config ones before any run)."""
    with read_store(settings) as session:
        rows = list(subscribers_by_name(session).values()) if session else []
    by_id = letters(rows, config)
    stored = {row.name: by_id[row.id or 0] for row in rows}
    unsynced = {s.name: Letter(s.name, s.lang) for s in config.subscribers}
    return {**unsynced, **stored}


def _listed(settings: Settings, config: AppConfig) -> list[Subscription]:
    """Every subscriber, read without writing (the config's, even before any run)."""
    with read_store(settings) as session:
        rows = list(subscribers_by_name(session).values()) if session else []
    return subscriptions(rows, config, unsynced=True)


@subscribers_app.command("list")
def list_(config: ConfigOption = None) -> None:
    """Every subscriber, its channels (masked), mode and filters."""
    settings, app_config = load_or_exit(config)
    subs = _listed(settings, app_config)
    for sub in subs:
        state = "paused" if sub.paused else "active"
        mode = (
            sub.mode
            if sub.mode == SubscriberMode.INSTANT
            else (f"digest {sub.digest.every} {sub.digest.at} {sub.digest.timezone}")
        )
        typer.echo(f"{sub.name}  [{sub.origin}, {state}, {mode}]")
        for url in sub.urls:
            typer.echo(f"    {mask(url)}")
        typer.echo(f"    wants: {filters_text(sub.filters)}")
    if not subs:
        typer.echo("no subscribers")


@subscribers_app.command("remove")
def remove(name: str, config: ConfigOption = None) -> None:
    """Remove a subscriber added from the command line."""
    _change(config, name, lambda session: remove_subscriber(session, name), "removed")


@subscribers_app.command("pause")
def pause(name: str, config: ConfigOption = None) -> None:
    """Stop sending to a subscriber; its alerts wait until it resumes."""
    _change(config, name, lambda session: set_paused(session, name, True), "paused")


@subscribers_app.command("resume")
def resume(name: str, config: ConfigOption = None) -> None:
    _change(config, name, lambda session: set_paused(session, name, False), "resumed")


def _change(config: Path | None, name: str, action: Callable[[Session], None], done: str) -> None:
    settings, app_config = load_or_exit(config)
    engine = open_store(settings, app_config)
    try:
        with session_scope(engine) as session:
            action(session)
    except SubscriberError as exc:
        raise fail(f"subscribers: {exc}") from None
    finally:
        engine.dispose()
    typer.echo(f"{done} {name}")


@subscribers_app.command("test")
def test(name: str, config: ConfigOption = None) -> None:
    """Send a sample alert to each of the subscriber's URLs and say which went through."""
    settings, app_config = load_or_exit(config)
    sub = next((s for s in _listed(settings, app_config) if s.name == name), None)
    if sub is None:
        raise fail(f"subscribers: no subscriber named {name!r}")
    letter = letters_of(settings, app_config).get(name, Letter(name))
    failures = 0
    for url in sub.urls:
        try:
            for message in sample_messages(url, letter):
                send(url, message)
            typer.echo(f"ok      {mask(url)}")
        except NotifyError as exc:
            failures += 1
            typer.echo(f"FAILED  {mask(url)}: {exc}")
    if failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(subscribers_app, name="subscribers")

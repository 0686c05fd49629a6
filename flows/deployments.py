"""ieiwatch's Prefect deployments, made from the config:

* ``monitor/monitor-every-{N}m``: one per distinct source ``interval`` (minutes), polling
  that group's sources (the flow's ``sources`` parameter); a group of more than
  ``SOURCES_PER_DEPLOYMENT`` sources is split into parts (``monitor-every-{N}m-part{i}of{k}``)
  so that a work pool's workers, on several machines, poll the parts at the same time;
* ``digest/digest``: on each digest subscriber's schedule (cron in their time zone);
* ``retry-deliveries/retry-deliveries``: every few minutes;
* ``backfill/backfill``: no schedule, for ``prefect deployment run 'backfill/backfill'``.

Runs of one deployment never overlap: a scheduled run that finds the previous one still
going is cancelled (the next interval comes soon enough), a backfill waits its turn.

``serve.py`` serves them in one process; ``deploy`` creates them on a shared server for a
work pool's workers (``ieiwatch deploy --pool NAME``), whose runs read the worker machine's
``IEIWATCH_CONFIG``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval
from prefect.settings import PREFECT_API_URL
from prefect.types.entrypoint import EntrypointType

from ieiwatch.config.schema import WEEKDAYS, AppConfig, DigestSchedule
from ieiwatch.domain import SubscriberMode, utcnow
from ieiwatch.flows.local_server import ServeError
from ieiwatch.notify.subscriptions import Subscription

Announce = Callable[[str], None]

RETRY_EVERY_MINUTES = 5
FIRST_RUN_DELAY = timedelta(seconds=10)
"""The first monitor run of each group starts this soon after serving begins."""
TAGS = ["ieiwatch"]
# A scheduled run colliding with the previous one is dropped; a manual backfill waits.
SKIP_IF_RUNNING = ConcurrencyLimitConfig(
    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
)
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


SOURCES_PER_DEPLOYMENT = 2000
"""Sources one monitor run polls at most: about what one 2-core machine handles in a pass."""


@dataclass(frozen=True)
class MonitorGroup:
    interval: int
    """Minutes."""
    sources: tuple[str, ...]
    part: int = 1
    parts: int = 1

    @property
    def deployment_name(self) -> str:
        name = f"monitor-every-{self.interval}m"
        return name if self.parts == 1 else f"{name}-part{self.part}of{self.parts}"


def monitor_groups(
    config: AppConfig, per_deployment: int = SOURCES_PER_DEPLOYMENT
) -> list[MonitorGroup]:
    """Enabled sources grouped by their ``interval``, shortest first; a group larger than
    ``per_deployment`` in parts of equal size (the config's order), one deployment each."""
    groups: dict[int, list[str]] = {}
    for source in config.sources:
        if source.enabled:
            groups.setdefault(source.interval, []).append(source.name)
    found = []
    for minutes, names in sorted(groups.items()):
        parts = -(-len(names) // per_deployment)
        size = -(-len(names) // parts)
        found += [
            MonitorGroup(minutes, tuple(names[i * size : (i + 1) * size]), i + 1, parts)
            for i in range(parts)
        ]
    return found


def digest_cron(schedule: DigestSchedule) -> str:
    """Cron for a digest schedule, read in the schedule's own time zone."""
    hour, minute = (int(x) for x in schedule.at.split(":"))
    # Cron counts weekdays from Sunday = 0; WEEKDAYS starts on Monday.
    weekday = "*" if schedule.every == "daily" else str((WEEKDAYS.index(schedule.weekday) + 1) % 7)
    return f"{minute} {hour} * * {weekday}"


def digest_schedules(subscriptions: Sequence[Subscription]) -> list[tuple[str, str]]:
    """The distinct (cron, time zone) pairs of the active digest subscribers."""
    wanted = {
        (digest_cron(s.digest), s.digest.timezone)
        for s in subscriptions
        if s.mode == SubscriberMode.DIGEST and not s.paused
    }
    return sorted(wanted)


async def build_deployments(
    config: AppConfig,
    subscriptions: Sequence[Subscription],
    *,
    config_path: Path | None,
    retry_minutes: int = RETRY_EVERY_MINUTES,
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

    common: dict[str, Any] = {"config_path": str(config_path.resolve())} if config_path else {}
    # Entrypoints by module path: a run's process imports the installed ieiwatch, whatever
    # its working directory (a worker's runs need no checkout and no pull step).
    module: dict[str, Any] = {
        "entrypoint_type": EntrypointType.MODULE_PATH,
        "tags": TAGS,
        "work_pool_name": work_pool,
    }
    first_run = utcnow() + FIRST_RUN_DELAY
    deployments = [
        await monitor.ato_deployment(
            name=group.deployment_name,
            schedules=[Interval(timedelta(minutes=group.interval), anchor_date=first_run)],
            parameters={**common, "sources": list(group.sources)},
            concurrency_limit=SKIP_IF_RUNNING,
            description=f"Poll {_listed(group.sources)} every {group.interval} minutes.",
            **module,
        )
        for group in monitor_groups(config)
    ]
    deployments.append(
        await digest.ato_deployment(
            name="digest",
            schedules=[Cron(cron, timezone=zone) for cron, zone in digest_schedules(subscriptions)],
            parameters=common,
            concurrency_limit=SKIP_IF_RUNNING,
            description="Send the digests that are due.",
            **module,
        )
    )
    deployments.append(
        await retry_deliveries.ato_deployment(
            name="retry-deliveries",
            schedules=[Interval(timedelta(minutes=retry_minutes))],
            parameters=common,
            concurrency_limit=SKIP_IF_RUNNING,
            description="Send every alert that is due, retries included.",
            **module,
        )
    )
    deployments.append(
        await backfill.ato_deployment(
            name="backfill",
            parameters=common,
            concurrency_limit=ONE_AT_A_TIME,
            description="Walk a source's history: --param source=NAME [--param since=YYYY-MM-DD]",
            **module,
        )
    )
    return deployments


def _listed(names: Sequence[str], shown: int = 10) -> str:
    if len(names) <= shown:
        return ", ".join(names)
    return f"{len(names)} sources ({', '.join(names[:shown])} …)"


def describe(deployment: RunnerDeployment) -> str:
    schedules = [_schedule_text(s.schedule) for s in deployment.schedules or []]
    return f"{deployment.flow_name}/{deployment.name}: {', '.join(schedules) or 'on demand'}"


def _schedule_text(schedule: object) -> str:
    interval = getattr(schedule, "interval", None)
    if interval is not None:
        return f"every {int(interval.total_seconds() // 60)} min"
    return f"cron {getattr(schedule, 'cron', '?')} ({getattr(schedule, 'timezone', 'UTC')})"


def api_url_configured() -> bool:
    return bool(PREFECT_API_URL.value())


async def check_reachable(api_url: str) -> None:
    """Fail early, and say where, when the configured Prefect server does not answer."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            (await client.get(f"{api_url.rstrip('/')}/health")).raise_for_status()
    except httpx.HTTPError as exc:
        raise ServeError(
            f"no Prefect server answers at PREFECT_API_URL={api_url} ({type(exc).__name__}: {exc})"
        ) from None


async def deploy(
    config: AppConfig,
    subscriptions: Sequence[Subscription],
    *,
    work_pool: str,
    retry_minutes: int = RETRY_EVERY_MINUTES,
    announce: Announce = print,
) -> list[str]:
    """Create or update the deployments on the Prefect server for ``work_pool``'s workers;
    returns their names. The runs read their machine's ``IEIWATCH_CONFIG``."""
    await check_reachable(str(PREFECT_API_URL.value()))
    deployments = await build_deployments(
        config, subscriptions, config_path=None, retry_minutes=retry_minutes, work_pool=work_pool
    )
    names = []
    for deployment in deployments:
        await deployment.aapply()
        names.append(f"{deployment.flow_name}/{deployment.name}")
        announce(f"deployed {describe(deployment)} (pool {work_pool})")
    return names

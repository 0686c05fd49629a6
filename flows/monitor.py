"""The Prefect ``monitor`` flow: the sources polled in batches, one task per batch (each
source retried on transient errors, each failure recorded on its source while the others go
on, each source's alerts sent as soon as it is stored), then the other due alerts delivered.

A task gets the run's context quoted and its sources by name: Prefect walks every task's
parameters, and the context holds the whole config and the database engine.
"""

from __future__ import annotations

from typing import cast

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from ieiwatch.flows import observe, polling
from ieiwatch.flows.plain_flow import plain_flow
from ieiwatch.flows.polling import RunReport, SourceReport
from ieiwatch.flows.runtime import RunContext, run_inputs


@task(name="poll-sources", cache_policy=NO_CACHE, task_run_name="poll {names[0]} +{more}")
async def poll_sources_task(ctx: RunContext, names: list[str], more: int) -> list[SourceReport]:
    settings = ctx.settings
    return await polling.poll_sources(
        ctx, names, retries=settings.source_retries, retry_delay=settings.source_retry_delay
    )


async def _poll_batch(ctx: RunContext, names: list[str]) -> list[SourceReport]:
    # Quoted: Prefect neither walks nor copies it, and hands the task the context itself.
    quoted = cast(RunContext, quote(ctx))
    return await poll_sources_task(quoted, names, len(names) - 1)


@plain_flow(name="monitor")
async def monitor(
    config_path: str | None = None,
    database_url: str | None = None,
    sources: list[str] | None = None,
) -> RunReport:
    """Poll every enabled source (or only ``sources``) once, store and classify what is new,
    send its alerts; publish the results as artifacts and the new relevant items as events."""
    settings, config = run_inputs(config_path, database_url)
    report = await polling.run_pass(settings, config, poll_batch=_poll_batch, sources=sources)
    # One record, not one per source: each is a request to the API.
    get_run_logger().info("\n".join(summary_lines(report)))
    found = [observe.Found(s.name, item) for s in report.sources for item in s.relevant_items]
    await observe.publish(
        "monitor",
        [_row(s) for s in report.sources],
        found,
        f"monitor: {', '.join(sources) if sources else 'all sources'}",
    )
    observe.emit_relevant(found, origin="monitor")
    return report


def _row(s: SourceReport) -> observe.SourceRow:
    return observe.SourceRow(s.name, s.status, s.listed, s.new, s.relevant, s.errors)


def summary_lines(report: RunReport) -> list[str]:
    head = f"{'source':<24} {'status':<13} {'listed':>6} {'new':>4} {'relevant':>8} {'alerts':>6}"
    lines = [head]
    for s in report.sources:
        lines.append(
            f"{s.name:<24} {s.status:<13} {s.listed:>6} {s.new:>4} {s.relevant:>8} "
            f"{s.alerts_planned:>6}"
        )
        lines += [f"    ! {e}" for e in s.errors]
    d = report.deliveries
    lines.append(f"alerts: {d.sent} sent, {d.failed} failed (will retry), {d.dead} given up")
    lines += [f"    ! {e}" for e in d.errors]
    return lines

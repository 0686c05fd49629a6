"""The Prefect ``monitor`` flow: one task per source (retried on transient errors), each
failure recorded on its source while the others go on, then the due alerts delivered."""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import State

from ieiwatch.config.schema import SourceConfig
from ieiwatch.flows import observe, polling
from ieiwatch.flows.polling import RunReport, SourceReport
from ieiwatch.flows.runtime import RunContext, run_inputs
from ieiwatch.scrapers.errors import ScrapeError


async def _transient_only(task: Any, task_run: Any, state: State) -> bool:
    """Retry timeouts, refused connections, 429 and 5xx; not a 404 or a broken page."""
    try:
        await state.aresult()
    except ScrapeError as exc:
        return exc.transient
    except Exception:
        return False
    return False


@task(name="poll-source", cache_policy=NO_CACHE, retry_condition_fn=_transient_only)
async def poll_source_task(ctx: RunContext, source: SourceConfig) -> SourceReport:
    return await polling.poll_source(ctx, source)


@flow(name="monitor")
async def monitor(
    config_path: str | None = None,
    database_url: str | None = None,
    sources: list[str] | None = None,
) -> RunReport:
    """Poll every enabled source (or only ``sources``) once, store and classify what is new,
    send its alerts; publish the results as artifacts and the new relevant items as events."""
    settings, config = run_inputs(config_path, database_url)
    poll = poll_source_task.with_options(
        retries=settings.source_retries, retry_delay_seconds=settings.source_retry_delay
    )
    report = await polling.run_pass(settings, config, poll=poll, sources=sources)
    logger = get_run_logger()
    for line in summary_lines(report):
        logger.info(line)
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

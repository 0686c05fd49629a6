"""Two small flows around the alert outbox, for schedules: ``digest`` sends the digests that
are due, ``retry-deliveries`` sends every delivery due now (new, or failed and past its
backoff; digests that are due included).

The monitor flow does the same at the end of each run; these make alerts timely when
monitoring runs seldom, and retries continue while no source is being polled.
"""

from __future__ import annotations

import asyncio

from prefect import get_run_logger

from ieiwatch.domain import DeliveryKind
from ieiwatch.flows.plain_flow import plain_flow
from ieiwatch.flows.runtime import open_store, run_inputs
from ieiwatch.notify.sending import DeliveryReport, deliver_due, send_due
from ieiwatch.storage.deliveries import Outbox


def _send(config_path: str | None, database_url: str | None, digests_only: bool) -> DeliveryReport:
    settings, config = run_inputs(config_path, database_url)
    engine = open_store(settings, config)
    try:
        if digests_only:
            return send_due(Outbox(engine), config, kinds=(DeliveryKind.DIGEST,))
        return deliver_due(Outbox(engine), config)
    finally:
        engine.dispose()


def _log(report: DeliveryReport) -> None:
    logger = get_run_logger()
    logger.info(
        "alerts: %d sent, %d failed (will retry), %d given up",
        report.sent,
        report.failed,
        report.dead,
    )
    for error in report.errors:
        logger.warning(error)


@plain_flow(name="digest")
async def digest(config_path: str | None = None, database_url: str | None = None) -> DeliveryReport:
    """Send each digest subscriber's digest when its period has come."""
    report = await asyncio.to_thread(_send, config_path, database_url, True)
    _log(report)
    return report


@plain_flow(name="retry-deliveries")
async def retry_deliveries(
    config_path: str | None = None, database_url: str | None = None
) -> DeliveryReport:
    """Send every alert that is due: pending ones, and failed ones past their backoff."""
    report = await asyncio.to_thread(_send, config_path, database_url, False)
    _log(report)
    return report

"""Re-run the classifier over stored articles after its rules or data changed.

Only articles classified by another ``CLASSIFIER_VERSION`` are redone, unless asked for all.
Reclassifying sends no alerts: the articles are not new. Each article is told the publisher
it was told at ingest (so 我校 still names the school); one stored before articles kept
theirs is told its source's configured ``publisher``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from ieiwatch.classify import CLASSIFIER_VERSION, classify
from ieiwatch.config import Settings, load_config
from ieiwatch.domain import ArticleToStore
from ieiwatch.flows.ingest import to_store
from ieiwatch.flows.plain_flow import plain_flow
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage.articles import batch_to_reclassify, source_names, update_classification
from ieiwatch.storage.db import init_db, make_engine, session_scope
from ieiwatch.storage.models import Article

BATCH = 500


@dataclass
class ReclassifyReport:
    version: str
    examined: int = 0
    changed: int = 0


Publishers = Mapping[int, str]
"""Source id → the ``publisher`` its config names."""


def reclassify_batch(
    engine: Engine, after_id: int, everything: bool, publishers: Publishers | None = None
) -> tuple[int, int, int]:
    """(articles examined, articles whose relevance or type changed, last id)."""
    with session_scope(engine) as session:
        batch = batch_to_reclassify(
            session, CLASSIFIER_VERSION, after_id=after_id, limit=BATCH, everything=everything
        )
        changed = sum(
            update_classification(session, a, _reclassified(a, publishers or {})) for a in batch
        )
    return len(batch), changed, (batch[-1].id or after_id) if batch else after_id


def _reclassified(article: Article, publishers: Publishers) -> ArticleToStore:
    publisher = article.publisher or publishers.get(article.source_id)
    scraped = ScrapedArticle(article.url, article.title, article.published_at, article.text)
    cls = classify(article.title, article.text, publisher=publisher)
    return to_store(scraped, cls, publisher=publisher)


Step = Callable[[Engine, int, bool, Publishers | None], tuple[int, int, int]]


def reclassify_all(
    engine: Engine,
    everything: bool = False,
    step: Step = reclassify_batch,
    publishers: Publishers | None = None,
) -> ReclassifyReport:
    report = ReclassifyReport(CLASSIFIER_VERSION)
    last = 0
    while True:
        examined, changed, last = step(engine, last, everything, publishers)
        if not examined:
            return report
        report.examined += examined
        report.changed += changed


@task(name="reclassify-batch", cache_policy=NO_CACHE)
def reclassify_batch_task(
    engine: Engine, after_id: int, everything: bool, publishers: Publishers | None
) -> tuple[int, int, int]:
    return reclassify_batch(engine, after_id, everything, publishers)


def configured_publishers(engine: Engine, config_path: Path) -> dict[int, str]:
    """Source id → ``publisher`` of the sources the config names one for; none when the
    config file does not exist (reclassifying needs only the database)."""
    if not config_path.is_file():
        return {}
    named = {s.name: s.publisher for s in load_config(config_path).sources if s.publisher}
    with session_scope(engine) as session:
        names = source_names(session)
    return {id_: named[name] for id_, name in names.items() if name in named}


@plain_flow(name="reclassify")
def reclassify(
    everything: bool = False, database_url: str | None = None, config_path: str | None = None
) -> ReclassifyReport:
    """Reclassify stored articles, a task per batch of 500."""
    settings = Settings()
    engine = make_engine(database_url or settings.database_url)
    init_db(engine)
    try:
        publishers = configured_publishers(engine, Path(config_path or settings.config_path))
        return reclassify_all(engine, everything, reclassify_batch_task, publishers)
    finally:
        engine.dispose()

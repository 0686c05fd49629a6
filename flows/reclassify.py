"""Re-run the classifier over stored articles after its rules or data changed.

Only articles classified by another ``CLASSIFIER_VERSION`` are redone, unless asked for all.
Reclassifying sends no alerts: the articles are not new.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy import Engine

from ieiwatch.classify import CLASSIFIER_VERSION, classify
from ieiwatch.config import Settings
from ieiwatch.domain import ArticleToStore
from ieiwatch.flows.ingest import to_store
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage.articles import batch_to_reclassify, update_classification
from ieiwatch.storage.db import init_db, make_engine, session_scope
from ieiwatch.storage.models import Article

BATCH = 500


@dataclass
class ReclassifyReport:
    version: str
    examined: int = 0
    changed: int = 0


def reclassify_batch(engine: Engine, after_id: int, everything: bool) -> tuple[int, int, int]:
    """(articles examined, articles whose relevance or type changed, last id)."""
    with session_scope(engine) as session:
        batch = batch_to_reclassify(
            session, CLASSIFIER_VERSION, after_id=after_id, limit=BATCH, everything=everything
        )
        changed = sum(update_classification(session, a, _reclassified(a)) for a in batch)
    return len(batch), changed, (batch[-1].id or after_id) if batch else after_id


def _reclassified(article: Article) -> ArticleToStore:
    scraped = ScrapedArticle(article.url, article.title, article.published_at, article.text)
    return to_store(scraped, classify(article.title, article.text))


Step = Callable[[Engine, int, bool], tuple[int, int, int]]


def reclassify_all(
    engine: Engine, everything: bool = False, step: Step = reclassify_batch
) -> ReclassifyReport:
    report = ReclassifyReport(CLASSIFIER_VERSION)
    last = 0
    while True:
        examined, changed, last = step(engine, last, everything)
        if not examined:
            return report
        report.examined += examined
        report.changed += changed


@task(name="reclassify-batch", cache_policy=NO_CACHE)
def reclassify_batch_task(engine: Engine, after_id: int, everything: bool) -> tuple[int, int, int]:
    return reclassify_batch(engine, after_id, everything)


@flow(name="reclassify")
def reclassify(everything: bool = False, database_url: str | None = None) -> ReclassifyReport:
    """Reclassify stored articles, a task per batch of 500."""
    settings = Settings()
    engine = make_engine(database_url or settings.database_url)
    init_db(engine)
    try:
        return reclassify_all(engine, everything, step=reclassify_batch_task)
    finally:
        engine.dispose()

"""Sample data of the web app's tests (tests/data/web/articles.json): three sources, a
story carried by two of them, English and Chinese items, a hostile title, a subscriber with
a failed delivery."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ieiwatch.config.schema import SourceConfig, SubscriberConfig
from ieiwatch.domain import ArticleToStore, ArticleType, DeliveryKind, Party, Region
from ieiwatch.notify.channels import channel_key, mask
from ieiwatch.storage.articles import insert_new
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.deliveries import PlannedDelivery, list_deliveries, mark_failed, plan
from ieiwatch.storage.models import Article
from ieiwatch.storage.sources import sync_sources
from ieiwatch.storage.subscribers import add_subscriber

SAMPLE = Path(__file__).parent / "data" / "web" / "articles.json"
WEBHOOK = "json://127.0.0.1:9/hook?token=s3cret"


def sample() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


def to_store(row: dict[str, Any]) -> ArticleToStore:
    return ArticleToStore(
        url=row["url"],
        title=row["title"],
        published_at=datetime.fromisoformat(row["published"]),
        text=row["text"],
        lang=row["lang"],
        relevant=row["relevant"],
        score=row["score"],
        type=ArticleType(row["type"]) if row["type"] else None,
        parties=tuple(Party.from_dict(p) for p in row["parties"]),
        region=Region.from_dict(row["region"]) if row["region"] else None,
        sectors=tuple(row["sectors"]),
        evidence=tuple(row["evidence"]),
        classifier_version="test",
        publisher=row.get("publisher"),
    )


def fill(engine: Engine) -> dict[str, int]:
    """Store the sample; returns article id by URL."""
    data = sample()
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        sources = sync_sources(session, [SourceConfig(**s) for s in data["sources"]])
        for row in data["articles"]:
            stored = insert_new(session, sources[row["source"]].id or 0, [to_store(row)])
            ids[row["url"]] = stored[0].id or 0
    return ids


def add_failed_delivery(engine: Engine, article_id: int, webhook: str = WEBHOOK) -> None:
    """A CLI subscriber with one webhook, and a delivery to it that failed."""
    sub = SubscriberConfig(name="analyst", notify=[webhook])
    with session_scope(engine) as session:
        row = add_subscriber(session, sub.spec())
        article = session.get(Article, article_id)
        assert article is not None and article.story_id is not None
        plan(
            session,
            [
                PlannedDelivery(
                    row.id or 0,
                    article.story_id,
                    article_id,
                    DeliveryKind.INSTANT,
                    channel_key(webhook),
                    mask(webhook),
                )
            ],
        )
        delivery = list_deliveries(session)[0]
        mark_failed(session, delivery, "notify: json://127.0.0.1:9/: connection refused")

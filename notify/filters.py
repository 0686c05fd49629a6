"""Does an article pass a subscriber's filters?"""

from __future__ import annotations

from ieiwatch.config.schema import Filters
from ieiwatch.storage.models import Article


def matches(filters: Filters, article: Article, source_name: str) -> bool:
    if filters.relevant_only and not article.relevant:
        return False
    if article.score < filters.min_score:
        return False
    if filters.types and article.type not in filters.types:
        return False
    if filters.sources and source_name not in filters.sources:
        return False
    if filters.keywords:
        haystack = f"{article.title}\n{article.text}".lower()
        if not any(k.lower() in haystack for k in filters.keywords):
            return False
    return True

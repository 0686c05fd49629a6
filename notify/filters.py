"""Does an article pass a subscriber's filters? Every filter given must pass."""

from __future__ import annotations

from ieiwatch.config.schema import Filters
from ieiwatch.domain import ArticleType, region_names
from ieiwatch.domain.places import same_place_name
from ieiwatch.storage.models import Article


def matches(filters: Filters, article: Article, source_name: str) -> bool:
    checks = (
        not filters.relevant_only or article.relevant,
        article.score >= filters.min_score,
        not filters.types or _type_matches(filters.types, article),
        not filters.sources or source_name in filters.sources,
        not filters.regions or _region_matches(filters.regions, article),
        not filters.parties or _party_matches(filters.parties, article),
        not filters.keywords or _keyword_matches(filters.keywords, article),
    )
    return all(checks)


def _type_matches(wanted: list[ArticleType], article: Article) -> bool:
    """The primary type, or a secondary one: the classifier keeps those in the evidence as
    ``also: <type>: <phrase>`` lines (no column of their own)."""
    types: set[str] = {str(article.type)} if article.type else set()
    types |= {
        line[len(_ALSO) :].split(":", 1)[0].strip()
        for line in article.evidence or []
        if line.startswith(_ALSO)
    }
    return any(t in types for t in wanted)


_ALSO = "also: "


def _region_matches(wanted: list[str], article: Article) -> bool:
    places = article.region.names() if article.region else []
    names = [alias for place in places for alias in region_names(place)]
    return any(same_place_name(w, n) for w in wanted for n in names)


def _party_matches(wanted: list[str], article: Article) -> bool:
    return any(_overlaps(w, p.name) for w in wanted for p in article.parties)


def _keyword_matches(keywords: list[str], article: Article) -> bool:
    haystack = f"{article.title}\n{article.text}".lower()
    return any(k.lower() in haystack for k in keywords)


def _overlaps(a: str, b: str) -> bool:
    """Either name contains the other: 浙江 ~ 浙江省, 宁德时代 ~ 宁德时代新能源科技股份有限公司."""
    a, b = a.strip().lower(), b.strip().lower()
    return bool(a and b) and (a in b or b in a)

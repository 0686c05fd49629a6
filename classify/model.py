"""The classifier's result types. Stored with each article, so keep them stable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ieiwatch.domain import EDUCATION_KINDS, ArticleType, Party, PartyKind, Region

# Bump whenever a rule, a weight or a data file changes: stored classifications
# carry it, and `reclassify` re-runs articles classified by an older version.
CLASSIFIER_VERSION = "rules-20"

TYPES: tuple[str, ...] = tuple(ArticleType)
"""The eight types of the labels (``domain.ArticleType``)."""

PARTY_KINDS: tuple[str, ...] = tuple(PartyKind)

__all__ = [
    "CLASSIFIER_VERSION",
    "EDUCATION_KINDS",
    "PARTY_KINDS",
    "TYPES",
    "Classification",
    "Party",
    "Region",
]


@dataclass
class Classification:
    relevant: bool
    score: float
    type: ArticleType | None
    parties: list[Party] = field(default_factory=list)
    region: Region | None = None
    sectors: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    lang: str = "zh"
    version: str = CLASSIFIER_VERSION
    secondary_types: list[ArticleType] = field(default_factory=list)
    """Other cooperation the item reports besides ``type`` (an agreement signed and a
    base unveiled): filters match these too."""
    mentioned: list[Party] = field(default_factory=list)
    """Organisations named but not cooperating: officials' bureaus that attend, hosts of
    a venue, companies cited in passing."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "relevant": self.relevant,
            "score": self.score,
            "type": self.type,
            "secondary_types": [str(t) for t in self.secondary_types],
            "parties": [p.to_dict() for p in self.parties],
            "mentioned": [p.to_dict() for p in self.mentioned],
            "region": self.region.to_dict() if self.region else None,
            "sectors": list(self.sectors),
            "evidence": list(self.evidence),
            "lang": self.lang,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Classification:
        region = d.get("region")
        return cls(
            relevant=bool(d["relevant"]),
            score=float(d["score"]),
            type=ArticleType(d["type"]) if d.get("type") else None,
            parties=[Party.from_dict(p) for p in d.get("parties") or []],
            region=Region.from_dict(region) if region else None,
            sectors=list(d.get("sectors") or []),
            evidence=list(d.get("evidence") or []),
            lang=d.get("lang") or "zh",
            version=d.get("version") or CLASSIFIER_VERSION,
            secondary_types=[ArticleType(t) for t in d.get("secondary_types") or []],
            mentioned=[Party.from_dict(p) for p in d.get("mentioned") or []],
        )

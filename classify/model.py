"""The classifier's result types. Stored with each article, so keep them stable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ieiwatch.config.schema import ARTICLE_TYPES

# Bump whenever a rule, a weight or a data file changes: stored classifications
# carry it, and `reclassify` re-runs articles classified by an older version.
CLASSIFIER_VERSION = "rules-2"

TYPES: tuple[str, ...] = ARTICLE_TYPES
"""The eight types of the labels; the config schema owns the list."""

PARTY_KINDS: tuple[str, ...] = (
    "university",
    "college",
    "vocational_school",
    "enterprise",
    "government",
    "association",
    "research_institute",
    "hospital",
    "other",
)

EDUCATION_KINDS: frozenset[str] = frozenset({"university", "college", "vocational_school"})


@dataclass(frozen=True)
class Party:
    name: str
    kind: str

    @property
    def is_school(self) -> bool:
        return self.kind in EDUCATION_KINDS


@dataclass(frozen=True)
class Region:
    province: str | None
    city: str | None


@dataclass
class Classification:
    relevant: bool
    score: float
    type: str | None
    parties: list[Party] = field(default_factory=list)
    region: Region | None = None
    sectors: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    lang: str = "zh"
    version: str = CLASSIFIER_VERSION

    def to_dict(self) -> dict[str, Any]:
        region = None
        if self.region is not None:
            region = {"province": self.region.province, "city": self.region.city}
        return {
            "relevant": self.relevant,
            "score": self.score,
            "type": self.type,
            "parties": [{"name": p.name, "kind": p.kind} for p in self.parties],
            "region": region,
            "sectors": list(self.sectors),
            "evidence": list(self.evidence),
            "lang": self.lang,
            "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Classification:
        region_d = d.get("region")
        region = None
        if region_d:
            region = Region(province=region_d.get("province"), city=region_d.get("city"))
        return cls(
            relevant=bool(d["relevant"]),
            score=float(d["score"]),
            type=d.get("type"),
            parties=[Party(name=p["name"], kind=p["kind"]) for p in d.get("parties") or []],
            region=region,
            sectors=list(d.get("sectors") or []),
            evidence=list(d.get("evidence") or []),
            lang=d.get("lang") or "zh",
            version=d.get("version") or CLASSIFIER_VERSION,
        )

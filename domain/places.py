"""The gazetteer: provinces and cities of China with their Chinese and English names
(``data/regions.yaml``). The classifier finds places with it; subscribers' region filters
match with it, so 浙江, 浙江省 and Zhejiang are one province."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.yaml"
# libyaml reads the gazetteer about ten times faster than PyYAML alone.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def gazetteer() -> dict[str, Any]:
    """``provinces``: key → {zh: [...], en: [...]}; ``cities``: [{name, province, zh, en}]."""
    with REGIONS_FILE.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)
    if not isinstance(data, dict):
        raise ValueError(f"{REGIONS_FILE} must hold a mapping")
    return data


@cache
def _region_aliases() -> dict[str, frozenset[str]]:
    data = gazetteer()
    aliases: dict[str, frozenset[str]] = {}
    for key, spec in data["provinces"].items():
        aliases[key] = frozenset([key, *spec["zh"], *spec["en"]])
    for city in data["cities"]:
        names = frozenset([city["name"], *city["zh"], *city["en"]])
        aliases[city["name"]] = aliases.get(city["name"], frozenset()) | names
    return aliases


def region_names(name: str) -> frozenset[str]:
    """Every name of the province or city that ``Region`` calls ``name`` (its pinyin key,
    Chinese and English names), so a filter written as 浙江 finds Region("Zhejiang")."""
    return _region_aliases().get(name, frozenset([name]))

"""The gazetteer: provinces and cities of China with their Chinese and English names
(``data/regions.yaml``), and the world's countries, the states and provinces of a few
of them and their main cities (``data/world.yaml``). The classifier finds places with
it; subscribers' region filters match with it, so 浙江, 浙江省 and Zhejiang are one
province, and 俄亥俄州 and Ohio one state."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.yaml"
WORLD_FILE = Path(__file__).resolve().parent / "data" / "world.yaml"
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


@dataclass(frozen=True)
class WorldPlace:
    """A country, a state or province of one, or a city, outside mainland China."""

    key: str
    country: str
    division: str | None  # the state or province a city or division is (in)
    is_city: bool
    zh: tuple[str, ...]
    en: tuple[str, ...]  # names as written in text (Ohio, New South Wales, NSW)
    # Short forms read only right after a city's name (Rockford, Ill.; Toledo, OH):
    # alone, "Ill." or "IN" is no place.
    after_city: tuple[str, ...] = ()


@cache
def world() -> dict[str, WorldPlace]:
    """Every place of ``world.yaml`` by key; a city's key is its name (a name two
    divisions share is listed under one only)."""
    with WORLD_FILE.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)
    if not isinstance(data, dict):
        raise ValueError(f"{WORLD_FILE} must hold a mapping")
    places: dict[str, WorldPlace] = {}
    for key, spec in data["countries"].items():
        places[key] = WorldPlace(key, key, None, False, _names(spec, "zh"), _names(spec, "en"))
    for country, divisions in data["divisions"].items():
        for key, spec in divisions.items():
            short = (*_names(spec, "ap"), *_names(spec, "postal"))
            en = _names(spec, "en")
            places[key] = WorldPlace(key, country, key, False, _names(spec, "zh"), en, short)
    for country, by_division in data["cities"].items():
        for division, cities in by_division.items():
            for city in cities:
                spec = city if isinstance(city, dict) else {"name": city}
                name = str(spec["name"])
                en = _names(spec, "en") or (name,)
                places.setdefault(
                    name,
                    WorldPlace(name, country, division or None, True, _names(spec, "zh"), en),
                )
    return places


def _names(spec: dict[str, Any], field: str) -> tuple[str, ...]:
    return tuple(str(n) for n in spec.get(field) or ())


@cache
def _region_aliases() -> dict[str, frozenset[str]]:
    data = gazetteer()
    aliases: dict[str, frozenset[str]] = {}
    for key, spec in data["provinces"].items():
        aliases[key] = frozenset([key, *spec["zh"], *spec["en"]])
    for city in data["cities"]:
        names = frozenset([city["name"], *city["zh"], *city["en"]])
        aliases[city["name"]] = aliases.get(city["name"], frozenset()) | names
    for key, place in world().items():
        names = frozenset([key, *place.zh, *place.en])
        aliases[key] = aliases.get(key, frozenset()) | names
    return aliases


def region_names(name: str) -> frozenset[str]:
    """Every name of the province, city, state or country that ``Region`` calls ``name``
    (its key, Chinese and English names), so a filter written as 浙江 finds
    Region("Zhejiang") and 俄亥俄州 Region("Ohio", …, "United States")."""
    return _region_aliases().get(name, frozenset([name]))


def same_place_name(a: str, b: str) -> bool:
    """Either name contains the other (浙江 ~ 浙江省, Zhejiang ~ Zhejiang Province), but a
    short Latin name (UK, USA) only whole: "usa" is in "Jerusalem"."""
    a, b = a.strip().lower(), b.strip().lower()
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    if len(short) <= 3 and short.isascii():
        return short == long_
    return short in long_

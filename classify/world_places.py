"""Places outside mainland China in English text, for the region of the event: the
names of ``domain/data/world.yaml`` (countries, the states and provinces of a few,
their main cities), a city named before its state or country ("Rockford, Ill.",
"Kisumu, Kenya") and a dateline ("SALISBURY, N.C. —"), so that a town the gazetteer
does not list still gives the city."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

from ieiwatch.domain.places import gazetteer, world

from .data_files import read_data
from .model import Region
from .rules import not_after, trie_alternatives

Where = tuple[str, str | None]
"""(area, city): the area is a state or province (``Ohio``) or, where the gazetteer
has none for the country, the country (``Kenya``)."""

Found = tuple[int, int, Where]


@cache
def world_places() -> dict[str, Where]:
    """Each name as written → where it is: a state's or a country's name gives the
    area alone, a city's its state (or its country)."""
    out: dict[str, Where] = {}
    for key, place in world().items():
        value = (place.division or place.country, key) if place.is_city else (key, None)
        for name in place.en:
            out.setdefault(name, value)
    return out


@cache
def _areas_after_city() -> dict[str, str]:
    """What may follow "City, ": a state's or country's name or a state's short form."""
    out: dict[str, str] = {}
    for key, place in world().items():
        if not place.is_city:
            for name in (*place.en, *place.after_city):
                out.setdefault(name, key)
    return out


# A place's name: one to three capitalised words ("Rockford", "Fort Wayne", "Winston-Salem",
# "St. Augustine").
_CITY = r"(?:St\.? |Saint )?[A-Z][a-z]+(?:[ -](?:[A-Z][a-z]+|[Oo]n|de|la|del)){0,2}"
# Not a town: the name of a body or a building before its place ("Purdue University, Indiana").
_NOT_A_TOWN = re.compile(
    r"\b(?:University|College|Polytechnic|School|Institute|Academy|Department|Center|Centre"
    r"|Hall|Campus|Hospital|Clinic|Park|Bank|Inc|Corp|Company|Group|Foundation|Association"
    r"|Council|Office|Ministry|Board|County|District|Region|Province|State)\b"
)


@cache
def _pair() -> re.Pattern[str]:
    """ ", Ohio" after a town: the comma first, which re finds fast; the town is read
    backwards from it (`_TOWN_BEFORE`). Not "Ohio State", "Ohio's governor": the
    state's name begins another name there."""
    return re.compile(
        rf",\s(?P<area>{trie_alternatives(_areas_after_city())})"
        r"(?![\w'’]|\s(?:State|University|College|Department)\b)"
    )


_TOWN_BEFORE = re.compile(rf"(?<![\w.])(?:{_CITY})$")


@cache
def _dateline() -> re.Pattern[str]:
    # SALISBURY, N.C. —; NAIROBI, Kenya (Reuters) -; KARACHI: (the press of South Asia);
    # wires and copy pasted into pages drop spaces: "BATTLE CREEK,Mich. —", "DETROIT—Toyota",
    # "ISLAMABAD, May 2 (APP):In"; dates come day first too: "JOHOR BAHRU, 10 April 2023-".
    # A wire's tag may stand for the dash: "WATERTOWN, S.D. (AP) Caterpillar".
    return re.compile(
        r"\s*(?P<city>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,2})"
        rf"(?:,\s?(?P<area>{trie_alternatives(_areas_after_city())}))?"
        r"(?:,\s(?:[A-Z][a-z]{2,8}\.?\s\d{1,2}|\d{1,2}\s[A-Z][a-z]{2,8}\.?)(?:,?\s\d{4})?)?"
        r"\s*(?:(?:\([^)\n]{1,40}\)|/[^/\n]{1,40}/)\s*(?:[—–-]{1,2}|:)|[—–-]{1,2}|:"
        # a wire's own tag alone, not a name spelt out: "MIT (Massachusetts …) Professor"
        r"|\((?:[A-Z]{2,5}|Reuters|Xinhua|Bernama)\))"
        r"(?:\s|(?=[A-Z]))"
    )


def with_places_abroad(text: str, found: Iterable[Found]) -> tuple[Found, ...]:
    """`found` (names of the gazetteer in `text`) with the cities named before their
    state or country and a dateline's city, which replace the names inside them."""
    extra = [*_pairs(text), *_dateline_place(text)]
    kept = [f for f in found if not any(s <= f[0] < e for s, e, _ in extra)]
    return tuple(sorted(kept + extra))


def _pairs(text: str) -> list[Found]:
    out: list[Found] = []
    last = 0
    for m in _pair().finditer(text):
        # Not from inside the pair before ("Armonk, New York, NC State"), not China's
        # place ("Taiwan, Japan" is a list).
        town = _TOWN_BEFORE.search(text, max(last, m.start() - 40), m.start())
        if town is None or town.group(0) in _china():
            continue
        area = _areas_after_city()[m.group("area")]
        if _NOT_A_TOWN.search(town.group(0)):
            # A body's name before it ("North Seattle College, Washington"): the state,
            # whose name alone would be read as another place (Washington, D.C.).
            out.append((m.start("area"), m.end(), (area, None)))
        else:
            out.append((town.start(), m.end(), _city_in(town.group(0), area)))
        last = m.end()
    return out


@cache
def _china() -> frozenset[str]:
    """The English names of China's provinces and cities (regions.yaml)."""
    data = gazetteer()
    places = [*data["provinces"].values(), *data["cities"]]
    return frozenset(name for place in places for name in place["en"])


def _dateline_place(text: str) -> list[Found]:
    m = _dateline().match(text)
    city = _town_of(m)
    if m is None or city is None:
        return []
    if m.group("area"):
        return [(m.start("city"), m.end(), _city_in(city, _areas_after_city()[m.group("area")]))]
    known = world_places().get(city)
    return [(m.start("city"), m.end("city"), known)] if known and known[1] else []


def dateline_city(text: str, region: Region) -> str | None:
    """The city of the dateline `text` opens with ("VIJAYAWADA:" → Vijayawada), listed
    or not: where the story is told from, which fills a city the text leaves open in
    `region`. Not a town the dateline or the gazetteer puts elsewhere ("DETROIT —" on
    an item whose places are in Ohio)."""
    m = _dateline().match(text)
    city = _town_of(m)
    if m is None or city is None:
        return None
    area = _areas_after_city()[m.group("area")] if m.group("area") else None
    known = world_places().get(city)
    area = area or (known[0] if known else None)
    return city if area is None or within(area, region) else None


def _town_of(dateline: re.Match[str] | None) -> str | None:
    if dateline is None:
        return None
    city = _title_case(dateline.group("city"))
    known = world_places().get(city)
    return None if _NOT_A_TOWN.search(city) or (known and known[1] is None) else city


def _city_in(city: str, area: str) -> Where:
    """A city said to be in `area` (a state or a country), under its gazetteer key
    when the gazetteer knows it there (Bangalore → Bengaluru); a state's name in the
    city's place is the state ("Michigan, U.S.")."""
    known = world_places().get(city)
    if known and known[1] is None:
        return known
    if known and area in (known[0], _country_of(known[0])):
        return known
    return area, city


def _title_case(caps: str) -> str:
    return re.sub(r"[A-Z]+", lambda m: m.group(0)[0] + m.group(0)[1:].lower(), caps)


def _country_of(area: str) -> str | None:
    place = world().get(area)
    return place.country if place else None


_NOT_A_NAME = r"(?:The|A|An|In|On|At|For|To|And|But) "
_NAME_GOES_ON = re.compile(rf" (?!{_NOT_A_NAME})[A-Z]")
_NAME_BEFORE = re.compile(
    rf"(?:[A-Z][\w.&'’-]* of (?:the )?|(?<![\w.])(?!{_NOT_A_NAME})[A-Z][a-z]+ )$"
)


def in_a_name(text: str, start: int, end: int) -> bool:
    """Whether the place at text[start:end] is part of a longer name ("Odessa College",
    "Cleveland Clinic", "University of Washington", "South Charleston"): a hint of where a
    body is, weaker than a place a sentence names."""
    return bool(
        _NAME_GOES_ON.match(text, end) or _NAME_BEFORE.search(text, max(0, start - 40), start)
    )


@cache
def _school_places() -> dict[str, Where]:
    """School name → (area, city), from schools_abroad.yaml. (Read here, not kept by
    `load`'s cache: the names are kept once, in this table.)"""
    where: dict[str, Where] = {}
    for country, divisions in read_data("schools_abroad").items():
        for division, cities in divisions.items():
            for city, names in cities.items():
                for name in names:
                    where.setdefault(str(name), (division or country, str(city)))
    return where


@cache
def _school_pattern() -> re.Pattern[str]:
    """The names of `_school_places` as one pattern: 9 MB compiled (classify/warm.py),
    built only for an item that needs the names found in its text."""
    # Not after a letter or a hyphen, checked after each name's first letter: re then
    # skips to those letters, mostly capitals, where a look-behind before the names is
    # tried at every character (twice the time).
    names = trie_alternatives(_school_places(), after_first=not_after(r"\w-"))
    return re.compile(rf"{names}(?![\w-])")


def is_known_school(name: str) -> bool:
    """Whether schools_abroad.yaml lists `name` as it is written (NJIT, KCTCS, BITS
    Pilani): a look-up in the table, without the pattern."""
    return name in _school_places()


@lru_cache(maxsize=4)
def known_schools(text: str) -> tuple[re.Match[str], ...]:
    """Where `text` names a school of schools_abroad.yaml, by any name the file lists
    (the acronyms news uses too: KAUST, NC A&T, BC3). Cached: the party finder and the
    region (`schools_named`, up to twice) read the same headline and body."""
    return tuple(_school_pattern().finditer(text))


def schools_named(title: str, body: str) -> list[Where]:
    """Where the schools an English item names are (University of Michigan: Ann Arbor),
    most-named first, the headline counting double: a school's news happens at the school
    unless the text says otherwise."""
    where = _school_places()
    counts: Counter[Where] = Counter()
    for text, weight in ((title, 2), (body, 1)):
        for m in known_schools(text):
            counts[where[m.group(0)]] += weight
    return [place for place, _ in counts.most_common()]


def within(area: str, region: Region) -> bool:
    """Whether `area` (a province, a state or a country) is `region`'s or lies in it."""
    if area == (region.province or region.country):
        return True
    country = region.country
    return region.province is None and country is not None and _country_of(area) == country


def is_abroad(area: str) -> bool:
    return area in world()


def chosen_area(counts: Counter[str]) -> str:
    """The most-mentioned area, a country's states counting towards it (one mention of
    "Ohio" and two of "Kenya" leave Kenya); in a country, its most-mentioned state."""
    places = world()
    rolled: Counter[str] = Counter()
    for area, n in counts.items():
        rolled[area] += n
        place = places.get(area)
        if place is not None and place.division:
            rolled[place.country] += n
    best = max(rolled.values())
    area = next(a for a, n in rolled.most_common() if n == best)
    states = [
        (n, a)
        for a, n in counts.items()
        if (p := places.get(a)) is not None and p.division and p.country == area
    ]
    return max(states)[1] if states else area


def area_region(area: str, city: str | None) -> Region:
    """The region of an area and a city in it: China's provinces as they were, a
    state with its country, a country alone."""
    place = world().get(area)
    if place is None:
        return Region(province=area, city=city)
    if place.division:
        return Region(province=area, city=city, country=place.country)
    return Region(province=None, city=city, country=place.country)

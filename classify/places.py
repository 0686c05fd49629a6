"""Region (province, city) and sectors of an item."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from ieiwatch.domain.places import gazetteer

from .data_files import load
from .model import Region
from .rules import alternatives, by_first_literal, compile_cue, lower_pattern
from .text import Prepared, to_simplified


@dataclass(frozen=True)
class _Places:
    pattern: re.Pattern[str]
    # matched name -> (province, city or None)
    where: dict[str, tuple[str, str | None]]


@cache
def _places(lang: str) -> _Places:
    data = gazetteer()
    where: dict[str, tuple[str, str | None]] = {}
    for prov, spec in data["provinces"].items():
        for n in spec[lang]:
            where[n] = (prov, None)
    for city in data["cities"]:
        for n in city[lang]:
            # A city name shared with a province (Beijing) names both.
            where[n] = (city["province"], city["name"])
    if lang == "en":
        pattern = re.compile(rf"\b(?:{alternatives(where)})\b")
    else:
        pattern = re.compile(alternatives(where))
    return _Places(pattern, where)


def starts_with_place(text: str, lang: str) -> bool:
    """Whether `text` (rule form: simplified zh, lower-cased en) opens with a place name."""
    return _places(lang).pattern.match(text) is not None


def find_region(prep: Prepared, ignore: Sequence[tuple[str, int, int]] = ()) -> Region | None:
    """The most mentioned city (title counts double) and its province; else
    the most mentioned province. Places inside an `ignore` span ((zone, start,
    end): a company's name such as 宁德时代) do not count, unless nothing else
    names a place."""
    return locate(prep, ignore)[0]


def locate(
    prep: Prepared, ignore: Sequence[tuple[str, int, int]] = ()
) -> tuple[Region | None, bool]:
    """`find_region`, and whether the region comes only from places inside the
    `ignore` spans (a company's name: 百胜餐饮(福州)有限公司), a weak hint that the
    publisher's own place overrides."""
    found = _count_region(prep, ignore)
    if found or not ignore:
        return found, False
    fallback = _count_region(prep, ())
    return fallback, fallback is not None


def with_publisher(
    region: Region | None,
    publisher: str | None,
    lang: str,
    *,
    held_at_publisher: bool = False,
    weak: bool = False,
) -> Region | None:
    """Fill what the text leaves open from the publisher's name (大连理工大学 ->
    Dalian): a school's news happens where the school is unless the text says
    otherwise. A region the text names is kept; only a missing city is added, and
    only when it lies in the province the text names. When the text says the event
    is held at the publisher itself (在我校…举行, "on our campus"), the publisher's
    place wins over places the text names (a partner's city); so it does when the
    text's only places are inside a company's name (`weak`) and lie in another
    province (北京某公司云南分公司 on a Yunnan school's site)."""
    if not publisher or (region and region.city and not (held_at_publisher or weak)):
        return region
    p = _places(lang)
    text = to_simplified(publisher) if lang == "zh" else publisher
    m = p.pattern.search(text)
    if not m:
        return region
    prov, city = p.where[m.group(0)]
    if region is None or (held_at_publisher and city) or (weak and prov != region.province):
        return Region(province=prov, city=city)
    return Region(province=prov, city=city) if prov == region.province and city else region


_AT_PUBLISHER = {
    "zh": re.compile(r"在(?:我校|本校|我院|本院)"),
    "en": re.compile(r"\b(?:on|at) our (?:campus|university|college|school)\b", re.IGNORECASE),
}


def held_at_publisher(prep: Prepared) -> bool:
    """Whether the title or the lead says the event takes place at the publisher
    itself (在我校…举行, "at our campus")."""
    texts = (
        (prep.title, prep.body[: prep.lead_end])
        if prep.lang == "zh"
        else (
            prep.orig_title,
            prep.orig_body[: prep.lead_end],
        )
    )
    return any(_AT_PUBLISHER[prep.lang].search(t) for t in texts)


_VENUE_BEFORE = re.compile(r"(?:在|于|held in|hosted in|took place in)\s?$")
_VENUE_WEIGHT = 3


def _count_region(prep: Prepared, ignore: Sequence[tuple[str, int, int]]) -> Region | None:
    p = _places(prep.lang)
    cities: Counter[tuple[str, str]] = Counter()
    provinces: Counter[str] = Counter()
    texts = (prep.title, prep.body) if prep.lang == "zh" else (prep.orig_title, prep.orig_body)
    for zone, text, weight in zip(("title", "body"), texts, (2, 1), strict=True):
        spans = [(s, e) for z, s, e in ignore if z == zone]
        for m in p.pattern.finditer(text):
            if any(s <= m.start() and m.end() <= e for s, e in spans):
                continue
            prov, city = p.where[m.group(0)]
            # Where it is held (在青岛召开, "held in Qingdao") says more than a name
            # that holds a place (淄博市创业职业教育集团).
            w = (
                weight * _VENUE_WEIGHT
                if _VENUE_BEFORE.search(text, max(0, m.start() - 14), m.start())
                else weight
            )
            provinces[prov] += w
            if city:
                cities[(prov, city)] += w
    if not provinces:
        return None
    # The province first (its cities count towards it), then its most-mentioned city:
    # a school named after another city (无锡某学校) does not outweigh a province the
    # item names again and again (青海某学院 … 在海东市举行).
    best = max(provinces.values())
    top = [(n, prov, c) for (prov, c), n in cities.items() if provinces[prov] == best]
    if top:
        _, prov, city = max(top, key=lambda t: t[0])
        return Region(province=prov, city=city)
    prov = next(p for p, n in provinces.most_common() if n == best)
    return Region(province=prov, city=None)


_LEADING_DATE = re.compile(r"^(?:[\s\d０-９年月日号,，、:：.（）()]|上午|下午|晚上|近日|日前)*")


def region_led(prep: Prepared) -> bool:
    """Whether the headline opens with a place (晋江举办…, "Shenzhen launches…"),
    the usual form of news about a local government's own action."""
    if prep.lang == "zh" and leading_place(prep):
        return True
    title = prep.title if prep.lang == "zh" else prep.orig_title
    title = title[date_prefix_end(title) :]
    return _places(prep.lang).pattern.match(title) is not None


def date_prefix_end(title: str) -> int:
    """Where a headline starts after its leading date and time words (the pattern also
    matches nothing, so it always matches)."""
    found = _LEADING_DATE.match(title)
    return found.end() if found else 0


_ZH_PLACE_ACTS = re.compile(
    r"[省市区县]?(?:举办|举行|召开|出台|印发|发布|启动|推进|授牌|打造|建设|实施|开展|部署)"
)
# Any 2-6 character place with its administrative unit (临江市, 经开区), for
# places missing from regions.yaml; 校区, 社区 and the like are not governments.
_ZH_ANY_PLACE = re.compile(r"[\u4e00-\u9fff]{1,5}?(?<![校社小景展赛片])(?:省|市|区|县|州)")


def leading_place(prep: Prepared) -> str | None:
    """The place whose government acts in a Chinese headline (晋江举办… -> 晋江,
    临江市召开… -> 临江市); None otherwise."""
    if prep.lang != "zh":
        return None
    skip = date_prefix_end(prep.title)
    m = _places("zh").pattern.match(prep.title, skip)
    end = m.end() if m else skip
    act = _ZH_PLACE_ACTS.match(prep.title, end) if m else None
    if act is None:
        m = _ZH_ANY_PLACE.match(prep.title, skip)
        act = _ZH_PLACE_ACTS.match(prep.title, m.end()) if m else None
        if m is None or act is None:
            return None
        end = m.end()
    assert m is not None  # an act is only looked for after a place
    unit = prep.orig_title[end : end + 1] if act.group(0)[0] in "省市区县" else ""
    return prep.orig_title[m.start() : end] + unit


@dataclass(frozen=True)
class _Sectors:
    pattern: re.Pattern[str]  # one alternation, a named group per sector
    names: tuple[str, ...]
    min_hits: int
    title_weight: int
    max_sectors: int


@cache
def _sectors(lang: str) -> _Sectors:
    data = load("sectors")
    names = tuple(name for name, spec in data["sectors"].items() if spec.get(lang))
    # One pass over the text instead of one per sector (keeps the benchmark fast).
    # English keywords start a word; saying so once lets re skip mid-word positions
    # fast (a keyword's own leading \b then says nothing more).
    words = {
        n: [lower_pattern(w.removeprefix("\\b")) if lang == "en" else w for w in spec[lang]]
        for n, spec in data["sectors"].items()
        if n in names
    }
    parts = [f"(?P<s{i}>{by_first_literal(words[n])})" for i, n in enumerate(names)]
    pattern = "|".join(parts) if lang == "zh" else rf"\b(?:{'|'.join(parts)})"
    return _Sectors(
        compile_cue(pattern, lang),
        names,
        int(data["min_hits"]),
        int(data["title_weight"]),
        int(data["max_sectors"]),
    )


def find_sectors(prep: Prepared) -> list[str]:
    s = _sectors(prep.lang)
    hits: Counter[str] = Counter()
    for text, weight in ((prep.title, s.title_weight), (prep.body, 1)):
        for m in s.pattern.finditer(text):
            hits[m.lastgroup or ""] += weight
    ranked = sorted((-n, int(g[1:])) for g, n in hits.items() if g and n >= s.min_hits)
    return [s.names[i] for _, i in ranked[: s.max_sectors]]

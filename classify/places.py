"""Region (province, city) and sectors of an item."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from ieiwatch.domain.places import gazetteer

from .data_files import load
from .model import Region
from .rules import (
    alternatives,
    by_first_literal,
    compile_cue,
    lower_pattern,
    trie_alternatives,
    word_start,
)
from .text import Prepared, to_simplified
from .world_places import (
    area_region,
    chosen_area,
    dateline_city,
    in_a_name,
    is_abroad,
    schools_named,
    with_places_abroad,
    within,
    world_places,
)


@dataclass(frozen=True)
class _Places:
    pattern: re.Pattern[str]
    # matched name -> (province, city or None)
    where: dict[str, tuple[str, str | None]]
    # Full county names (泉港区, 望江县) -> (province, city), found by their last
    # character (`_UNIT`) rather than in `pattern`: three thousand more alternatives
    # would make every scan of a text some twenty times slower.
    counties: dict[str, tuple[str, str]]
    county_lengths: tuple[int, ...]
    # A county's name without its unit (安化, 南海), where no other county's is the
    # same: a place only right after its province (湖南安化) or before 校区 (南海校区).
    short_counties: dict[str, tuple[str, str]]


_UNIT = re.compile(r"[县区市旗]")


@cache
def _places(lang: str, abroad: bool = False) -> _Places:
    """China's places in `lang`; with `abroad` (English only) the world's too, for the
    region alone: whether a headline opens with a place (`region_led`) stays China's."""
    data = gazetteer()
    where: dict[str, tuple[str, str | None]] = {}
    for prov, spec in data["provinces"].items():
        for n in spec[lang]:
            where[n] = (prov, None)
    for city in data["cities"]:
        for n in city[lang]:
            # A city name shared with a province (Beijing) names both.
            where[n] = (city["province"], city["name"])
    counties: dict[str, tuple[str, str]] = {}
    if lang == "zh":
        # A county or district names its city (泉港区, 泰兴 -> Taizhou); a name listed
        # above wins.
        below = load("places")
        for county in below["counties"]:
            for n in county["zh"]:
                if n in where or n in counties:
                    continue
                if _UNIT.match(n, len(n) - 1):
                    counties[n] = (county["province"], county["city"])
                else:
                    where[n] = (county["province"], county["city"])
        # A part of a province by its short name (冀南, 苏北) names the province.
        for prov, names in below["areas"].items():
            for n in names:
                where.setdefault(n, (prov, None))
    if lang == "en":
        if abroad:
            for name, place in world_places().items():
                where.setdefault(name, place)
        # (?!\w), not \b: a short form ends with a full stop (N.C.); and "US$" is money;
        # a hyphen and a capital join a name ("Bristol-Myers Squibb").
        # The world's two thousand names as a trie: as a plain alternation they cost a
        # third more. The \b is checked after each name's first letter (`word_start`):
        # re then skips to those letters, mostly capitals, in half the time.
        if abroad:
            names = trie_alternatives(where, after_first=word_start)
            pattern = re.compile(rf"{names}(?![\w$]|-[A-Z])")
        else:
            pattern = re.compile(rf"\b(?:{alternatives(where)})(?!\w)")
    else:
        pattern = re.compile(alternatives(where))
    lengths = tuple(sorted({len(n) for n in counties}, reverse=True))
    shorts: dict[str, list[tuple[str, str]]] = {}
    for n, place in counties.items():
        if "自治" not in n and len(n) >= 3:
            shorts.setdefault(n[:-1], []).append(place)
    short_counties = {n: ps[0] for n, ps in shorts.items() if len(ps) == 1 and n not in where}
    return _Places(pattern, where, counties, lengths, short_counties)


_CAMPUS = re.compile(r"[东南西北]?校区")


_Found = tuple[tuple[int, int, tuple[str, str | None]], ...]


@lru_cache(maxsize=16)
def _find_places(text: str, lang: str) -> _Found:
    """(start, end, (province, city)) of each place `text` names, in order: names of
    `regions.yaml`'s provinces and cities, `places.yaml`'s areas, and full county names (a county's
    match wins over a name inside it: 南安市 is Quanzhou's county-level city). Cached:
    `locate` reads the same title and body up to three times."""
    p = _places(lang, abroad=lang == "en")
    found = [(m.start(), m.end(), p.where[m.group(0)]) for m in p.pattern.finditer(text)]
    if lang == "en":
        return with_places_abroad(text, found)
    if not p.counties:
        return tuple(found)
    extra: list[tuple[int, int, tuple[str, str | None]]] = []
    for i, (start, end, (prov, city)) in enumerate(found):
        if city is None:
            # 湖南安化第一茶厂: a county's short name right after its province.
            for n in (3, 2):
                hit = p.short_counties.get(text[end : end + n])
                if hit and hit[0] == prov:
                    found[i] = (start, end + n, hit)
                    break
    for m in _CAMPUS.finditer(text):
        # 南海北校区, 奉贤校区: a campus named after its district.
        for n in (3, 2):
            hit = p.short_counties.get(text[max(0, m.start() - n) : m.start()])
            if hit and m.start() >= n:
                extra.append((m.start() - n, m.start(), hit))
                break
    last = -1
    for m in _UNIT.finditer(text):
        end = m.end()
        for n in p.county_lengths:
            start = end - n
            if start <= last:
                continue
            hit = p.counties.get(text[start:end]) if start >= 0 else None
            if hit:
                extra.append((start, end, hit))
                last = end - 1
                break
    if not extra:
        return tuple(found)
    kept = [f for f in found if not any(s <= f[0] < e for s, e, _ in extra)]
    return tuple(sorted(kept + extra))


def starts_with_place(text: str, lang: str) -> bool:
    """Whether `text` (rule form: simplified zh, lower-cased en) opens with a place name."""
    return _places(lang).pattern.match(text) is not None


def find_region(prep: Prepared, ignore: Sequence[tuple[str, int, int]] = ()) -> Region | None:
    """Where the item says the event is held (在南京揭牌), else the most mentioned
    city (title counts double) and its province, else the most mentioned province;
    then the city of a school it names (`locate`). Places inside an `ignore` span
    ((zone, start, end): a company's name such as 宁德时代) do not count, unless
    nothing else names a place."""
    return locate(prep, ignore)[0]


def locate(
    prep: Prepared, ignore: Sequence[tuple[str, int, int]] = ()
) -> tuple[Region | None, bool]:
    """`find_region`, and whether the region comes only from places inside the
    `ignore` spans (a company's name: 百胜餐饮(福州)有限公司), a weak hint that the
    publisher's own place overrides. A city inside a company's name fills the city
    of the province the text names. A school the item names whose city is known
    (湖南环境生物职业技术学院, in Hengyang) gives the city the text leaves open in its
    province, the region when the text names no place, and outweighs a place only
    a company's name gives (黎明职业大学 + 百胜餐饮(福州)有限公司 -> Quanzhou). A
    ministry's own meeting with no place named (教育部召开…) is in Beijing."""
    found = _count_region(prep, ignore)
    if found and found.city and found.province is None:
        # A dateline's town the gazetteer lacks ("SOUTHFIELD—"): a school the item names
        # in that town gives its state.
        named = _schools_named(prep)
        found = next((area_region(p, c) for p, c in named if c == found.city), found)
    if found and found.city:
        return found, False
    if found and ignore:
        # A city only a company's name gives, in the province the text names
        # (浙江某学院 + 嘉兴市某公司), is that province's city.
        whole = _count_region(prep, ())
        if whole and whole.city and whole.province == found.province:
            return whole, False
    schools = _schools_named(prep)
    if found:
        return next((area_region(p, c) for p, c in schools if c and within(p, found)), found), False
    if schools:
        prov, city = schools[0]
        return area_region(prov, city), False
    fallback = _count_region(prep, ()) if ignore else None
    if (
        fallback is None
        and prep.lang == "zh"
        and _NATIONAL.match(prep.title, date_prefix_end(prep.title))
    ):
        # A ministry's own meeting or release (教育部…对接会, 国家发展改革委举行…发布会)
        # with no place named is held where the ministry is.
        return Region(province="Beijing", city="Beijing"), False
    return fallback, fallback is not None


_NATIONAL = re.compile(
    r"(?:第[^\s，。]{1,4}届)?(?:中共中央|国务院|全国人大|(?:国家)?发展改革委|国家发改委|教育部|科技部|"
    r"工业和信息化部|工信部|人力资源和社会保障部|人社部|财政部)"
)


@cache
def _schools() -> tuple[dict[str, tuple[str, str]], tuple[int, ...]]:
    """School name -> (province, city), from places.yaml's `schools`, and the lengths
    of the names."""
    where = {
        n: (entry["province"], entry["city"])
        for entry in load("places")["schools"]
        for n in entry["zh"]
    }
    return where, tuple(sorted({len(n) for n in where}, reverse=True))


# 江苏大学生 is students of Jiangsu, not 江苏大学 (in Zhenjiang).
_SCHOOL_END = re.compile(r"大学(?!生)|学院|学校")


def school_place(name: str) -> tuple[str, str] | None:
    """(province, city) of a school's name, or of a unit's (湖南科技大学商学院 -> the
    university's), when places.yaml lists the school; else None."""
    where, _ = _schools()
    name = to_simplified(name)
    for m in _SCHOOL_END.finditer(name):
        hit = where.get(name[: m.end()])
        if hit:
            return hit
    return None


def _schools_named(prep: Prepared) -> list[tuple[str, str | None]]:
    """(province, city) of the schools a Chinese item names that places.yaml lists,
    most-named first (the headline counts double); for an English item, (area, city)
    of those schools_abroad.yaml lists."""
    if prep.lang != "zh":
        return schools_named(prep.orig_title, prep.orig_body)
    where, lengths = _schools()
    counts: Counter[tuple[str, str | None]] = Counter()
    for text, weight in ((prep.title, 2), (prep.body, 1)):
        for m in _SCHOOL_END.finditer(text):
            end = m.end()
            for n in lengths:
                hit = where.get(text[max(0, end - n) : end]) if n <= end else None
                if hit:
                    counts[hit] += weight
                    break
    return [place for place, _ in counts.most_common()]


def with_publisher(
    region: Region | None,
    publisher: str | None,
    lang: str,
    *,
    held_at_publisher: bool = False,
    weak: bool = False,
) -> Region | None:
    """Fill what the text leaves open from the publisher: the city places.yaml lists
    for the school (浙江工商大学 -> Hangzhou), else a place in its name (大连理工大学 ->
    Dalian): a school's news happens where the school is unless the text says
    otherwise. A region the text names is kept; only a missing city is added, and
    only when it lies in the province the text names. When the text says the event
    is held at the publisher itself (在我校…举行, "on our campus"), the publisher's
    place wins over places the text names (a partner's city); so it does when the
    text's only places are inside a company's name (`weak`) and lie in another
    province (北京某公司云南分公司 on a Yunnan school's site)."""
    if not publisher or (region and region.city and not (held_at_publisher or weak)):
        return region
    text = to_simplified(publisher) if lang == "zh" else publisher
    # The school's own city (浙江工商大学 -> Hangzhou), else a place in its name.
    known = school_place(text) if lang == "zh" else None
    named = None if known else next(iter(_find_places(text, lang)), None)
    if known:
        prov, city_ = known
        city: str | None = city_
    elif named:
        prov, city = named[2]
    else:
        return region
    if region is None or (held_at_publisher and city) or (weak and prov != region.province):
        return area_region(prov, city)
    return area_region(prov, city) if prov == region.province and city else region


_AT_PUBLISHER = {
    # 在学校…举行 on a school's own site is the publisher too; 在学校的支持下 is no venue.
    "zh": re.compile(
        r"在(?:我校|本校|我院|本院|(?:学校|学院)(?=[^，。,]{0,20}?(?:举行|召开|举办)))"
    ),
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


_VENUE_BEFORE = re.compile(r"(?:在|于|赴|held in|hosted in|took place in)\s?$")
_VENUE_WEIGHT = 3


def _count_region(prep: Prepared, ignore: Sequence[tuple[str, int, int]]) -> Region | None:
    region = _counted_region(prep, ignore)
    if region is not None and region.country and region.city is None:
        # Abroad, a dateline's town the gazetteer does not list ("SERDANG:") is the city.
        return dataclasses.replace(region, city=dateline_city(prep.orig_body, region))
    return region


def _counted_region(prep: Prepared, ignore: Sequence[tuple[str, int, int]]) -> Region | None:
    cities: Counter[tuple[str, str]] = Counter()
    provinces: Counter[str] = Counter()
    # Places the item says the event is held at (在南京揭牌, "held in Qingdao").
    venues: Counter[tuple[str, str | None]] = Counter()
    texts = (prep.title, prep.body) if prep.lang == "zh" else (prep.orig_title, prep.orig_body)
    held = _HELD_AFTER.get(prep.lang)
    # Weights doubled (headline 4, body 2) so that half a mention stays a whole number.
    for zone, text, weight in zip(("title", "body"), texts, (4, 2), strict=True):
        spans = [(s, e) for z, s, e in ignore if z == zone]
        for start, end, (prov, city) in _find_places(text, prep.lang):
            if any(s <= start and end <= e for s, e in spans):
                continue
            # Where it is held (在青岛召开, "held in Qingdao") says more than a name
            # that holds a place (淄博市创业职业教育集团).
            at = _VENUE_BEFORE.search(text, max(0, start - 14), start) is not None
            w = weight * _VENUE_WEIGHT if at else weight
            if prep.lang == "en" and in_a_name(text, start, end):
                w //= 2
            provinces[prov] += w
            if city:
                cities[(prov, city)] += w
            if at and (held is None or held.match(text, end)):
                venues[(prov, city)] += weight
    if not provinces:
        return None
    if venues:
        # A stated venue decides (青州大学…在南京揭牌 is Nanjing), its city or else the
        # most-mentioned city of its province.
        by_prov: Counter[str] = Counter()
        for (prov, _), n in venues.items():
            by_prov[prov] += n
        prov = by_prov.most_common(1)[0][0]
        named = [(n, c) for (p, c), n in venues.items() if p == prov and c]
        named = named or [(n, c) for (p, c), n in cities.items() if p == prov]
        return area_region(prov, max(named)[1] if named else None)
    if any(is_abroad(p) for p in provinces):
        # Abroad, a country's states count towards it before its most-named state wins.
        area = chosen_area(provinces)
        named = [(n, c) for (p, c), n in cities.items() if p == area]
        return area_region(area, max(named)[1] if named else None)
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


# What a Chinese venue is followed by: the act held there, in the same clause.
_HELD_AFTER = {
    "zh": re.compile(
        r"[^。，,；;！!？?、]{0,16}?(?:举行|召开|举办|揭牌|签约|签署|成立|开班|设立|落户|启动|开幕|揭幕|授牌)"
    )
}


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
    pattern: re.Pattern[str]  # every sector's keywords in one alternation, in order
    each: tuple[re.Pattern[str], ...]  # one sector's keywords, for naming a match
    names: tuple[str, ...]
    min_hits: int
    title_weight: int
    max_sectors: int

    def sector_at(self, text: str, pos: int) -> int:
        """The sector whose keyword `pattern` matched at `pos`: the first whose own
        keywords match there, as the alternation tries them in that order."""
        return next(i for i, p in enumerate(self.each) if p.match(text, pos))


@cache
def _sectors(lang: str) -> _Sectors:
    data = load("sectors")
    names = tuple(name for name, spec in data["sectors"].items() if spec.get(lang))
    # One pass over the text instead of one per sector (keeps the benchmark fast), with
    # no group per sector: re tries each group at every position, several times slower.
    # English keywords start a word; saying so once lets re skip mid-word positions
    # fast (a keyword's own leading \b then says nothing more).
    words = [
        [
            lower_pattern(w.removeprefix("\\b")) if lang == "en" else w
            for w in data["sectors"][n][lang]
        ]
        for n in names
    ]
    start = "" if lang == "zh" else r"\b"
    return _Sectors(
        compile_cue(start + f"(?:{by_first_literal([w for ws in words for w in ws])})", lang),
        tuple(compile_cue(start + f"(?:{by_first_literal(ws)})", lang) for ws in words),
        names,
        int(data["min_hits"]),
        int(data["title_weight"]),
        int(data["max_sectors"]),
    )


def find_sectors(prep: Prepared) -> list[str]:
    s = _sectors(prep.lang)
    hits: Counter[int] = Counter()
    for text, weight in ((prep.title, s.title_weight), (prep.body, 1)):
        for m in s.pattern.finditer(text):
            hits[s.sector_at(text, m.start())] += weight
    ranked = sorted((-n, i) for i, n in hits.items() if n >= s.min_hits)
    return [s.names[i] for _, i in ranked[: s.max_sectors]]

"""Finding the organisations named in an item, and what kind each one is."""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import Any

from ieiwatch.domain.places import gazetteer

from .data_files import load
from .model import EDUCATION_KINDS, Party, PartyKind
from .places import leading_place, starts_with_place
from .prefilter import Cue
from .rules import alternation, alternatives, not_after
from .text import Prepared, to_simplified
from .world_places import is_known_school, known_schools

MAX_PARTIES = 12
_OPEN_QUOTES = '“"「『《‘'


@dataclass(frozen=True)
class Found:
    """A party and where it was seen; `slot` marks names known only from their
    place in a cooperation sentence ("with Alibaba", "与华为签约")."""

    party: Party
    zone: str  # "title" or "body"
    pos: int
    slot: bool = False
    venue: bool = False  # named as the place of the event (在滨江大学材料学院举行)
    self_ref: bool = False  # 我校, 学校, "our university"
    paired: bool = False  # a self-reference next to another school (我校与某大学)
    # A group described, not named ("seven community colleges", "a network of
    # colleges"): it counts for scoring, and is shown only when nobody on its side
    # (schools, or partners) is named.
    unnamed: bool = False
    # "local manufacturers", "area employers": counts for scoring, never shown.
    vague: bool = False


def extract(prep: Prepared) -> list[Found]:
    """All parties of the item, title first, de-duplicated, at most MAX_PARTIES."""
    if prep.lang == "zh":
        found = _extract_zh(prep.title, prep.orig_title, "title") + _extract_zh(
            prep.body, prep.orig_body, "body"
        )
        found = _zh_units(_zh_qualify(prep, _zh_publisher(prep, found) + found))
        brand = _zh_rules().brand_re
    else:  # English names need their capitals: read the original text
        found = _extract_en(prep.orig_title, "title", prep.orig_body) + _extract_en(
            prep.orig_body, "body", prep.orig_title
        )
        found = [
            _en_school_kind(f)
            for f in _en_units(_en_spelled_out(found, prep.orig_body), prep.orig_body)
        ]
        if not any(f.party.kind in EDUCATION_KINDS for f in found):
            found += _en_known_schools(prep.orig_title, "title", found) + _en_known_schools(
                prep.orig_body, "body", found
            )
        brand = _en_rules().brand_re
    return _dedupe(_brands_are_enterprises(found, brand))[:MAX_PARTIES]


def _brands_are_enterprises(found: list[Found], brand: re.Pattern[str]) -> list[Found]:
    """A name of unknown kind found in a slot that is a company known by its brand
    (我校与华为签约, "Kia" in a headline's slot) is an enterprise."""
    return [
        dataclasses.replace(f, party=Party(f.party.name, "enterprise"))
        if f.party.kind == "other" and brand.fullmatch(to_simplified(f.party.name))
        else f
        for f in found
    ]


# "the University of California, San Francisco (UCSF)": a name and the short form it
# defines; the words before the brackets are read back to the short form's first letter.
_DEFINED_WORD = r"(?:[A-Z][\w&'’.-]*,?|of|for|and|the|de|do|da|bin|at|&)"
_DEFINED = re.compile(
    rf"({_DEFINED_WORD}(?:[ ]+{_DEFINED_WORD}){{1,11}})[ ]*\(([A-Z][A-Za-z&-]{{1,9}})\)"
)


# Where a definition can be: `_DEFINED` is words, spaces and , . - & ’ ' up to a short
# form's bracket, so a match starts in the run of those characters right before one. Its
# tries at every capital and "of" of a text cost a tenth of a millisecond an article;
# read in these runs only, it finds the same definitions in a fraction of that.
_DEFINED_SPAN = re.compile(r"(?<![\w&'’.,\- ])[\w&'’.,\- ]*+\([A-Z][A-Za-z&-]{1,9}\)")


def _definitions(body: str) -> Iterator[re.Match[str]]:
    """`_DEFINED`'s matches in `body`, as its scan of the whole body finds them."""
    for span in _DEFINED_SPAN.finditer(body):
        yield from _DEFINED.finditer(body, span.start(), span.end())


_NAME_ALIAS = re.compile(r"(.+?)\s*\(([A-Z][A-Za-z&-]{1,9})\)")


def _long_form(short: str, words: str) -> str | None:
    """The shortest tail of `words` that spells `short` (Schwartz and Hearst's
    abbreviation match: each letter in order, the first one opening a word)."""
    letters = [c.lower() for c in short if c.isalnum()]
    if len(letters) < 2:
        return None
    text = words.rstrip(", ")
    i = len(text) - 1
    for k in range(len(letters) - 1, -1, -1):
        c = letters[k]
        while i >= 0 and (text[i].lower() != c or (k == 0 and i > 0 and text[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
    long = text[i + 1 :]
    first = long.split()[0] if long.split() else ""
    if not first[:1].isupper() or len(long.split()) < 2 or len(long.split()) > len(letters) + 4:
        return None
    return long.rstrip(",")


def _en_spelled_out(found: list[Found], body: str) -> list[Found]:
    """A party named by a short form the body spells out ("UCSF" with "the University
    of California, San Francisco (UCSF)", "UIU") is shown by its full name."""
    if "(" not in body:
        return found
    spelled: dict[str, str] = {}
    for m in _definitions(body):
        long = _long_form(m.group(2), m.group(1))
        if long:
            spelled.setdefault(m.group(2), long)
    if not spelled:
        return found
    r = _en_rules()
    out = []
    for f in found:
        long = spelled.get(f.party.name)
        tail = _NAME_ALIAS.fullmatch(f.party.name)
        if not long and tail and spelled.get(tail.group(2), "").endswith(tail.group(1)):
            long = spelled[tail.group(2)]  # "San Francisco (UCSF)": the tail of the comma
        if long and not f.self_ref and not f.unnamed:
            named = _named(long.replace(",", "").split(), r)
            kind = named[1] if named and named[1] != "other" else f.party.kind
            f = dataclasses.replace(f, party=Party(long, kind))
        out.append(f)
    return out


def _en_units(found: list[Found], body: str) -> list[Found]:
    """A name the body calls a unit of a school ("WMG, at The University of Warwick")
    is that unit wherever it is named (the headline's "WMG and Binghamton University");
    a slot name the body describes as a school ("Crestline, a technical training
    institute") is a school wherever it is named."""
    units = {
        f.party.name for f in found if f.slot and f.zone == "body" and f.party.kind == "college"
    }
    units = {
        n
        for n in units
        if any(_UNIT_OF_SCHOOL.match(body, m.end()) for m in re.finditer(re.escape(n), body))
    }
    out = []
    for f in found:
        if f.party.name in units:
            f = dataclasses.replace(f, party=Party(f.party.name, "college"))
        elif f.slot and f.party.kind not in EDUCATION_KINDS:
            # "… with Crestline" in the headline, "Crestline, a technical training
            # institute" in the body: the body says what it is
            for m in re.finditer(re.escape(f.party.name), body):
                kind = _described_kind(body, m.end())
                if kind:
                    f = dataclasses.replace(f, party=Party(f.party.name, kind))
                    break
        out.append(f)
    return out


# Kinds that a school's own unit may carry (某大学材料学院产业技术研究院, 某学院检测中心).
_UNIT_KINDS = frozenset({"research_institute", "other"})


def _zh_units(found: list[Found]) -> list[Found]:
    """An institute or centre whose name opens with a school found in the item
    (材料科学与工程学院产业技术研究院) is that school's unit, not a partner of it."""
    schools = [f.party.name for f in found if f.party.kind in EDUCATION_KINDS and not f.self_ref]
    units = {
        f.party.name
        for f in found
        if f.party.kind in _UNIT_KINDS
        and any(f.party.name.startswith(s) and len(f.party.name) > len(s) for s in schools)
    }
    out = []
    for f in found:
        name = f.party.name
        # …and the same unit named again without its school (到产业技术研究院参观)
        if f.party.kind in _UNIT_KINDS and any(u.endswith(name) for u in units):
            f = dataclasses.replace(f, party=Party(name, "college"))
        out.append(f)
    return out


# The named schools a self-reference can stand for: 我校/学校 a university or a
# vocational school (not 建筑工程学院, a department), 我院 a college too.
_SELF_RESOLVED_BY = {
    "university": frozenset({"university", "vocational_school"}),
    "college": frozenset({"college", "vocational_school"}),
    "enterprise": frozenset({"enterprise"}),
}


def shown(found: list[Found]) -> list[Found]:
    """The parties to show. A self-reference (学校, 我校, "our university") is
    dropped when the school is named (the publisher names itself in the title or
    text), unless it stands next to another school (我校与某大学签约); 学校 and
    我校 in one item are one party. A school's own unit (生命科学学院) does not name
    the school: 学校 stays beside it."""
    kinds = {f.party.kind for f in found if not f.self_ref and not zh_sub_unit(f.party.name)}
    named_sides = {f.party.kind in EDUCATION_KINDS for f in found if not f.unnamed}
    out: list[Found] = []
    selves: set[str] = set()
    for f in found:
        if f.vague or (f.unnamed and (f.party.kind in EDUCATION_KINDS) in named_sides):
            continue
        if f.self_ref and not f.paired:
            if kinds & _SELF_RESOLVED_BY.get(f.party.kind, set()) or f.party.kind in selves:
                continue
            selves.add(f.party.kind)
        out.append(f)
    return out


# Words that only a school of its own carries (澄州职业技术学院, 某某师范学院).
_ZH_SCHOOL_OF_ITS_OWN = re.compile(r"大学|职业|师范|专科|技师|高等")
# 海洋与生化工程学院 is ten characters; longer names are schools of their own.
_MAX_UNIT_CHARS = 10


@lru_cache(maxsize=4096)
def zh_sub_unit(name: str) -> bool:
    """A Chinese school's unit named by its subject alone (计测工程学院, 生命科学学院),
    not a school of its own (no place, no 大学/职业/师范 …, at most ten characters)."""
    if not name.endswith("学院") or _ZH_SCHOOL_OF_ITS_OWN.search(name):
        return False
    if len(name) > _MAX_UNIT_CHARS or name == "学院":
        return False
    return not starts_with_place(to_simplified(name), "zh")


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """A name compared with another: letters and digits only, simplified, lower case."""
    return re.sub(r"[\W_]+", "", to_simplified(name)).lower()


def _dedupe(found: list[Found]) -> list[Found]:
    # A name contained in a longer one of the same kind is the same party
    # (菏泽职业学院 in 山东菏泽职业学院); keep the longer, at the earlier position.
    ordered = sorted(found, key=lambda f: (f.zone != "title", f.pos))
    kept: list[Found] = []
    keys: list[str] = []
    for f in ordered:
        key = name_key(f.party.name)
        if key and not _merge_into(kept, keys, f, key):
            kept.append(f)
            keys.append(key)
    return kept


def _short_form(short: str, long: str) -> bool:
    """恒远集团 for 恒远新能源集团有限公司, 华为公司 for 华为技术有限公司: the same
    opening and organisation suffix (Chinese names only)."""
    if (
        len(short) > len(long)
        or short == long
        or not short
        or not "\u4e00" <= short[-1] <= "\u9fff"
    ):
        return False
    m = _zh_rules().suffix_re.search(short, max(0, len(short) - 6))
    while m and m.end() != len(short):
        m = _zh_rules().suffix_re.search(short, m.start() + 1)
    if not m or m.start() < 2:
        return False
    head = short[: m.start()]
    if m.group(0) in _GROUP_SUFFIXES and _zh_rules().suffix_re.search(long):
        # 华为集团 / 华为公司 for 华为技术有限公司, 春秋集团 beside 春秋航空股份有限公司,
        # 凯悦酒店集团 beside 宁波杭州湾凯悦酒店有限公司: a brand's group or company.
        return head in long
    at = long.find(head, 0, len(head) + 3)  # after a province: 江苏德丰建设集团 for 德丰集团
    return at >= 0 and m.group(0) in long[at + len(head) :]


def company_brand(name: str) -> str:
    """A Chinese company's brand: its name up to its first organisation suffix, less a
    trade word (天士力控股集团 -> 天士力, 华为技术有限公司 -> 华为)."""
    r = _zh_rules()
    m = r.suffix_re.search(name)
    head = name[: m.start()] if m else name
    for cut in ("控股", "科技", "股份", "技术", "实业"):
        if head.endswith(cut) and len(head) - len(cut) >= 2:
            head = head[: -len(cut)]
    return head


# A company named by its brand and a bare 集团/公司 (华为公司) is the brand's company.
_GROUP_SUFFIXES = frozenset({"集团", "公司", "集团公司"})


def _same_side(a: Party, b: Party) -> bool:
    """Same kind, or both English schools ("Cincinnati State" in "Cincinnati State
    Technical and Community College"). A Chinese school and its 学院 stay two
    (淮阴工学院, 淮阴工学院人文学院: the unit is sorted out by principal.py)."""
    if a.kind == b.kind:
        return True
    english = a.name.isascii() and b.name.isascii()
    return english and a.kind in EDUCATION_KINDS and b.kind in EDUCATION_KINDS


# What a company sets up with a school, named after it ("Microsoft Skill Center",
# "Siemens Automation Lab"): the company found by itself is a party of its own.
_EN_BUILT_AFTER = re.compile(r"\s(?:Cent(?:er|re)|Labs?|Laborator(?:y|ies)|Hub)$")


def _built_after(short: Party, long: Party) -> bool:
    """Also where the company is one of the names it is named after: "MIT–IBM Watson AI
    Lab" holds IBM, which is a party of its own."""
    # Cheapest test first: the pattern built from the name is compiled anew for most
    # names (re's cache holds 512), and nearly every pair fails the tests before it.
    return (
        short.kind in ("enterprise", "other")
        and long.kind != "enterprise"
        and short.name in long.name
        and bool(_EN_BUILT_AFTER.search(long.name))
        and bool(re.search(rf"(?:^|[\s–-]){re.escape(short.name)}\s", long.name))
    )


def _merge_into(kept: list[Found], keys: list[str], f: Found, key: str) -> bool:
    for i, (k, other) in enumerate(zip(kept, keys, strict=True)):
        if key != other and (_built_after(f.party, k.party) or _built_after(k.party, f.party)):
            continue
        if key == other or (key in other and (f.slot or _same_side(k.party, f.party))):
            if k.venue and not f.venue and key != other:
                # 滨江大学 named as a party beats 滨江大学材料学院 named as the venue
                kept[i], keys[i] = dataclasses.replace(f, zone=k.zone, pos=k.pos), key
            return True
        if other in key and (_same_side(k.party, f.party) or k.slot):
            if not f.venue:  # the venue (在滨江大学材料学院举行) does not rename a party
                kept[i] = dataclasses.replace(f, zone=k.zone, pos=k.pos, slot=k.slot and f.slot)
                keys[i] = key
            return True
    for i, (k, other) in enumerate(zip(kept, keys, strict=True)):
        if k.party.kind != f.party.kind:
            continue
        if _short_form(key, other):
            return True
        if _short_form(other, key):
            if not f.venue:
                kept[i] = dataclasses.replace(f, zone=k.zone, pos=k.pos)
                keys[i] = key
            return True
    return False


# ---------------------------------------------------------------- Chinese ----


@dataclass(frozen=True)
class _ZhRules:
    suffix_re: re.Pattern[str]
    suffix_kind: dict[str, str]
    not_followed: dict[str, str]
    window_re: re.Pattern[str]
    boundary_re: re.Pattern[str]
    strip_after_digit: tuple[str, ...]
    strip_prefixes: tuple[str, ...]
    strip_leading_before: dict[str, str]
    generic: frozenset[str]
    generic_re: re.Pattern[str]
    created_end_re: re.Pattern[str]
    created_after_re: re.Pattern[str]
    created_before_re: re.Pattern[str]
    self_re: re.Pattern[str]
    self_kind: dict[str, str]
    official_re: re.Pattern[str]
    aggregate_re: re.Pattern[str]
    aggregate_kind: dict[str, str]
    slot_re: re.Pattern[str]
    slot_exclude_re: re.Pattern[str]
    internal_re: re.Pattern[str]
    min_len: int
    max_len: int
    joined_re: re.Pattern[str]
    opener_re: re.Pattern[str]
    after_name_re: re.Pattern[str]
    brand_re: re.Pattern[str]
    brand_context_re: re.Pattern[str]
    person_titles: frozenset[str]


@cache
def _zh_rules() -> _ZhRules:
    z: dict[str, Any] = load("orgs")["zh"]
    suffix_kind = {s: kind for kind, items in z["suffixes"].items() for s in items}
    self_kind = {w: kind for kind, items in z["self_references"].items() for w in items}
    agg_kind = {n: kind for kind, items in z["aggregates"]["nouns"].items() for n in items}
    coop = "与|和|签署|签订|签约|举行|举办|召开|聘请|共建|合作|揭牌|授牌|携手|联合|分别|捐赠|捐建"
    selfs = alternatives(self_kind)
    return _ZhRules(
        suffix_re=re.compile(alternation(suffix_kind)),
        suffix_kind=suffix_kind,
        not_followed={k: "".join(v) for k, v in z["suffix_not_followed_by"].items()},
        window_re=re.compile(f"[{z['name_chars']}]{{1,{int(z['max_name_length'])}}}$"),
        boundary_re=re.compile(alternation(z["boundaries"])),
        person_titles=frozenset(z["person_titles"]),
        strip_after_digit=tuple(sorted(z["strip_after_digit"], key=len, reverse=True)),
        strip_prefixes=tuple(sorted(z["strip_prefixes"], key=len, reverse=True)),
        strip_leading_before={k: "".join(v) for k, v in z["strip_leading_before"].items()},
        generic=frozenset(z["generic_names"]),
        generic_re=re.compile("|".join(f"(?:{p})" for p in z["generic_patterns"])),
        created_end_re=re.compile(alternation(z["created_endings"]) + "$"),
        created_after_re=re.compile(alternation(z["created_after"]) + f"的?[{_OPEN_QUOTES}]?$"),
        created_before_re=re.compile(alternation(z["created_before"])),
        self_re=re.compile(
            f"({selfs})(?=[^。！？；\\n]{{0,16}}?(?:{coop}))|(?<=[与和同及向])({selfs})"
        ),
        self_kind=self_kind,
        official_re=re.compile(alternation(z["self_officials"])),
        aggregate_re=re.compile(f"(?:{z['aggregates']['pattern']})({alternatives(agg_kind)})"),
        aggregate_kind=agg_kind,
        slot_re=re.compile(
            "(?:与|和|同|携手|牵手)([\u4e00-\u9fffA-Za-z]{2,8}?)"
            "(?=(?:日前|近日|今日|昨日|正式|成功)?(?:在[^，。、；]{1,15}?)?"
            "(?:签署|签订|签约|共建|合作|联合|达成|共同|举行|开展|就))"
        ),
        slot_exclude_re=re.compile(alternation(z["slot_exclude"])),
        internal_re=re.compile(alternation(z["internal_suffixes"]) + "$"),
        min_len=int(z["min_name_length"]),
        max_len=int(z["max_name_length"]),
        joined_re=_joined_re(z),
        after_name_re=re.compile(alternation(suffix_kind) + "[为向对给把将被]"),
        brand_re=re.compile(
            alternation(z["known_companies"])
            + f"(?!{alternatives(z['known_companies_not_followed_by'])})"
        ),
        brand_context_re=re.compile(alternation(z["known_companies_context"])),
        opener_re=re.compile(
            f"(?!{alternatives(z['opener_exceptions'])})"
            f"(?:{alternatives(z['verb_openers'])}|{'|'.join(z['opener_patterns'])})"
        ),
    )


def _joined_re(z: dict[str, Any]) -> re.Pattern[str]:
    fields = alternation(z["joined_fields"])
    units = alternation(z["joined_units"])
    school = f"{fields}{{1,2}}[与和]{fields}{{1,3}}(?={units})"
    return re.compile(f"{alternation(z['joined_names'])}|{school}")


def _zh_kind(name: str, suffix_kind: str) -> str:
    kind = suffix_kind
    if kind == "college" and "大学" in name:
        kind = "university"
    if kind in ("college", "university") and re.search("职业|职教|技师|高职|中职|技工", name):
        kind = "vocational_school"
    return kind


def _zh_strip(name: str, r: _ZhRules, prev_char: str) -> str:
    if prev_char.isdigit():
        name = name[len(next((p for p in r.strip_after_digit if name.startswith(p)), "")) :]
    changed = True
    while changed and name:
        changed = False
        name = name.lstrip("()（）·")
        for p in r.strip_prefixes:
            if name.startswith(p) and len(name) > len(p) + 1:
                name, changed = name[len(p) :], True
                break
        follow = r.strip_leading_before.get(name[:1])
        if follow and name[1:2] and name[1] in follow:
            name, changed = name[1:], True
    return name


def _balanced(name: str) -> bool:
    opened = name.count("(") + name.count("（")
    return opened == name.count(")") + name.count("）")


def _zh_is_party(name: str, suffix: str, r: _ZhRules) -> bool:
    if len(name) < r.min_len or name == suffix or name in r.generic or not _balanced(name):
        return False
    if r.generic_re.search(name) or r.created_end_re.search(name):
        return False
    return not _internal_body(name, r)


def _internal_body(name: str, r: _ZhRules) -> bool:
    """郑州某大学党委, 某研究所党委: the body of a school, company or institute."""
    m = r.internal_re.search(name)
    if not m or m.start() == 0:
        return False
    base = r.suffix_re.search(name[: m.start()][-8:])
    return base is not None and r.suffix_kind[base.group(0)] != "government"


def _joined_at(text: str, pos: int, r: _ZhRules) -> bool:
    """Whether the 和/与 at `pos` is part of a name (市工业和信息化局, 经济与管理学院)."""
    return any(
        j.start() <= pos < j.end()
        for j in r.joined_re.finditer(text, max(0, pos - 12), min(len(text), pos + 16))
    )


def _zh_candidate(text: str, orig: str, m: re.Match[str], r: _ZhRules) -> tuple[int, str] | None:
    """The name ending with suffix match `m`, or None when it is no party."""
    suffix = m.group(0)
    nxt = text[m.end() : m.end() + 1]
    if nxt and nxt in r.not_followed.get(suffix, ""):
        return None
    win = r.window_re.search(text, max(0, m.start() - r.max_len), m.start())
    start = win.start() if win else m.start()
    # (from a little before the window: a boundary word cut by it, 来|自, still counts)
    for b in r.boundary_re.finditer(text, max(0, start - 3), m.start()):
        if b.end() > start and not (
            (b.group(0) in "和与" and _joined_at(text, b.start(), r))
            # 高等 and 中等 inside a name (某某高等职业技术学校): no list's 等
            or (b.group(0) == "等" and b.start() > 0 and text[b.start() - 1] in "高中")
        ):
            start = b.end()
    # 德丰集团为德丰学院: a function word after another name ends that name (为 is
    # no boundary of its own: 华为).
    for f in r.after_name_re.finditer(text, start, m.start()):
        start = f.end()
    raw = text[start : m.end()]
    name = _zh_strip(raw, r, text[start - 1] if start else "")
    start += len(raw) - len(name)
    # A name never opens with a verb (部署市域产教联合体): cut it off; what
    # follows a verb of creation is then the thing built, not a party.
    while (op := r.opener_re.match(text, start, m.start())) and op.end() < m.start():
        start = op.end()
        name = _zh_strip(text[start : m.end()], r, "")
        start = m.end() - len(name)
    if not _zh_is_party(name, suffix, r):
        return None
    if start and (
        text[start - 1] in _OPEN_QUOTES or r.created_after_re.search(text, max(0, start - 7), start)
    ):
        return None  # quoted or just built: a brand, a document or the thing created
    if r.suffix_kind[suffix] in _BUILT_KINDS and r.created_before_re.match(text, m.end()):
        return None  # 恒远储能研究院揭牌成立: the thing unveiled
    return start, orig[start : m.end()]


# Kinds of names that can be what a cooperation builds (a research institute, a
# college, a centre); an alliance that is formed stays a party (it acts later).
_BUILT_KINDS = frozenset({"research_institute", "college", "other"})
_VENUE_BEFORE = re.compile(r"(?:在|于)$")
_VENUE_AFTER = re.compile(r"[^，。；！？\n]{0,12}?(?:举行|举办|召开|隆重举行|开幕|进行)")


def _zh_named(text: str, orig: str, zone: str, r: _ZhRules) -> list[Found]:
    spans: list[tuple[int, int, Party]] = []
    for m in r.suffix_re.finditer(text):
        cand = _zh_candidate(text, orig, m, r)
        if cand:
            start, name = cand
            spans.append((start, m.end(), Party(name, _zh_kind(name, r.suffix_kind[m.group(0)]))))
    # A span is inner only to a span ending at most one name's length after it starts:
    # compare with those alone, or a page of repeated suffixes costs spans² comparisons.
    longest = r.max_len + max(map(len, r.suffix_kind), default=0)
    by_end = sorted(spans, key=lambda span: span[1])
    ends = [span[1] for span in by_end]

    def near(s: int, e: int) -> list[tuple[int, int, Party]]:
        return by_end[bisect_left(ends, e) : bisect_right(ends, s + longest)]

    return [
        Found(p, zone, s, venue=_is_venue(text, s, e))
        for s, e, p in spans
        if not _inner_span(s, e, near(s, e), text, r)
    ]


def _is_venue(text: str, start: int, end: int) -> bool:
    """在滨江大学材料学院举行: the place of the event."""
    return bool(
        _VENUE_BEFORE.search(text, max(0, start - 1), start) and _VENUE_AFTER.match(text, end)
    )


def _inner_span(
    s: int, e: int, spans: list[tuple[int, int, Party]], text: str, r: _ZhRules
) -> bool:
    # 中国科学院 inside 中国科学院大学 is not a party of its own; 临港集团 inside
    # 临港集团产教融合促进中心 is (the rest is not just another suffix).
    for s2, e2, _ in spans:
        if s2 <= s and e <= e2 and (s2, e2) != (s, e):
            rest = text[e:e2]
            if r.suffix_re.fullmatch(rest) or len(rest) < 4:
                return True
    return False


def _zh_self(text: str, orig: str, zone: str, r: _ZhRules) -> list[Found]:
    found = []
    for m in r.self_re.finditer(text):
        group = 1 if m.group(1) else 2
        start, word = m.start(group), m.group(group)
        prev = text[start - 1] if start else ""
        if prev and "\u4e00" <= prev <= "\u9fff" and prev not in "与和同及向":
            continue  # 学校 at the end of a longer name, not a self-reference
        party = Party(orig[start : start + len(word)], r.self_kind[word])
        found.append(Found(party, zone, start, self_ref=True))
    return found


_PAIR = "与和同及、"


def _pair_selves(found: list[Found], text: str) -> list[Found]:
    """Mark self-references written next to another school (我校与某大学, 某学院和我院):
    two schools, not the publisher named twice."""
    schools = [f for f in found if f.party.kind in EDUCATION_KINDS and not f.self_ref]
    out = []
    for f in found:
        if f.self_ref:
            end = f.pos + len(f.party.name)
            paired = any(
                (s.pos == end + 1 and text[end : end + 1] in _PAIR)
                or (s.pos + len(s.party.name) == f.pos - 1 and text[f.pos - 1 : f.pos] in _PAIR)
                for s in schools
            )
            f = dataclasses.replace(f, paired=paired)
        out.append(f)
    return out


def _zh_aggregates(text: str, orig: str, zone: str, r: _ZhRules, ends: set[int]) -> list[Found]:
    """Counted groups (11所职业学校, 50家企业) are parties when they stand for
    unnamed members; a count that sums up the names before it (中达电子、美的厨卫
    2家单位; 星辰公司等12家企业) is not: the names are."""
    found = []
    for m in r.aggregate_re.finditer(text):
        kind = r.aggregate_kind[m.group(1)]
        listed = _zh_enumeration(text, orig, zone, m.start(), kind, r)
        found += listed
        sums_up = listed or (text[m.start() - 1 : m.start()] == "等" and m.start() - 1 in ends)
        if not sums_up:
            found.append(Found(Party(orig[m.start() : m.end()], kind), zone, m.start()))
    return found


def _zh_enumeration(
    text: str, orig: str, zone: str, end: int, kind: str, r: _ZhRules
) -> list[Found]:
    """Names listed before a count: 中达电子、美的厨卫、欧宝机电4家单位."""
    m = re.search(
        r"((?:[\u4e00-\u9fffA-Za-z]{2,12}、)+[\u4e00-\u9fffA-Za-z]{2,12}?)等?$",
        text[max(0, end - 80) : end],
    )
    if not m:
        return []
    base = max(0, end - 80) + m.start(1)
    found, pos = [], base
    for i, item in enumerate(m.group(1).split("、")):
        cut = 0
        # Only the first item can carry the verb that opens the list (组织中达电子、…).
        for b in r.boundary_re.finditer(item) if i == 0 else ():
            cut = b.end()
        name = item[cut:]
        if len(name) >= 2 and name not in r.generic:
            found.append(
                Found(Party(orig[pos + cut : pos + len(item)], kind), zone, pos + cut, slot=True)
            )
        pos += len(item) + 1
    return found


def _zh_slots(text: str, orig: str, zone: str, r: _ZhRules, ends: set[int]) -> list[Found]:
    """Unsuffixed partners in 我校与X签约 / 某大学携手X共建 (华为, 阿里巴巴): only
    right after a party already found, so that 和前期沟通合作 is no partner."""
    found = []
    for m in r.slot_re.finditer(text):
        if m.start() not in ends and _alias_start(text, m.start()) not in ends:
            continue
        name = m.group(1)
        if r.slot_exclude_re.search(name) or r.suffix_re.search(name):
            continue
        found.append(
            Found(Party(orig[m.start(1) : m.end(1)], "other"), zone, m.start(1), slot=True)
        )
    return found


_ALIAS_BEFORE = re.compile(r"[(（][^()（）]{1,20}[)）]$")


def _alias_start(text: str, pos: int) -> int:
    """Where a parenthesis just before `pos` opens: 某学院（以下简称“某院”）与华为合作."""
    m = _ALIAS_BEFORE.search(text, max(0, pos - 22), pos)
    return m.start() if m else -1


_BEFORE_PARTY = re.compile(r"([\u4e00-\u9fffA-Za-z]{2,10})(?:与|和|携手|牵手)$")
# After the school, the act: 比亚迪与某学院签约 (not 材料与环境工程学院负责人).
_ACT_AFTER = re.compile(
    r"[^，。、；]{0,6}?(?:签署|签订|签约|共建|合作|联合|达成|共同|举行|开展|就)"
)


def _zh_slots_before(
    text: str, orig: str, zone: str, r: _ZhRules, spans: dict[int, int]
) -> list[Found]:
    """Unsuffixed partners written first: 比亚迪与某职业技术学院签约."""
    found = []
    for start, end in sorted(spans.items()):
        if not _ACT_AFTER.match(text, end):
            continue
        window = max(0, start - 12)
        m = _BEFORE_PARTY.search(text, window, start)
        if not m:
            continue
        name_start, cut = m.start(1), ""
        for b in r.boundary_re.finditer(text, name_start, m.end(1)):
            name_start, cut = b.end(), b.group(0)
        name = text[name_start : m.end(1)]
        if len(name) < 2 or r.slot_exclude_re.search(name) or r.suffix_re.search(name):
            continue
        if cut in r.person_titles:
            continue  # 常务副总经理林松与某技师学院院长签订: a person, after the title
        cut_by_window = name_start == window and window > 0 and text[window - 1].isalpha()
        if cut_by_window:
            continue  # the run goes on to the left: not a clean name
        party = Party(orig[name_start : m.end(1)], "other")
        found.append(Found(party, zone, name_start, slot=True))
    return found


def _extract_zh(text: str, orig: str, zone: str) -> list[Found]:
    r = _zh_rules()
    found = _pair_selves(_zh_named(text, orig, zone, r) + _zh_self(text, orig, zone, r), text)
    ends = {f.pos + len(f.party.name) for f in found}
    schools = {f.pos: f.pos + len(f.party.name) for f in found if f.party.kind in EDUCATION_KINDS}
    found += _zh_aggregates(text, orig, zone, r, ends) + _zh_slots(text, orig, zone, r, ends)
    found += _zh_slots_before(text, orig, zone, r, schools)
    return found + _zh_brands(text, orig, zone, r, found)


_ZH_SENT_END = re.compile(r"[。！？；!?;\n]")


def _zh_brands(text: str, orig: str, zone: str, r: _ZhRules, found: list[Found]) -> list[Found]:
    """Companies known by their brand (orgs.yaml `zh.known_companies`) that no other
    finder took: in the headline, or in a sentence of cooperation (华为ICT学院, 比亚迪订单班);
    never inside a name found already (华为技术有限公司, 中国石油大学)."""
    spans = [(f.pos, f.pos + len(f.party.name)) for f in found]  # all of this zone
    out: list[Found] = []
    for m in r.brand_re.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in spans):
            continue
        if zone != "title":
            sentence = _sentence(text, m.start(), m.end(), _ZH_SENT_END)
            if not r.brand_context_re.search(sentence):
                continue
        out.append(
            Found(Party(orig[m.start() : m.end()], "enterprise"), zone, m.start(), slot=True)
        )
    return out


def _zh_publisher(prep: Prepared, found: list[Found]) -> list[Found]:
    """Parties implied rather than named: the publishing school when its
    officials act (副校长…一行赴某公司签约), and the local government when the
    headline opens with a place that acts (晋江举办…)."""
    r = _zh_rules()
    extra: list[Found] = []
    has_own = any(f.party.kind == "university" for f in found)
    off = r.official_re.search(prep.body)
    if off and not has_own:
        extra.append(Found(Party("学校", "university"), "body", off.start(), self_ref=True))
    place = leading_place(prep)
    if place:
        extra.append(Found(Party(place, "government"), "title", 0))
    return extra


# A government named by its unit alone (市教育局, 区人社局, 省教育厅): the place
# comes from the context. Not 市场监管局 or 区域….
_BARE_UNIT = re.compile(r"^[市区县省](?![场域级属内外直])")
# The place that opens a name: 滨江市(教育局), 河南省许昌市(魏都区人民政府).
_NAME_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}?省)?(?:[\u4e00-\u9fff]{2,3}?市)?(?:[\u4e00-\u9fff]{2,3}?[区县])?"
)
_PLACE_KINDS = frozenset({"government", "hospital", *EDUCATION_KINDS})


def _zh_qualify(prep: Prepared, found: list[Found]) -> list[Found]:
    """市教育局 -> 滨江市教育局 when the item's city is known: from the place acting
    in the headline (滨江市召开…) or the names of its other parties, the most
    frequent one; unchanged when no place of that unit is known."""
    bare = [
        f
        for f in found
        if f.party.kind == "government" and _BARE_UNIT.match(to_simplified(f.party.name))
    ]
    if not bare:
        return found
    places: dict[str, Counter[str]] = {}
    lead = leading_place(prep)
    if lead:
        places.setdefault(to_simplified(lead)[-1], Counter())[lead] += 2
    for f in found:
        if f.party.kind not in _PLACE_KINDS or f in bare:
            continue
        m = _NAME_PLACE.match(to_simplified(f.party.name))
        prefix = f.party.name[: m.end()] if m else ""
        for i, unit in enumerate(to_simplified(prefix)):
            if unit in "省市区县" and i >= 2:
                places.setdefault(unit, Counter())[prefix[: i + 1]] += 1
    out = []
    for f in found:
        if f in bare:
            unit = to_simplified(f.party.name)[0]
            best = places.get(unit, Counter()).most_common(1)
            if best:
                name = best[0][0] + f.party.name[1:]
                f = dataclasses.replace(f, party=Party(name, f.party.kind))
        out.append(f)
    return out


# ---------------------------------------------------------------- English ----

# Company forms written with stops: "Co., Ltd.", "Sdn. Bhd.", "PT.", "Edison S.p.A.", "N.V.".
_ABBREV = (
    r"(?:Co\.?,?[ ]?(?:Ltd|LTD)\.?|(?:Co|Ltd|LTD|Inc|Corp|St|Bros|Sdn|Bhd|Pvt|Pty|PT|Pte|Tbk)\."
    r"|S\.p\.A\.?|S\.r\.l\.|[NB]\.V\.|S\.A\.)"
)
_UNIT = rf"(?:{_ABBREV}|[A-Z][\w&'’\-–@*/]*|\([A-Z][\w&'’\- ]*\))"
_JOIN = (
    # "Mohamed bin Zayed University", "Universidade do Porto": name particles join too
    r"(?:[ \t]+(?:(?:of|for|and|de|des|la|du|&|bin|binti|van|von|der|del|da|do|dos|di)"
    r"(?:[ \t]+the)?[ \t]+)?"
    r"|,[ \t]*(?=(?:Ltd|LTD|Inc|LLC|Limited)\b))"
)
# `_UNIT` as a run's first unit: the class of its first characters, then each
# alternative's rest behind a look-behind for its own first character. A pattern that
# opens with a class lets re skip to the capitals and brackets, where `_UNIT`'s
# alternatives were tried at every character (twice the time of the scan).
# tests/test_classify_scan_shortcuts.py holds the runs to those of `_UNIT` first.
_FIRST_UNIT = (
    r"[A-Z(](?:(?<=C)o\.?,?[ ]?(?:Ltd|LTD)\.?"
    r"|(?:(?<=C)o|(?<=L)td|(?<=L)TD|(?<=I)nc|(?<=C)orp|(?<=S)t|(?<=B)ros|(?<=S)dn|(?<=B)hd"
    r"|(?<=P)vt|(?<=P)ty|(?<=P)T|(?<=P)te|(?<=T)bk)\."
    r"|(?<=S)\.p\.A\.?|(?<=S)\.r\.l\.|(?<=[NB])\.V\.|(?<=S)\.A\."
    r"|(?<=[A-Z])[\w&'’\-–@*/]*|(?<=\()[A-Z][\w&'’\- ]*\))"
)
_RUN_RE = re.compile(rf"{_FIRST_UNIT}(?:{_JOIN}{_UNIT})*")
_ALIAS_RE = re.compile(r"\s*\(([A-Z][A-Za-z&*\-]{1,12})\)")
_SENT_END = re.compile(r"[.!?\n](?=\s|$)")
# Lower-case, matched against lower-cased text: a tenth of the time of re.IGNORECASE,
# which counts as it runs once per candidate name.
_CREATE_BEFORE = re.compile(
    r"(?:establish\w*|set up|build|built|co-build\w*|inaugurat\w*|unveil\w*|launch\w*|open\w*|"
    r"called|named|create\w*|construction of|of the)\s+(?:the\s+|a\s+|an\s+|new\s+)*[\"“]?$",
    re.IGNORECASE,
)
# "Mary Smith, Vice-President of …": a person, wherever else the name appears.
# Matches start only at a word's start and words are taken whole (possessive ``++``): each
# try is then bounded, where "TTTT…" used to cost a full scan per letter (quadratic). The
# word-start check follows the capital rather than preceding it: a pattern that opens with
# a class lets re skip to the capitals, one that opens with a look-behind is tried at every
# character (twice the time).
_NAME_THEN_TITLE = re.compile(
    r"([A-Z](?<![\w'’-][A-Z])[\w'’-]++(?: [A-Z]\.?)?(?: [A-Z][\w'’-]++){0,2})"
    r"(?: \([a-z][^()]{0,20}\))?,\s*(?:the\s+)?"  # "Jeffrey Conn (at left), director"
    # "Zhang Xiaozhen, Chinese director of", "Liu Qiang, acting dean": one qualifying word.
    r"(?:(?:[a-z]+|[A-Z][a-z]+(?:ese|an|ish)) )?"
    r"(?:[Vv]ice[- ])?"
    r"(?:[Pp]resident|CEO|CTO|MD|[Mm]anaging [Dd]irector|[Mm]ember of|"
    r"[Dd]irector|[Dd]ean|[Cc]hairman|[Cc]hairperson|[Ss]ecretary|[Pp]rofessor|[Mm]inister|"
    r"[Gg]eneral [Mm]anager|"
    r"[Hh]ead|[Dd]eputy|[Ff]ounder|[Pp]rincipal|[Ss]enior|[Pp]rovost|[Cc]hancellor|"
    r"[Ss]uperintendent|[Cc]ommissioner|[Cc]hair)"
)
_CONNECTORS = frozenset(
    {"of", "for", "and", "the", "de", "des", "la", "du", "&"}
    | {"bin", "binti", "van", "von", "der", "del", "da", "do", "dos", "di"}
)


@dataclass(frozen=True)
class _EnRules:
    noun_kind: dict[str, str]
    overrides: tuple[tuple[re.Pattern[str], str], ...]
    stopwords: frozenset[str]
    generic_words: frozenset[str]
    common_words: frozenset[str]
    field_words: frozenset[str]
    trailing_titles: frozenset[str]
    venue_words: frozenset[str]
    clause_words: frozenset[str]
    purpose_verbs: frozenset[str]
    leading_nouns: frozenset[str]
    person_re: re.Pattern[str]
    person_titles: frozenset[str]
    places: frozenset[str]
    slot_before_re: re.Pattern[str]
    slot_after_re: re.Pattern[str]
    coop_re: re.Pattern[str]
    hint_re: re.Pattern[str]
    self_re: re.Pattern[str]
    self_kind: dict[str, str]
    aggregate_re: re.Pattern[str]
    aggregate_noun_re: re.Pattern[str]
    authority_re: re.Pattern[str]
    brand_re: re.Pattern[str]

    # The word sets that several tests read together, joined once rather than per name.
    @cached_property
    def slot_ordinary(self) -> frozenset[str]:
        """Words a name in a cooperation slot is not made of alone."""
        return self.generic_words | self.common_words | self.field_words

    @cached_property
    def pair_ordinary(self) -> frozenset[str]:
        """Words that are no one-word name acting with another."""
        return self.slot_ordinary | self.stopwords

    @cached_property
    def headline_ordinary(self) -> frozenset[str]:
        """Words no headline partner's name holds."""
        return self.generic_words | self.common_words | self.person_titles | self.clause_words


def _slot_after_re(items: list[str]) -> re.Pattern[str]:
    words = "|".join(i for i in items if i != ",")
    comma = "," if "," in items else "(?!)"
    return re.compile(rf"\s*(?:{comma}|\b(?:{words})\b)", re.IGNORECASE)


def _override_re(o: dict[str, Any]) -> re.Pattern[str]:
    if "pattern" in o:
        return re.compile(o["pattern"])
    return re.compile(r"\b" + alternation(o["words"]) + r"(?!\w)")


# A person's name after a title: up to three words, a middle initial ("Governor James E.
# McGreevey", "CEO Khalid A. Al-Falih") and a second capital inside a word (McGreevey).
_WORD = r"[A-Z][a-z]+(?:[A-Z][a-z]+)?"
_PERSON_NAME = rf"{_WORD}(?: [A-Z]\.)?(?:[ -]{_WORD}){{0,2}}"


def _at_word_start(words: list[str]) -> str:
    r"""Any of `words`, not after a letter, digit or hyphen. The check follows each word's
    first letter (``D(?<![\w-]D)(?:ean|r\.|r)``) rather than preceding the choice: re
    skips to the places a word's first letter is, where a leading look-behind is tried at
    every character."""
    return "(?:" + alternatives(words, after_first=not_after(r"\w-")) + ")"


@cache
def _en_rules() -> _EnRules:
    e: dict[str, Any] = load("orgs")["en"]
    noun_kind: dict[str, str] = {}
    for kind, items in e["nouns"].items():
        for n in items:
            noun_kind.setdefault(n, kind)
    overrides = tuple((_override_re(o), o["kind"]) for o in e["kind_overrides"])
    regions = gazetteer()
    places = [n for c in regions["cities"] for n in c["en"]] + [
        n for p in regions["provinces"].values() for n in p["en"]
    ]
    self_kind = {w.lower(): kind for kind, items in e["self_references"].items() for w in items}
    return _EnRules(
        noun_kind=noun_kind,
        overrides=overrides,
        stopwords=frozenset(e["stopwords"]),
        generic_words=frozenset(e["generic_words"]),
        common_words=frozenset(e["common_words"]),
        field_words=frozenset(e["field_words"]),
        trailing_titles=frozenset(
            w for t in e["titles_before_names"] for w in t.split() if w[:1].isupper()
        ),
        venue_words=frozenset(e["venue_words"]),
        clause_words=frozenset(e["clause_words"]),
        purpose_verbs=frozenset(e["purpose_verbs"]),
        leading_nouns=frozenset(e["leading_nouns"]),
        person_re=re.compile(_at_word_start(e["titles_before_names"]) + rf"\s+({_PERSON_NAME})"),
        person_titles=frozenset(e["person_titles"]),
        places=frozenset(e["places"] + places),
        slot_before_re=re.compile(
            r"\b"
            + alternation(e["slot_before"])
            # "by Mankato-based Jones Metal": a place adjective before the name
            + r"\s+(?:the\s+)?(?:[A-Z][\w.]*-based\s+)?$",
            re.IGNORECASE,
        ),
        slot_after_re=_slot_after_re(e["slot_after"]),
        # Lower-case, matched against lower-cased text: a tenth of the time of
        # re.IGNORECASE, which counts as it runs once per candidate name.
        coop_re=re.compile("|".join(e["cooperation_words"])),
        hint_re=re.compile(r"\b" + alternation(e["enterprise_hints"]) + r"(?!\w)", re.IGNORECASE),
        self_re=re.compile(r"\b" + alternation(self_kind) + r"\b", re.IGNORECASE),
        self_kind=self_kind,
        aggregate_re=re.compile(
            # the opening word may start a sentence ("Ten manufacturers …"); the
            # words after it are lower case ("Five Singapore polytechnics" names them)
            r"(?:(?<![\d,])(?i:(?:more than |over |nearly |about |some )?(?:\d[\d,]*\+?|two|three|"
            r"four|five|six|seven|eight|nine|ten|eleven|twelve))\s+"
            r"|\b(?:network|consortium|coalition|group|system) of\s+"
            r"|\b(?i:local|area|regional|several|participating)\s+)"
            # "three Indian universities": a country's adjective is no name (rules-9); a
            # place's own name may be ("Five Singapore polytechnics": Singapore Polytechnic)
            r"(?:(?:[a-z-]+|[A-Z][a-z]+(?:an|ese|ish|ch))\s+){0,2}?"
            rf"({'|'.join(_AGG_NOUNS)})\b"
        ),
        aggregate_noun_re=re.compile(rf"(?:{'|'.join(_AGG_NOUNS)})\b"),
        authority_re=re.compile(e["school_authorities"]),
        brand_re=_brand_re(e["known_companies"]),
    )


def _brand_re(companies: list[str]) -> re.Pattern[str]:
    """The brands of `companies`, not inside a longer name. The look-behind goes after
    each brand's first letter: re then skips to those letters (capitals, mostly), where
    one before them all is tried at every character (three times the work). A brand
    that does not open with a letter or a digit would lose it there: then it stays."""
    end = r"(?![\w&-]|\.\w)"
    if all(c[:1].isalnum() for c in companies):
        in_a_name = not_after(r"\w&.-")
        return re.compile(f"(?:{alternatives(companies, after_first=in_a_name)}){end}")
    return re.compile(r"(?<![\w&.-])" + alternation(companies) + end)


def _noun(word: str, r: _EnRules) -> str | None:
    """The organisation noun a token stands for ("Co.,Ltd" -> "Ltd"), or None."""
    if word in r.noun_kind:
        return word
    if "." not in word and "," not in word:
        return None
    parts = [p for p in re.split(r"[.,]", word) if p]
    return parts[-1] if parts and parts[-1] in r.noun_kind else None


def _is_place(name: str, r: _EnRules) -> bool:
    """A place of orgs.yaml or the gazetteer, also written in capitals as a dateline
    ("ISLAMABAD:", "KENYA –")."""
    return name in r.places or (name.isupper() and name.title() in r.places)


def _has_noun(words: list[str], r: _EnRules) -> bool:
    return any(_noun(w, r) for w in words)


def _split_run(words: list[str], r: _EnRules) -> list[list[str]]:
    """Split "Zhejiang University and Alibaba" into two names but keep
    "University of Science and Technology" whole: split at "and" when the left
    part is already a name (ends with an organisation noun, or holds one while
    the right part holds its own) or is an acronym."""
    pieces: list[list[str]] = [[]]
    for i, w in enumerate(words):
        cur = pieces[-1]
        if w in ("and", "&") and cur and _and_splits(cur, words[i + 1 :], r):
            pieces.append([])
            continue
        cur.append(w)
    return [p for p in pieces if p]


# Title-cased headlines capitalise every word: "Kaiser Permanente And Pasadena City
# College", "Grove City College Partners With Intel On …". Their connectors are read as
# such, and a preposition or a clause word (Signs, Visits: orgs.yaml) ends a name.
_TITLE_CONNECTORS = {"And": "and", "Of": "of", "For": "for", "The": "the"}
_TITLE_BREAKS = frozenset(
    {"With", "On", "To", "In", "At", "By", "From", "Into", "As", "After", "Amid", "Over", "Via"}
)


def _headline_pieces(words: list[str], r: _EnRules) -> list[list[str]]:
    out: list[list[str]] = []
    part: list[str] = []
    for i, w in enumerate(words):
        if i and (w in _TITLE_BREAKS or w in r.clause_words):
            out += _split_run(part, r) if part else []
            part = []
            continue
        part.append(_TITLE_CONNECTORS.get(w, w) if part else w)
    return out + (_split_run(part, r) if part else [])


def _and_splits(left: list[str], rest: list[str], r: _EnRules) -> bool:
    """ "Toyota and Bluegrass Community and Technical College": a lone name before
    "and" is split from a school whose own name holds "and"."""
    right = _until_and(rest)
    if _splits_here(left, right, r) or _is_acronym(right, r):
        return True  # "Ngee Ann Poly and SMRT"
    return (
        len(left) == 1
        and left[0] not in r.field_words
        and left[0] not in r.generic_words
        and left[0] not in r.stopwords
        and bool(rest)
        and rest[0] not in r.field_words
        and _has_noun(rest, r)
    )


def _until_and(words: list[str]) -> list[str]:
    out = []
    for w in words:
        if w in ("and", "&"):
            break
        out.append(w)
    return out


def _splits_here(left: list[str], right: list[str], r: _EnRules) -> bool:
    """Whether "and" between `left` and `right` separates two names: "Geely and
    Zhejiang University", "… Technology and Shanghai SEARI Co., Ltd" do;
    "Science and Technology", "Iron and Steel" (a field after "and") do not."""
    words = [w for w in left if not w.startswith("(")] or left
    if not right or right[0] in r.field_words or _one_subject(words, right, r):
        return False
    if all(w in r.generic_words or w in r.field_words or w in r.stopwords for w in words):
        return False  # "National Development and Reform Commission": no name on the left
    if _noun(words[-1], r) or _is_acronym(words, r) or right[0] == "the":
        return True
    if (
        words[-1] in r.field_words
        and any(w in _SCHOOL_WORDS for w in right)
        and all(w in _SCHOOL_WORDS or _noun(w, r) for w in right)
    ):
        return False  # "Cincinnati State Technical and Community College": one school
    return _has_noun(left, r) or _has_noun(right, r)


def _one_subject(left: list[str], right: list[str], r: _EnRules) -> bool:
    """Whether "and" joins two subjects of one school's name: "University of Veterinary
    and Animal Sciences" (the right part a field's words, ending the name), not
    "University of Toronto and Energy Company"."""
    if "of" not in left or not right[0][:1].isupper():
        return False  # "… of Education and the National Development and Reform Commission"
    at = left.index("of")
    subject = left[at + 1 :]
    if not at or not _noun(left[at - 1], r) or not subject:
        return False
    if _has_noun(subject, r) or any(_is_place(w, r) for w in subject):
        return False
    end = next((i for i, w in enumerate(right[:3]) if w in r.field_words), None)
    if end is None or _has_noun(right[: end + 1], r):
        return False
    # The field's words end the name, or only its short form or its town follow:
    # "… Animal Sciences (UVAS) Lahore", not "… Automotive Engineering of the …".
    after = right[end + 1 : end + 2]
    return not after or after[0].startswith("(") or _is_place(after[0], r)


_PROGRAMME = re.compile(r"\b(?:Program|Programme|Initiative|Pathway)s?$")
_UNIT_OF_SCHOOL = re.compile(
    r",?\s+(?:at|of|part of|within)\s+(?:[Tt]he\s+)?(?:[A-Z][\w&-]*\s+){0,3}"
    r"(?:University|College|Polytechnic)\b"
)
ALIAS = r"[A-Z][A-Za-z&.-]{1,9}"
"""A short form written in brackets after a name: "(SIT)", "(DWD)"."""
_ALIAS_WORD = re.compile(rf"^\({ALIAS}\)$")
_FIELD_PLURALS = frozenset({"Technologies", "Industries", "Solutions", "Services", "Systems"})
_SCHOOL_WORDS = frozenset({"Community", "Technical", "Junior", "Comprehensive"})


def _is_acronym(piece: list[str], r: _EnRules) -> bool:
    return (
        len(piece) == 1
        and piece[0].isupper()
        and len(piece[0]) >= 2
        and piece[0] not in r.stopwords
    )


# "a Philadelphia-based, minority-owned … company", "the Trinidad and Tobago-owned RAMPS
# Logistics": a word that says where a body is or who owns it describes the name after it.
_DESCRIBING = re.compile(r"[\w.’']+-(?:based|owned|headquartered|born|funded|led)$")


def _trim(piece: list[str], r: _EnRules) -> list[str]:
    while piece and (
        piece[0] in r.stopwords
        or piece[0] in _CONNECTORS
        or piece[0].startswith("(")
        or _DESCRIBING.match(piece[0])
    ):
        piece = piece[1:]
    while piece and piece[-1] in _CONNECTORS:
        piece = piece[:-1]
    if piece and piece[-1].endswith(("'s", "’s")):
        piece = [*piece[:-1], piece[-1][:-2]]
    # "University of Zambia Vice Chancellor": the title of the person who acts for it.
    end = len(piece)
    while end > 1 and piece[end - 1] in r.trailing_titles:
        end -= 1
    if end < len(piece) and _has_noun(piece[:end], r):
        piece = piece[:end]
    # "Principal Li of the School of …", "Mode of Huawei ICT College": words
    # before "of" an organisation are a person or a description.
    if "of" in piece[:7]:
        i = piece.index("of")
        titled = all(w in r.person_titles for w in piece[:i])  # "MD of Huawei Egypt"
        if 1 <= i <= 6 and not _has_noun(piece[:i], r) and (titled or _has_noun(piece[i + 1 :], r)):
            return _trim(piece[i + 1 :], r)
    return piece


def _named(piece: list[str], r: _EnRules) -> tuple[str, str] | None:
    """(name, kind) when the piece holds an organisation noun, else None."""
    # "University of Science and Technology of China Signs MoU": the name ends
    # where the headline's clause starts.
    cut = next((i for i, w in enumerate(piece) if w in r.clause_words), None)
    if cut is not None:
        piece = piece[:cut]
    idx = [i for i, w in enumerate(piece) if _noun(w, r)]
    if not idx:
        return None
    last = idx[-1]
    tail = piece[last + 1 :]
    if piece[last] == "Tech" and last and piece[last - 1].endswith(("'s", "’s")):
        return None  # "Virginia's Tech Workforce": an adjective, not Georgia Tech
    keep = piece if tail and tail[0] in ("of", "for") else piece[: last + 1]
    if last == 0 and tail and piece[0] in r.leading_nouns:
        # "Universiti Teknikal Malaysia Melaka", "TAFE NSW": the noun opens the name
        keep = piece
    if (
        tail
        and len(piece) > 2
        and piece[1] in ("of", "for")
        and r.noun_kind.get(piece[0]) == "government"
        and all(w in r.field_words or w in _CONNECTORS for w in tail)
    ):
        keep = piece  # "Department of Polytechnic Education": an office named by its field
    content = [w for w in keep if not _noun(w, r) and w not in _CONNECTORS]
    # "Ministry of Education", "Department of Labor": a government body named by its field.
    office = len(keep) > 2 and keep[1] in ("of", "for") and r.noun_kind.get(keep[0]) == "government"
    if not content or (
        not office and all(w in r.stopwords or w in r.generic_words for w in content)
    ):
        return None
    if piece[last] in _FIELD_PLURALS and all(w in r.field_words for w in content):
        return None  # "Information and Communication Technologies": a field, not a firm
    # "Government College of Engineering (GCE) Keonjhar": the alias inside a name is
    # left out of it (one at the end is kept: "Shibaura Institute of Technology (SIT)")
    words = [w for i, w in enumerate(keep) if not (0 < i < len(keep) - 1 and _ALIAS_WORD.match(w))]
    name = " ".join(words).rstrip(",")
    kind = _en_kind(name, _noun(piece[last], r) or "", r)
    if kind == "other" and any(w in r.venue_words for w in keep):
        return None  # Conference Center of Yanta Campus: where, not who
    return name, kind


def _en_kind(name: str, noun: str, r: _EnRules) -> str:
    for pattern, kind in r.overrides:
        if pattern.search(name):
            return kind
    return r.noun_kind.get(noun, "other")


# How far a sentence or a line is read around a name: real ones are shorter, and an
# unbounded read per name makes a text without full stops quadratic to classify.
_REACH = 300


def _sentence(text: str, start: int, end: int, ends: re.Pattern[str] = _SENT_END) -> str:
    s = max(0, start - _REACH)
    for m in ends.finditer(text, s, start):
        s = m.end()
    e = ends.search(text, end, end + _REACH)
    return text[s : e.start() if e else end + _REACH]


def _followed_by_title(after: str, r: _EnRules) -> bool:
    # "Anna Lee, CEO", "Anna Lee, the executive dean", "Anna Lee, Siemens' President"
    m = re.match(r"\s*,?\s*(?:the\s+|[A-Z][\w-]*['’]s?\s+)?([\w-]+)", after)
    return bool(m and m.group(1).split("-")[0] in r.person_titles)


def _bare(
    name: str,
    text: str,
    start: int,
    end: int,
    r: _EnRules,
    persons: frozenset[str],
    other: str = "",
) -> str | None:
    """Kind of an unsuffixed name in a cooperation slot ("with Alibaba"), or None."""
    words = name.split()
    plain = re.sub(r"\s*\(.*?\)", "", name)
    if not words or len(words) > 4 or _is_place(plain, r) or words[0] in r.stopwords:
        return None
    if _PROGRAMME.search(plain):
        return None  # "Connecticut Advanced Manufacturing Initiative": what is run, not who
    if all(w in r.places or w in _CONNECTORS for w in plain.split()):
        return None
    ordinary = r.slot_ordinary
    if any(w in persons or w in r.person_titles for w in words) or all(
        w in ordinary or _noun(w, r) or w in _CONNECTORS or w.isdigit() for w in plain.split()
    ):
        return None  # a person, a title ("Siemens' Global Vice President") or common words
    if (start and text[start - 1] in _OPEN_QUOTES) or _followed_by_title(text[end : end + 40], r):
        return None
    if _PLACE_BEFORE.search(text, max(0, start - 8), start) and text[end : end + 1] not in "'’":
        return None  # "in Louisville, Kentucky": a place, not a party ("in Tesla's …" is)
    if name.isupper() and _DATELINE.match(text, end):
        return None  # "WACO, Texas (KXAN) —": the dateline's place
    after = r.slot_after_re.match(text, end)
    if not (after or r.slot_before_re.search(text[max(0, start - 30) : start])):
        return None
    if not _mentions_cooperation(r.coop_re, _sentence(text, start, end)) or _title_case(
        _line(text, start)
    ):
        return None  # no cooperation here, or capitals that come from a headline
    # "Toyota has donated …", "Siemens and Ngee Ann Polytechnic …": a clear slot.
    strong = bool(
        after
        and after.group(0).strip() not in (",", "and", "&")
        and not _PEOPLE_AFTER.match(after.group(0).strip())
    )
    strong = strong or bool(_AND_NAME.match(text, end))
    if len(words) == 1 and not strong and _sentence_initial_only(name, text, start, other):
        return None  # "Scholars and corporate leaders …": an ordinary word
    if _UNIT_OF_SCHOOL.match(text, end):
        return "college"  # "WMG, at the University of Warwick": a unit of the school
    window = text[max(0, start - 80) : end + 80]
    for pattern, kind in r.overrides:
        if pattern.search(name):
            return kind  # "TAFE SA", "Denver Public Schools" named without a noun
    described = _described_kind(text, end)
    if described:  # "WyoTech, a technical training institute": the text says what it is
        return described
    return "enterprise" if r.hint_re.search(window) else "other"


# "WyoTech, a technical training institute with …", "Piaget, a private university in …"
_SCHOOL_APPOSITIVE = re.compile(
    r",\s+(?:a|an|the)\s+(?:(?!(?:of|for|with|to|at|in|and|partner|member)\b)[\w-]+\s+){0,4}?"
    r"(university|college|polytechnic|institute|school|academy)\b(?!\s+(?:district|board|of))"
    r"(?!['’])"
)
_APPOSITIVE_KIND = {"university": "university", "polytechnic": "vocational_school"}


def _described_kind(text: str, end: int) -> str | None:
    """The kind of school a name ending at `end` is said to be, or None."""
    described = _SCHOOL_APPOSITIVE.match(text, end)
    return _APPOSITIVE_KIND.get(described.group(1).lower(), "college") if described else None


# Donors and alumni are people: "G. Wayne Hawk and his wife, Charline Hawk", "alumnus
# Bryan Rand". Three cues rather than one alternation, so that each has needles: most
# texts hold none of "and his wife", "alumnus" or "donor", and are not scanned for them.
_FAMILY = tuple(
    Cue(re.compile(p))
    for p in (
        r"([A-Z][a-z]+(?: [A-Z][a-z]+){0,2}),? and (?:his|her) (?:wife|husband)",
        r"(?:his wife|her husband|alumn(?:us|a|i|ae)|donors?),? ([A-Z][a-z]+(?: [A-Z][a-z]+){0,2})",
        # "Robert Beyster, a University of Michigan graduate, …"
        r"([A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-z]+){1,2}), (?:a|an) (?:[\w&.-]+ ){0,6}?"
        r"(?:graduate|alumn(?:us|a)|alum|student|donor|philanthropist|entrepreneur)\b",
    )
)
# "Honeywell leaders": a slot, but a weak one ("Top leaders" is no name).
_PEOPLE_AFTER = re.compile(
    r"(?i)(?:leaders|executives|officials|employees|engineers|representatives)"
)
_PLACE_BEFORE = re.compile(r"\b(?:in|near|based in)\s+$")
_DATELINE = re.compile(r",\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?\s*(?:\([A-Z][^)]{0,30}\)\s*)?[—–-]")
_AND_NAME = re.compile(r"\s+(?:and|&)\s+(?:the\s+)?[A-Z]")
_BUILT_NOUNS = ("Lab", "Laboratory", "Laboratories", "Base", "Room", "Workshop", "Centre", "Center")
_JOINT_BUILT = frozenset((*_BUILT_NOUNS, "Institute", "Academy", "College", "School"))


@lru_cache(maxsize=256)
def _mentions_cooperation(coop_re: re.Pattern[str], sentence: str) -> bool:
    """Whether a sentence holds a cooperation word (cached: the names of one
    sentence ask about it once)."""
    return coop_re.search(sentence.lower()) is not None


def _line(text: str, pos: int) -> str:
    s = text.rfind("\n", max(0, pos - _REACH), pos)
    e = text.find("\n", pos, pos + _REACH)
    return text[s + 1 if s >= 0 else max(0, pos - _REACH) : e if e >= 0 else pos + _REACH]


def _sentence_initial_only(word: str, text: str, start: int, other: str = "") -> bool:
    """A lone capitalised word that is capitalised only where a sentence starts
    ("Scholars and …") is an ordinary word; CATL, SanDisk and Alibaba (seen
    mid-sentence) are names. So is a word that opens sentences in both the headline and
    the body and is never written in lower case ("Huawei to establish …", "Huawei,
    a leading …")."""
    if word.isupper() or any(c.isupper() for c in word[1:]):
        return False
    for m in re.finditer(rf"\b{re.escape(word)}\b", text):
        before = text[: m.start()].rstrip()
        if before and before[-1] not in '.!?:;\n"“|':
            return False
    if other and re.search(rf"\b{re.escape(word)}\b", other):
        low = re.compile(rf"\b{re.escape(word.lower())}\b")
        return bool(low.search(text) or low.search(other))
    return True


def _is_created(name: str, text: str, start: int) -> bool:
    """Whether the name is what the cooperation builds (a joint lab, a practice
    base of a school), not a party."""
    words = name.split()
    if words[0] == "Joint":
        return True
    if "Joint" in words and any(w in _JOINT_BUILT for w in words[words.index("Joint") + 1 :]):
        return True  # the Huaxin–Riverside Joint Research Centre
    cut = next((i for i, w in enumerate(words) if w in ("of", "for")), None)
    if cut is not None and any(w in _BUILT_NOUNS for w in words[:cut]):
        return True  # "Practice Base of Shenzhen Polytechnic", "Laboratory for …"
    if words[-1] in (*_BUILT_NOUNS, "College", "Academy"):
        return bool(_CREATE_BEFORE.search(text, max(0, start - 40), start))
    return False


# "in Lagos State", "New York State": a place. "Ohio State", "Cincinnati State" (named
# without University) are schools.
_STATE_PLACE_BEFORE = re.compile(
    r"\b(?:in|of|across|throughout|from|to|into|around)\s+(?:the\s+)?$", re.IGNORECASE
)
_STATE_NOT_SCHOOL = re.compile(
    r"^(?:the\s+)?(?:New York|Washington|Free|Islamic|Member|Head of|Secretary of|Department of"
    r"|Ministry of|Garden|Empire|Sunshine|Lone Star|Golden|Federal|Union|Nation)\s+State$"
)


def _state_school(name: str, text: str, start: int) -> bool:
    if len(name.split()) > 4 or _STATE_NOT_SCHOOL.match(name):
        return False
    return not _STATE_PLACE_BEFORE.search(text[max(0, start - 20) : start])


def _title_case(text: str) -> bool:
    words = re.findall(r"[A-Za-z]+", text)
    caps = sum(1 for w in words if w[0].isupper())
    return len(words) >= 4 and caps / len(words) > 0.6


_TO_BEFORE = re.compile(r"\bto\s+$", re.IGNORECASE)


@lru_cache(maxsize=4)
def _persons(text: str) -> frozenset[str]:
    """The words of the people `text` names (after a title, before one, as donors). Cached:
    each zone's text is read for its own names and for the other zone's."""
    r = _en_rules()
    words = [m.group(1) for m in r.person_re.finditer(text)]
    words += [m.group(1) for m in _NAME_THEN_TITLE.finditer(text)]
    words += [m.group(1) for cue in _FAMILY for m in cue.finditer(text)]
    return frozenset(w for name in words for w in name.split() if len(w) > 1)


def _en_named(text: str, zone: str, r: _EnRules, other: str = "") -> list[Found]:
    found: list[Found] = []
    aliases: set[str] = set()
    bare: list[Found] = []
    headline: list[tuple[str, int]] = []
    allow_bare = not (zone == "title" and _title_case(text))
    # A person named in either zone: "Polis signs executive order" over "Gov. Jared Polis
    # signed an executive order".
    persons = _persons(text) | _persons(other)
    for m in _RUN_RE.finditer(text):
        alias = _ALIAS_RE.match(text, m.end())
        offset = m.start()
        words = m.group(0).split()
        if allow_bare and _PAIR_ACTS.match(text, m.end()) and _opens_sentence(text, m.start()):
            pieces = _pair_pieces(words, r)
        else:
            pieces = _headline_pieces(words, r)
        for piece in pieces:
            piece = _trim(piece, r)
            if not piece:
                continue
            start = text.find(piece[0], offset)
            offset = max(offset, start)
            if piece[0].lower() in r.purpose_verbs and _TO_BEFORE.search(text, start - 8, start):
                continue  # "Sign Pact to Promote Renewable Energy": a purpose, no name
            if start >= 2 and text[start - 1] in "-–" and text[start - 2].isalnum():
                continue  # "the new “i-Kohza”": the end of a word, not a name of its own
            named = _named(piece, r)
            if named and named[0].endswith(" State") and not _state_school(named[0], text, start):
                named = None
            if named:
                if not _is_created(named[0], text, start):
                    found.append(Found(Party(*named), zone, start))
                    aliases.update([alias.group(1)] if alias else [])
                continue
            name = " ".join(_before_possessive(piece))
            if not allow_bare:
                headline.append((name, start))
                continue
            kind = _bare(name, text, start, start + len(name), r, persons, other)
            if kind:
                bare.append(Found(Party(name, kind), zone, start, slot=True))
    for name, start in headline:
        kind = _headline_partner(name, text, start, found, r, persons)
        if kind:
            bare.append(Found(Party(name, kind), zone, start, slot=True))
    initials = {"".join(w[0] for w in f.party.name.split() if w[0].isupper()) for f in found}
    found += [b for b in bare if b.party.name not in aliases and b.party.name not in initials]
    return found


# "Piaget and Huawei formalise a partnership": two one-word names acting together at
# the start of a sentence (rules-9).
_PAIR_ACTS = re.compile(
    r" (?:have |has |will |today |jointly |officially )*(?:formali[sz]ed?|sign(?:ed)?|ink(?:ed)?"
    r"|forged?|launch(?:ed)?|partner(?:ed)?|collaborated?|combine|join(?:ed)? forces|teamed up"
    r"|team up|announced?|agreed|entered|established?|set up|open(?:ed)?)\b"
)


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start]
    return not before.strip() or bool(re.search(r"[.!?:—–-]\s*$", before))


def _pair_pieces(words: list[str], r: _EnRules) -> list[list[str]]:
    """ "Piaget and Huawei", "BC3 Brockway and Penn Highlands DuBois" acting together at
    the start of a sentence: two names of up to three words, neither an ordinary word nor
    a noun (a noun makes a name `_named` reads whole: "Toyota and Bluegrass College")."""
    ordinary = r.pair_ordinary
    joins = [i for i, w in enumerate(words) if w in ("and", "&")]
    if len(joins) == 1:
        left, right = words[: joins[0]], words[joins[0] + 1 :]
        if (
            1 <= len(left) <= 3
            and 1 <= len(right) <= 3
            and not any(w in ordinary or _noun(w, r) for w in left + right)
        ):
            return [left, right]
    return _headline_pieces(words, r)


_HEADLINE_JOIN = re.compile(
    r"\s*(?:,|and|&|(?:[A-Z]\w+\s+){0,2}with)\s+(?:the\s+)?$", re.IGNORECASE
)


# A title-cased headline that opens with its actor: "Toyota Donates … To <a school>".
_HEADLINE_ACTS = re.compile(
    r"\s+(?:Donates|Donated|Gives|Gave|Pledges|Pledged|Partners|Teams|Signs|Opens|Launches|Joins"
    r"|Invests|Funds|Sponsors|Expands|Renews|Inks|Unveils|Hires|Brings|Awards|Endows|Gifts)\b"
)


def _headline_partner(
    name: str, text: str, start: int, found: list[Found], r: _EnRules, persons: frozenset[str]
) -> str | None:
    """In a title-cased headline every word is capitalised, so an unsuffixed name
    counts only joined to an organisation named just before it or right after it:
    "Kaiser Permanente and Pasadena City College announce …", "… Partners With Intel"."""
    words = name.split()
    if len(words) > 3 or words[0] in r.stopwords or _is_place(name, r) or name in persons:
        return None
    ordinary = r.headline_ordinary
    if any(w in ordinary for w in words):
        return None
    end = start + len(name)
    if text[end : end + 1] in ("'", "’") and r.slot_after_re.match(text, end):
        return "other"  # "… Joins Tesla's START Program"
    if (
        not text[:start].strip()
        and _HEADLINE_ACTS.match(text, end)
        and any(f.party.kind in EDUCATION_KINDS for f in found)
    ):
        return "other"  # "Toyota Donates Hybrid Vehicles To Bluegrass Community College"
    for f in found:
        f_end = f.pos + len(f.party.name)
        before = f_end <= start and _HEADLINE_JOIN.fullmatch(text, f_end, start)
        after = f.pos >= end and _HEADLINE_JOIN.fullmatch(text[end : f.pos] + " ")
        if before or after:
            for pattern, kind in r.overrides:
                if pattern.search(name):
                    return kind
            return "other"
    return None


def _before_possessive(piece: list[str]) -> list[str]:
    """ "Lockheed Martin's Lexington" -> "Lockheed Martin": an unsuffixed name owns
    what follows its possessive (a plant, a programme); named ones keep theirs
    (Children's Hospital never comes here)."""
    for i, w in enumerate(piece[:-1]):
        if w.endswith(("'s", "’s")) and len(w) > 2:
            return [*piece[:i], w[:-2]]
    return piece


def _en_self(text: str, zone: str, r: _EnRules) -> list[Found]:
    return [
        Found(Party(m.group(0), r.self_kind[m.group(0).lower()]), zone, m.start(), self_ref=True)
        for m in r.self_re.finditer(text)
    ]


_AGG_NOUNS = (
    "enterprises",
    "companies",
    "firms",
    "employers",
    "manufacturers",
    "businesses",
    "hospitals",
    "universities",
    "colleges",
    "schools",
    "institutions",
    "polytechnics",
)
_AGG_KIND = {
    "universities": "university",
    "colleges": "college",
    "polytechnics": "vocational_school",
    "schools": "college",
    "institutions": "other",
    "hospitals": "hospital",
}


_VAGUE = frozenset({"local", "area", "regional", "several", "participating"})
_AGG_MARGIN = 200


def _en_aggregates(text: str, zone: str, r: _EnRules) -> list[Found]:
    # A group ("30 companies", "two carmakers", "a network of colleges") is shown
    # only when no member of its side is named: English news names the members
    # it counts, so the count is no party of its own.
    nouns = [m.span() for m in r.aggregate_noun_re.finditer(text)]
    if not nouns:
        return []
    # The full pattern tries every position and is slow; a group ends with its noun, so
    # none starts long before the first noun (the margin would hold a 150-letter word)
    # and none ends after the last (nouns are words: one cannot hide inside another).
    start, end = max(0, nouns[0][0] - _AGG_MARGIN), nouns[-1][1]
    return [
        Found(
            Party(m.group(0), _AGG_KIND.get(m.group(1).lower(), "enterprise")),
            zone,
            m.start(),
            unnamed=True,
            vague=m.group(0).split()[0].lower() in _VAGUE,
        )
        for m in r.aggregate_re.finditer(text, start, end)
    ]


def _en_school_kind(f: Found) -> Found:
    """A name found with no school noun (`NJIT`, `KCTCS`, `BITS Pilani`: kind other) that
    the gazetteer of schools abroad lists as written is a school; so is such a school's
    name with one more word after it, a campus or a school of it (`BC3 Brockway`,
    `MIT Sloan`)."""
    if f.party.kind in EDUCATION_KINDS:
        return f
    school = f.party.name
    if not is_known_school(school):
        if f.party.kind != PartyKind.OTHER:
            return f
        school, _, last = school.rpartition(" ")
        if not (school and last[:1].isupper() and is_known_school(school)):
            return f
    return dataclasses.replace(f, party=Party(f.party.name, _known_school_kind(school)))


def _known_school_kind(name: str) -> str:
    r = _en_rules()
    nouns = [n for w in name.split() if (n := _noun(w, r))]
    kind = _en_kind(name, nouns[-1], r) if nouns else PartyKind.UNIVERSITY
    return kind if kind in EDUCATION_KINDS else PartyKind.UNIVERSITY


def _en_known_schools(text: str, zone: str, found: list[Found]) -> list[Found]:
    """Schools named only in a form with no school noun ("SABIC funds research at KAUST",
    "NC A&T chosen for IBM's cybersecurity centers"), found by the names the gazetteer of
    schools abroad lists. Read only for an item where no school was found otherwise: beside
    a school named in full, a listed acronym is most likely that school again. A name
    inside a longer one found ("Rutgers Education and Employment Research Center") is
    that body's, not the school's."""
    others = [f.party.name for f in found]
    return [
        Found(Party(m.group(0), _known_school_kind(m.group(0))), zone, m.start())
        for m in known_schools(text)
        if not any(m.group(0) in other for other in others)
    ]


def runs_schools(party: Party, lang: str) -> bool:
    """A school, or (in English) a government body that runs schools
    (orgs.yaml `en.school_authorities`)."""
    if party.kind in EDUCATION_KINDS:
        return True
    return (
        lang == "en"
        and party.kind == "government"
        and bool(_en_rules().authority_re.search(party.name))
    )


def _extract_en(text: str, zone: str, other: str = "") -> list[Found]:
    """The parties named in one zone; `other` is the other zone (the headline for the
    body, the body for the headline)."""
    r = _en_rules()
    return (
        _en_named(text, zone, r, other)
        + _en_brands(text, zone, r)
        + _en_self(text, zone, r)
        + _en_aggregates(text, zone, r)
    )


_CAPITAL_BEFORE = re.compile(r"[A-Z][\w'’-]*\s+$")


def _en_brands(text: str, zone: str, r: _EnRules) -> list[Found]:
    """Companies known by their brand (orgs.yaml `en.known_companies`), named in the
    headline or in a sentence of cooperation, and not the end of a longer capitalised
    name (James Dyson)."""
    out: list[Found] = []
    for m in r.brand_re.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        prev = _CAPITAL_BEFORE.search(before)
        if prev and prev.group(0).split()[0] not in r.stopwords:
            continue
        if zone != "title" and not _mentions_cooperation(
            r.coop_re, _sentence(text, m.start(), m.end())
        ):
            continue
        out.append(Found(Party(m.group(0), "enterprise"), zone, m.start(), slot=True))
    return out

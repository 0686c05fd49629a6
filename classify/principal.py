"""Principal parties: who cooperates, as opposed to who is only mentioned.

``parties.extract`` finds every organisation an item names; an analyst wants those
that sign, co-build, co-found or jointly train. This module sorts the found parties
into ``principal`` (shown as the item's parties) and ``mentioned`` (bureaus whose
officials attend, hosts of a venue) and drops names that are no organisation at all
(sentence fragments, places). The words it looks for live in data/principal.yaml.
Scoring is not affected: it still reads every found party.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, replace
from functools import cache

from ieiwatch.domain import EDUCATION_KINDS, Party

from .data_files import load
from .parties import ALIAS, Found, company_brand, name_key, zh_sub_unit
from .text import Prepared, to_simplified
from .world_places import world_places

_CLAUSE_END = re.compile(r"[，,。！？；!?;\n]")
_DATE_PREFIX = re.compile(r"[\s\d年月日号,，、:：.()（）]*")
_EN_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n")
# A sentence is looked for this far back from a name (bounds the work per mention).
_EN_SENTENCE_CHARS = 400


@dataclass(frozen=True)
class _Rules:
    zh_fragment: re.Pattern[str]
    zh_coop_after: re.Pattern[str]
    zh_coop_before: re.Pattern[str]
    zh_attending: re.Pattern[str]
    zh_window: int
    zh_owner: re.Pattern[str]
    zh_official: re.Pattern[str]
    venue_end: dict[str, re.Pattern[str]]
    venue_before: dict[str, re.Pattern[str]]
    en_not_party: re.Pattern[str]
    en_built: re.Pattern[str]
    en_built_any: re.Pattern[str]
    en_coop: re.Pattern[str]
    en_attending: re.Pattern[str]
    zh_counts_mentioned: bool
    zh_guiding: re.Pattern[str]
    en_pinyin_surnames: frozenset[str]
    zh_unit_institute_endings: tuple[str, ...]
    zh_subject_words: tuple[str, ...]  # longest first: 人工智能 before 智能


@cache
def _rules() -> _Rules:
    d = load("principal")
    zh, en = d["zh"], d["en"]
    openers = "|".join(map(re.escape, zh["fragment_openers"]))
    fragment = "|".join([f"^(?:{openers})", *zh["fragment_patterns"]])
    return _Rules(
        zh_fragment=re.compile(fragment),
        zh_coop_after=re.compile(zh["cooperating_after"]),
        zh_coop_before=re.compile(zh["cooperating_before"]),
        zh_attending=re.compile(zh["attending_after"]),
        zh_window=int(zh["attending_window"]),
        zh_owner=re.compile(zh["owner_after"]),
        zh_official=re.compile(zh["official_after"]),
        venue_end={"zh": re.compile(zh["venue_endings"]), "en": re.compile(en["venue_endings"])},
        venue_before={"zh": re.compile(zh["venue_before"]), "en": re.compile(en["venue_before"])},
        en_not_party=re.compile(f"{en['not_parties']}|{en['place_endings']}|{en['subject_names']}"),
        en_built=re.compile(en["built_endings"]),
        en_built_any=re.compile(en["built_names"]),
        en_coop=re.compile(en["cooperating"], re.IGNORECASE),
        en_attending=re.compile(en["attending"], re.IGNORECASE),
        zh_counts_mentioned=bool(zh.get("counts_beside_named_mentioned")),
        zh_guiding=re.compile(zh["guiding_span"]),
        en_pinyin_surnames=frozenset(en["pinyin_surnames"]),
        zh_unit_institute_endings=tuple(zh["unit_institute_endings"]),
        zh_subject_words=tuple(sorted(zh["subject_words"], key=len, reverse=True)),
    )


# Schools and companies that attend their own signing ceremony are still its parties;
# a bureau or an association that only attends is not.
_MAY_ONLY_ATTEND = frozenset({"government", "association", "other"})


@dataclass(frozen=True)
class Sorted:
    principal: list[Party]
    mentioned: list[Party]


@dataclass(frozen=True)
class Verdict:
    """The rules' verdict on one shown party: principal or not."""

    party: Party  # the name shown (a self-reference resolved to the publisher)
    principal: bool


def sort_parties(found: list[Found], prep: Prepared, publisher: str | None = None) -> Sorted:
    """Split the shown parties into principal and mentioned ones. ``publisher`` (the
    institution that publishes the page, when the source says so) replaces a
    self-reference (我校, 学校, "the university")."""
    return settle(verdicts(found, prep, publisher))


def settle(vs: list[Verdict]) -> Sorted:
    """The principal and mentioned parties of `vs` (the bureaus stand in when nothing
    else is principal; a short form beside its full name is dropped)."""
    principal = [v.party for v in vs if v.principal]
    mentioned = [v.party for v in vs if not v.principal]
    if not principal and mentioned:
        # Nothing else names the cooperation: the bureaus are what the item is about.
        principal, mentioned = mentioned, []
    principal = [_without_alias(p) for p in _without_abbreviations(principal)]
    mentioned = [_without_alias(p) for p in mentioned]
    return Sorted(_unique(principal), _unique([p for p in mentioned if p not in principal]))


# "University of the West Indies (The UWI)", "Wisconsin Department of Workforce Development
# (DWD)": the short form the article gives after a name is how it will go on to call it.
# It helped to find the party (a later "UWI" is the same one); it is no part of its name.
_TRAILING_ALIAS = re.compile(rf"\s+\((?:The )?{ALIAS}\)$")


def _without_alias(party: Party) -> Party:
    name = _TRAILING_ALIAS.sub("", party.name)
    return party if name == party.name or not name else Party(name, party.kind)


def verdicts(found: list[Found], prep: Prepared, publisher: str | None = None) -> list[Verdict]:
    """The rules' verdict on each found party that is an organisation at all."""
    r = _rules()
    if prep.lang == "en":
        found = _en_with_campus([_en_owner_of_place(f, r) for f in found], prep)
    kept = _without_declared_short_forms(
        [f for f in found if not _no_party(f.party.name, prep.lang, r)], prep
    )
    # Only a bureau or an association may be a mere attendee: read its roles alone.
    evidence = {id(f): _roles(f, prep, r) for f in kept if f.party.kind in _MAY_ONLY_ATTEND}
    has_school = any(f.party.kind in EDUCATION_KINDS for f in kept)
    has_partner = any(
        f.party.kind not in EDUCATION_KINDS and f.party.kind != "government" for f in kept
    )
    parents = [f for f in kept if f.party.kind in EDUCATION_KINDS and not _sub_unit(f, prep)]
    if prep.lang == "zh" and publisher is None and _headline_opens_with(kept, parents):
        # 新余学院与某公司签署… in the headline, 学校 in the text: the page's own school,
        # named; the self-reference is the same party again.
        kept = [f for f in kept if not f.self_ref or f.paired]
    # A unit named by its subject alone (农学院, "School of Nursing") with no other school
    # named is a unit of the page's own school: shown with that school's name.
    unit_of = publisher if publisher and _only_school(parents, publisher) else None
    out: list[Verdict] = []
    for f in kept:
        cooperates, attends = evidence.get(id(f), (True, False))
        party = _resolved(f, publisher)
        if unit_of and _own_unit(f, prep):
            party = _qualified(party, unit_of, prep.lang)
        if prep.lang == "en" and (
            (
                f.party.kind == "other"
                and r.en_built.search(f.party.name)
                and not _en_counterpart(f, prep)
            )
            or r.en_built_any.search(f.party.name)
        ):
            # "Semiconductor Training Center", "Miller Information Technology Center",
            # "Industry-Sponsored Projects Lab": what is built or where it happens, not
            # who cooperates.
            out.append(Verdict(party, False))
        elif not f.self_ref and _venue_only(f, prep, r):
            # 在某大酒店举行, "took place at … Resort and Hotel": where, not who.
            out.append(Verdict(party, False))
        elif prep.lang == "zh" and _company_unit(f, kept):
            # 天士力创新药物研究院 beside 天士力控股集团: the company's own institute.
            out.append(Verdict(party, False))
        elif prep.lang == "zh" and not f.self_ref and _owner_only(f, prep, r):
            # 某集团所属某学院: the group owns the school that cooperates.
            out.append(Verdict(party, False))
        elif (
            prep.lang == "zh"
            and f.party.kind in _MAY_ONLY_ATTEND
            and not f.self_ref
            and _guiding_only(f, prep, r)
        ):
            # 在省教育厅、某协会的指导下: bodies that guide or support, not the parties
            # (a company's support, 在某公司的支持下, is its part in the cooperation).
            out.append(Verdict(party, False))
        elif prep.lang == "zh" and _formed_alliance(f, prep, r):
            # 某某产教联合体成立, 全国某行业产教融合共同体揭牌: what the parties form.
            out.append(Verdict(party, False))
        elif _counted(f, kept, prep.lang, r):
            # 百余家企业, 18所高校 beside named schools and companies, "seven community
            # colleges": the item's parties are the ones it names; the count is kept
            # among the mentioned.
            out.append(Verdict(party, False))
        elif prep.lang == "en" and _en_unit_of(f, parents, r):
            # "Wits School of Mining Engineering" beside Wits University, "U-M Energy
            # Institute" beside the University of Michigan: the school's own unit.
            out.append(Verdict(party, False))
        elif (
            f.party.kind in (*EDUCATION_KINDS, "research_institute")
            and parents
            and _sub_unit(f, prep)
        ):
            # 建筑工程学院, "School of Automation", 先进产业技术研究院: a unit of the named
            # school, which is the party (the name is kept among the mentioned).
            out.append(Verdict(party, False))
        elif f.party.kind not in _MAY_ONLY_ATTEND or cooperates or f.self_ref or f.slot:
            out.append(Verdict(party, True))
        elif attends or (
            # A bureau beside a school and a company is there to witness (in English, one
            # that no sentence names cooperating either: "the Ministry of Education").
            f.party.kind == "government" and has_school and has_partner
        ):
            out.append(Verdict(party, False))
        else:
            out.append(Verdict(party, True))
    return _late_bureaus_witness(out, kept, prep)


def _late_bureaus_witness(out: list[Verdict], kept: list[Found], prep: Prepared) -> list[Verdict]:
    """A bureau the headline does not name, first named after two parties that
    cooperate, is there to witness, host or support, even where a sentence has it work
    with them (某学院与某公司签署… 市人社局与学院共同推进…): cooperation news names its
    parties first. It is kept among the mentioned."""
    before = 0
    for i, (v, f) in enumerate(zip(out, kept, strict=True)):
        if not v.principal:
            continue
        if (
            before >= 2
            and f.party.kind == "government"
            and not f.self_ref
            and not _in_headline(f, prep)
        ):
            out[i] = Verdict(v.party, False)
        else:
            before += 1
    return out


# 黑龙江省建设投资集团有限公司（简称“省建投集团”）: the article says which name is short for
# which.
_DECLARED_SHORT = re.compile(
    r"[（(](?:以下)?简称为?[：:]?[“\"「『]?([^”\"」』()（）、，,]{2,12}?)[”\"」』]?[)）]"
)


def _without_declared_short_forms(found: list[Found], prep: Prepared) -> list[Found]:
    """Without a name the article declares short for another party found (the same party
    twice): 某集团有限公司（简称“某集团”）."""
    if prep.lang != "zh" or "简称" not in prep.body + prep.title:
        return found
    names = {f.party.name for f in found}
    short = set()
    # The original text and its simplified form (one text when the article is simplified).
    texts = {prep.orig_title + "\n" + prep.orig_body, prep.title + "\n" + prep.body}
    for text in texts:
        for m in _DECLARED_SHORT.finditer(text):
            before = text[max(0, m.start() - 40) : m.start()]
            if m.group(1) in names and any(n != m.group(1) and before.endswith(n) for n in names):
                short.add(m.group(1))
    return [f for f in found if f.party.name not in short]


# 49家行业企业, 18所高校, "seven community colleges": a count of parties, not a name.
_COUNTED = re.compile(
    r"^(?:[0-9一二三四五六七八九十两几多数百千余]+(?:多|余)?[家所个]|(?:\d+|two|three|four|five|six"
    r"|seven|eight|nine|ten|several|more than)\b)",
    re.IGNORECASE,
)


def _headline_opens_with(kept: list[Found], schools: list[Found]) -> bool:
    """Whether the first party named in the headline is one of `schools` (a school
    named by itself, not a self-reference)."""
    titled = [f for f in kept if f.zone == "title" and not f.self_ref]
    if not titled:
        return False
    first = min(titled, key=lambda f: f.pos)
    return any(first is g for g in schools)


def _guiding_only(f: Found, prep: Prepared, r: _Rules) -> bool:
    """Whether every mention of the name stands inside 在…的指导下 (支持, 关心, 推动):
    it guides or supports the cooperation."""
    for zone, start, end in _mentions(f, prep):
        text = prep.zone_text(zone)
        if not any(
            m.start() < start and end <= m.end()
            for m in r.zh_guiding.finditer(text, max(0, start - 90), min(len(text), end + 90))
        ):
            return False
    return True


_ZH_ALLIANCE = re.compile(r"(?:联合体|共同体|联盟|职教集团|职业教育集团)$")


def _formed_alliance(f: Found, prep: Prepared, r: _Rules) -> bool:
    """Whether the name is an alliance (产教联合体, 职教集团) that no mention shows
    acting (某职教集团与…签约, …召开年会): the body the cooperation forms."""
    if f.self_ref or not _ZH_ALLIANCE.search(to_simplified(f.party.name)):
        return False
    for zone, _, end in _mentions(f, prep):
        if r.zh_coop_after.match(prep.zone_text(zone)[end : end + 12]):
            return False
    return True


def _side(kind: str) -> str:
    if kind in EDUCATION_KINDS:
        return "school"
    return "government" if kind == "government" else "partner"


def _counted(f: Found, kept: list[Found], lang: str, r: _Rules) -> bool:
    """Whether `f` counts parties rather than naming one: in English always ("seven
    community colleges", "a network of colleges"); in Chinese (49家企业, 18所高校), when
    principal.yaml says so, where a party of its side (schools; companies and other
    partners) is named in the item."""
    if f.self_ref:
        return False
    if lang != "zh":
        return f.unnamed or bool(_COUNTED.match(f.party.name))
    if not r.zh_counts_mentioned or not _COUNTED.match(f.party.name):
        return False
    side = _side(f.party.kind)
    return any(
        g is not f
        and not g.self_ref
        and _side(g.party.kind) == side
        and not _COUNTED.match(g.party.name)
        for g in kept
    )


# Words that open many bodies' names and so say nothing of which one a headline names.
_EN_GENERIC_OPENERS = frozenset({"Department", "Ministry", "Office", "State", "National", "The"})


def _in_headline(f: Found, prep: Prepared) -> bool:
    """Whether the headline names the party: found there, or (English) by its initials
    ("MIDA" for the Malaysian Investment Development Authority), by the short form the
    text gives after it ("Ministry of Higher Education (KPT)") or by its first word
    ("Kwara Govt" for the Kwara State Government)."""
    if f.zone == "title" or prep.lang != "en":
        return f.zone == "title"
    words = set(re.findall(r"[A-Za-z][\w'’&-]*", prep.orig_title))
    name = _TRAILING_ALIAS.sub("", f.party.name)
    initials = _initials(name)
    declared = re.findall(rf"{re.escape(name)}\s+\((?:The )?({ALIAS})\)", prep.orig_body)
    first = name.split()[0]
    return (
        (len(initials) >= 3 and initials in words)
        or any(a in words for a in declared)
        or (first not in _EN_GENERIC_OPENERS and first in words)
    )


_INITIAL_SKIP = frozenset({"of", "and", "the", "for", "at", "&"})


def _initials(name: str) -> str:
    words = re.findall(r"[A-Za-z][\w'’]*", name)
    return "".join(w[0].upper() for w in words if w.lower() not in _INITIAL_SKIP)


def _without_abbreviations(parties: list[Party]) -> list[Party]:
    """Drop a short form ("UofL", "U-M", "CSCC") whose capitals are the initials of
    another shown party's name (University of Louisville): the same party twice. The
    short form may spell one word more or less than the name as found ("UNR" for the
    University of Nevada, Reno; "KCTCS" for … Technical College System)."""
    out = []
    for p in parties:
        caps = "".join(c for c in p.name if c.isupper())
        short = " " not in p.name and len(p.name) <= 8 and len(caps) >= 2
        if short and any(q is not p and _abbreviates(caps, q.name) for q in parties):
            continue
        if any(
            q is not p and q.kind == p.kind and _head_abbreviates(p.name, q.name) for q in parties
        ):
            continue
        if any(
            q is not p
            and q.kind == p.kind
            and (
                _zh_contracts(p.name, q.name)
                or _zh_branch_contracts(p.name, q.name)
                or _zh_same_body(p.name, q.name)
            )
            for q in parties
        ):
            continue
        out.append(p)
    return out


def _zh_contracts(short: str, name: str) -> bool:
    """Whether `short` is a Chinese contraction of `name` (市二医院 of 萍乡市第二人民医院,
    省农科院 of 黑龙江省农业科学院): its characters in order, the same last character,
    with at least two runs of the full name left out between them (浙江大学 leaves one
    out of 浙江工商大学: another school)."""
    if len(short) < 3 or len(short) >= len(name) or short[-1] != name[-1] or short.isascii():
        return False
    at, gaps = name.find(short[0]), 0
    if at < 0:
        return False
    for c in short[1:]:
        nxt = name.find(c, at + 1)
        if nxt < 0:
            return False
        gaps += nxt > at + 1
        at = nxt
    return gaps >= 2


def _zh_same_body(short: str, name: str) -> bool:
    """Whether `short` is `name` without its 有限 (某股份公司 for 某股份有限公司), as people
    write it."""
    return "有限" in name and short == name.replace("有限", "", 1) and not short.isascii()


# A branch's closing words: 深圳分公司, 南京分行, 盐城支行.
_ZH_BRANCH = re.compile(r"[\u4e00-\u9fff]{2,}(?:分公司|分行|支行|分院|营业部)$")


def _zh_branch_contracts(short: str, name: str) -> bool:
    """Whether `short` is a short form of a branch's full name (中国电信盐城分公司 of
    中国电信股份有限公司盐城分公司, 中国移动深圳分公司 of 中国移动通信集团广东有限公司深圳分公司):
    the same place and branch word at the end, and the rest the opening of the full name
    (中国银行南京分行 is not 中国工商银行南京分行)."""
    if len(short) >= len(name) or short.isascii():
        return False
    n = 0
    while n < len(short) and short[-1 - n] == name[-1 - n]:
        n += 1
    tail = short[len(short) - n :]
    if not _ZH_BRANCH.fullmatch(tail):
        return False
    head = short[: len(short) - n]
    return len(head) >= 3 and name.startswith(head)


def _head_abbreviates(short: str, name: str) -> bool:
    """Whether `short` is `name` with its opening words abbreviated: "FQM Trident Limited"
    of First Quantum Minerals Trident Limited (the same words after the initials)."""
    head, *rest = short.split()
    words = name.split()
    if not rest or not head.isupper() or len(words) <= len(rest) or words[-len(rest) :] != rest:
        return False
    return len(head) >= 2 and _abbreviates(head, " ".join(words[: -len(rest)]))


def _abbreviates(caps: str, name: str) -> bool:
    if " " not in name:
        return False
    initials = _initials(name)
    if initials == caps:
        return True
    longer, shorter = (caps, initials) if len(caps) > len(initials) else (initials, caps)
    return len(shorter) >= 2 and len(longer) == len(shorter) + 1 and longer.startswith(shorter)


_EN_UNIT = re.compile(
    r"^(?:the\s+)?(?:School|College|Department|Faculty|Division)s?\s+of\s"
    r"|\sSchool$|^Business School$|['’]s\s+(?:School|College|Department|Faculty|Division)\b"
)


def _sub_unit(f: Found, prep: Prepared) -> bool:
    """A school or department named by its subject alone (计测工程学院, "School of
    Automation", "Tsinghua's Department of …"), not a school of its own; in Chinese also
    a research institute so named (先进产业技术研究院)."""
    if f.self_ref:
        return False
    if prep.lang == "zh" and f.party.kind == "research_institute":
        return _zh_subject_institute(f.party.name, _rules())
    if f.party.kind not in EDUCATION_KINDS:
        return False
    name = f.party.name
    if prep.lang != "zh":
        return bool(_EN_UNIT.search(name))
    return zh_sub_unit(name)


_ZH_SCHOOL_OPENING = re.compile(r"^[\u4e00-\u9fff]{2,12}?(?:大学|学院)")


def _zh_subject_institute(name: str, r: _Rules) -> bool:
    """Whether `name` is a research institute named by subject words alone."""
    ending = next((e for e in r.zh_unit_institute_endings if name.endswith(e)), None)
    if ending is None:
        return False
    # 澄州大学先进产业技术研究院: the school's name before the subject.
    rest = _ZH_SCHOOL_OPENING.sub("", name[: -len(ending)])
    if not rest:
        return False  # 深圳清华大学研究院: the school's institute, a body of its own
    while rest:
        word = next((w for w in r.zh_subject_words if rest.startswith(w)), None)
        if word is None:
            return False
        rest = rest[len(word) :]
    return True


def _no_party(name: str, lang: str, r: _Rules) -> bool:
    if lang == "zh":
        return bool(r.zh_fragment.search(name))
    name = name.strip()
    # A place alone ("Ludhiana", "Osogbo"): where, not who (rules-14's gazetteer).
    return bool(r.en_not_party.search(name)) or name in world_places() or _pinyin_person(name, r)


_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|er|ia|ie|in|iu|ou|ua|ue"
    r"|ui|un|uo|a|e|i|o|u|v)"
)
_PINYIN_GIVEN = re.compile(rf"{_PINYIN_SYLLABLE}(?:-?{_PINYIN_SYLLABLE})?")


def _pinyin_person(name: str, r: _Rules) -> bool:
    """ "Zhang Tuqiao", "Xiaojun Wang": a Chinese surname and a pinyin given name."""
    words = name.split()
    if len(words) != 2 or not all(w[:1].isupper() and w[1:].islower() for w in words):
        return False
    first, last = words
    return (first in r.en_pinyin_surnames and bool(_PINYIN_GIVEN.fullmatch(last.lower()))) or (
        last in r.en_pinyin_surnames and bool(_PINYIN_GIVEN.fullmatch(first.lower()))
    )


def _en_with_campus(found: list[Found], prep: Prepared) -> list[Found]:
    """A town after a school's name and a comma ("University of Nevada, Reno") is part of
    the name (its campus), not a party of its own."""
    places = world_places()
    # A city (its entry names one); a state after the comma says where, not which campus.
    towns = {f.party.name for f in found if f.party.name in places and places[f.party.name][1]}
    if not towns:
        return found
    text = f"{prep.original('title', 0, 10**9)}\n{prep.original('body', 0, 10**9)}"
    out: list[Found] = []
    for f in found:
        if f.party.kind in EDUCATION_KINDS and not f.self_ref:
            town = next((t for t in towns if f"{f.party.name}, {t}" in text), None)
            if town is not None:
                f = replace(f, party=replace(f.party, name=f"{f.party.name}, {town}"))
        out.append(f)
    return out


def _only_school(parents: list[Found], publisher: str) -> bool:
    """Whether every school named in full (not a self-reference, not a unit) is the
    publisher itself."""
    own = name_key(publisher)
    return all(f.self_ref or name_key(f.party.name) in own for f in parents)


# An English unit that names no school of its own: "School of Nursing", "the Department
# of …", "Business School" (not "Polytech High School", not "Tsinghua's School of …", not
# "College of the Desert").
_EN_OWN_UNIT = re.compile(
    r"^(?:the\s+)?(?:School|College|Department|Faculty|Division)s?\s+of\s+(?!the\s)(?P<field>.+)"
    r"|^Business School$",
    re.IGNORECASE,
)


def _own_unit(f: Found, prep: Prepared) -> bool:
    """A unit that, with no school named, can only be the publisher's."""
    if prep.lang != "en":
        return _sub_unit(f, prep)
    if f.self_ref or f.party.kind not in EDUCATION_KINDS:
        return False
    m = _EN_OWN_UNIT.match(f.party.name)
    # "College of Charleston": a school named for its town.
    return m is not None and (m.group("field") or "").split(",")[0] not in world_places()


def _qualified(party: Party, school: str, lang: str) -> Party:
    """The unit named with its school: 河北工程大学农学院, "Lakeland University School of
    Nursing"."""
    unit, own = name_key(party.name), name_key(school)
    if own in unit:
        return party
    if unit in own:
        # 应用技术学院 from 上海应用技术学院: the school's short name, not a unit.
        return replace(party, name=school)
    unit_name = re.sub(r"^the\s+", "", party.name, flags=re.IGNORECASE)
    joined = f"{school}{unit_name}" if lang == "zh" else f"{school} {unit_name}"
    return replace(party, name=joined)


def _resolved(f: Found, publisher: str | None) -> Party:
    if f.self_ref and publisher and not f.paired:
        return replace(f.party, name=publisher)
    return f.party


def _unique(parties: list[Party]) -> list[Party]:
    seen: set[str] = set()
    out = []
    for p in parties:
        if p.name not in seen:
            seen.add(p.name)
            out.append(p)
    return out


def _roles(f: Found, prep: Prepared, r: _Rules) -> tuple[bool, bool]:
    """(named as cooperating somewhere, named as attending somewhere)."""
    cooperates = attends = False
    for zone, start, end in _mentions(f, prep):
        text = prep.zone_text(zone) if prep.lang == "zh" else prep.original(zone, 0, 10**9)
        if prep.lang == "zh":
            c, a = _zh_roles(text, start, end, r)
        else:
            c, a = _en_roles(text, start, end, r)
        cooperates, attends = cooperates or c, attends or a
    return cooperates, attends


_EN_POSSESSIVE = re.compile(r"^(.+?)['’]s\s+(.+)$")


def _en_owner_of_place(f: Found, r: _Rules) -> Found:
    """A place of a school's ("TAFE NSW's Wetherill Park Campus", "the University of
    Delaware’s STAR Campus"): the school is the party."""
    m = _EN_POSSESSIVE.match(f.party.name)
    if not m or not r.en_not_party.search(" " + m.group(2)) or " " not in m.group(1).strip():
        return f
    return dataclasses.replace(f, party=Party(m.group(1).strip(), f.party.kind))


_EN_UNIT_NOUN = re.compile(
    r"\b(?:School|College|Department|Faculty|Institute|Cent(?:er|re)|Labs?)\b"
)
_EN_GENERIC_FIRST = frozenset({"The", "University", "College", "School", "Institute", "National"})


def _en_unit_of(f: Found, schools: list[Found], r: _Rules) -> bool:
    """Whether the name opens with the short name of another school found in the item
    (its first word, "Wits" of Wits University, or its initials, "U-M" of the University
    of Michigan) and names a school, institute or centre: a unit of that school."""
    name = f.party.name
    if f.self_ref or f.party.kind not in (*EDUCATION_KINDS, "research_institute"):
        return False
    first, _, rest = name.partition(" ")
    if not rest or first in _EN_GENERIC_FIRST or not _EN_UNIT_NOUN.search(rest):
        return False
    for g in schools:
        other = g.party.name
        lead, _, tail = other.partition(" ")
        if g is f or other == name or other.startswith(name) or _EN_UNIT_NOUN.search(tail):
            continue  # (two units, or two spellings of one, do not rule each other out)
        for part in first.split("/"):
            caps = "".join(c for c in part if c.isupper())
            if r.en_not_party.search(part):
                continue  # a state or a place opens many names (Texas, Maine)
            if (part == lead and len(part) >= 3 and lead != other) or (
                len(caps) >= 2 and caps == part.replace("-", "") and _initials(other) == caps
            ):
                return True
    return False


_EN_WITH = re.compile(r"\bwith\s+(?:the\s+)?$")


def _en_counterpart(f: Found, prep: Prepared) -> bool:
    """Whether a centre is named as the one a party works with ("signed an MOU with
    Legacy Aviation Learning Center"): a counterpart, not what is built."""
    for zone, start, _ in _mentions(f, prep):
        text = prep.original(zone, max(0, start - 12), start)
        if _EN_WITH.search(text):
            return True
    return False


def _company_unit(f: Found, found: list[Found]) -> bool:
    """Whether a research institute's or a division's name opens with the brand of a
    company found in the item (天士力创新药物研究院 beside 天士力控股集团, 徐工起重机械事业部
    beside 徐工集团): the company's own unit."""
    if f.party.kind != "research_institute" and not _ZH_DIVISION.search(f.party.name):
        return False
    for g in found:
        if g.party.kind != "enterprise" or g is f:
            continue
        brand = company_brand(g.party.name)
        if len(brand) >= 2 and f.party.name.startswith(brand):
            return True
    return False


# A company's division (事业部, 事业群): never a party beside its company.
_ZH_DIVISION = re.compile(r"(?:事业部|事业群|事业本部)")


def venue_only(f: Found, prep: Prepared) -> bool:
    """Whether a party found is only where the event is held (a hotel, a hall)."""
    return not f.self_ref and _venue_only(f, prep, _rules())


def _venue_only(f: Found, prep: Prepared, r: _Rules) -> bool:
    """Whether the name is a hotel or a hall and every mention of it says where
    something is held (在某大酒店, "at the … Hotel")."""
    lang = prep.lang if prep.lang in r.venue_end else "en"
    if not r.venue_end[lang].search(f.party.name):
        return False
    for zone, start, _ in _mentions(f, prep):
        text = prep.zone_text(zone) if lang == "zh" else prep.original(zone, 0, 10**9)
        if not r.venue_before[lang].search(text[max(0, start - 40) : start]):
            return False
    return True


def _owner_only(f: Found, prep: Prepared, r: _Rules) -> bool:
    """Whether every mention of the name is followed by 所属/旗下 (it owns the party
    named next) and none names it cooperating."""
    mentions = _mentions(f, prep)
    owner = False
    for zone, start, end in mentions:
        text = prep.zone_text(zone)
        if not r.zh_owner.match(text[end : end + 2]):
            return False
        owner = True
        if r.zh_coop_before.search(text[max(0, start - 4) : start]):
            return False
    return owner


def _mentions(f: Found, prep: Prepared) -> list[tuple[str, int, int]]:
    """Every place the party's name occurs (title and body), else where it was found."""
    # zh rules read the simplified text, which keeps the original's offsets.
    name = to_simplified(f.party.name) if prep.lang == "zh" else f.party.name
    out: list[tuple[str, int, int]] = []
    for zone in ("title", "body"):
        text = prep.zone_text(zone) if prep.lang == "zh" else prep.original(zone, 0, 10**9)
        start = text.find(name)
        while start >= 0 and len(out) < 8:
            out.append((zone, start, start + len(name)))
            start = text.find(name, start + len(name))
    if out:
        return out
    # A name qualified with its city (澄州市教育局 for 市教育局): the part written there.
    text = prep.zone_text(f.zone) if prep.lang == "zh" else prep.original(f.zone, 0, 10**9)
    written = next((k for k in range(len(name)) if text.startswith(name[k:], f.pos)), 0)
    return [(f.zone, f.pos, f.pos + len(name) - written)]


def _zh_roles(text: str, start: int, end: int, r: _Rules) -> tuple[bool, bool]:
    clause_end = _CLAUSE_END.search(text, end)
    after = text[end : clause_end.start() if clause_end else len(text)]
    before = text[max(0, start - 4) : start]
    # A text that opens with the body (晋江举办…, 某市人民政府印发…): it acts.
    lead = _DATE_PREFIX.match(text)
    opens = lead is not None and start <= lead.end()
    # 由某局副局长主持: its official chairs or attends; 由 does not make it a party.
    official = bool(r.zh_official.match(after))
    attends = official or any(
        r.zh_attending.search(tail[: r.zh_window]) for tail in (after, _list_tail(after))
    )
    # 市教育局、市发改委等部门负责人出席: a list that attends, wherever it stands (、 or the
    # opening of the text would otherwise make each body act).
    listed = attends and before.endswith("、")
    cooperates = bool(
        r.zh_coop_after.match(after)
        or (r.zh_coop_before.search(before) and not official and not listed)
        or (opens and not attends)
    )
    return cooperates, attends


# An item of a list of bodies (、市发展改革委): what the list does is said after its last.
_LIST_ITEM_CHARS = 24


def _list_tail(after: str) -> str:
    """The clause from the last item of the list the name opens (市教育局、市发展改革委、
    市人社局等部门负责人参加会议 -> 、市人社局等部门负责人参加会议), or '' if none."""
    start = -1
    while after.startswith("、", start + 1):
        nxt = after.find("、", start + 2)
        if nxt < 0 or nxt - start > _LIST_ITEM_CHARS:
            return after[start + 1 :]
        start = nxt - 1
    return after[start + 1 :] if start >= 0 else ""


def _en_roles(text: str, start: int, end: int, r: _Rules) -> tuple[bool, bool]:
    lo = max(0, start - _EN_SENTENCE_CHARS)
    cuts = [m.end() for m in _EN_SENTENCE_END.finditer(text, lo, start)]
    s = cuts[-1] if cuts else lo
    e_m = _EN_SENTENCE_END.search(text, end)
    sentence = text[s : e_m.start() if e_m else len(text)]
    return bool(r.en_coop.search(sentence)), bool(r.en_attending.search(sentence))


def company_spans(found: list[Found], prep: Prepared) -> list[tuple[str, int, int]]:
    """Where companies are named ((zone, start, end) in the text `find_region` reads):
    a place inside a company's name (宁德时代) says nothing of where the event is."""
    spans = []
    for f in found:
        if f.party.kind != "enterprise" or f.self_ref:
            continue
        spans += _mentions(f, prep)
        if prep.lang == "zh" and len(f.party.name) > _SHORT_NAME:
            # 宁德时代 in the headline is 宁德时代新能源科技股份有限公司 of the text.
            short = dataclasses.replace(f, party=Party(f.party.name[:_SHORT_NAME], "enterprise"))
            spans += _mentions(short, prep)
    return spans


# A company's short name: its first four characters (宁德时代, 恒远集团).
_SHORT_NAME = 4

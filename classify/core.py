"""classify(): relevance score, type and evidence from the compiled rules."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ieiwatch.domain import ArticleType
from ieiwatch.domain.text import MAX_TITLE_CHARS

from . import learned, principal
from . import parties as party_mod
from .data_files import load
from .model import CLASSIFIER_VERSION, EDUCATION_KINDS, Classification, Party
from .places import (
    date_prefix_end,
    find_sectors,
    held_at_publisher,
    locate,
    region_led,
    with_publisher,
)
from .prefilter import Cue
from .rules import CueGroup, LangRules, Scoring, lang_rules, scoring
from .text import Prepared, detect_language, prepare

MAX_CLASSIFIED_CHARS = 10_000
"""How much of a body is read: real articles are a few thousand characters and the rules
weigh the lead; every rule is then bounded in time, whatever the page holds."""


@dataclass(frozen=True)
class Hit:
    zone: str  # "title", "lead" or "body"
    multiplier: float
    snippet: str
    count: int  # occurrences in the body


@dataclass(frozen=True)
class Term:
    """One addend of the raw score, with the phrase that caused it."""

    label: str
    value: float
    snippet: str


def classify(
    title: str, text: str, lang: str | None = None, publisher: str | None = None
) -> Classification:
    """Classify one news item. `lang` ("zh"/"en") is detected when None; `publisher`
    (the institution whose site published it, when known) names 我校/"our university"."""
    a = _analyse(title, text, lang)
    lang, sc, prep, rules, found, hits, terms = (
        a.lang,
        a.sc,
        a.prep,
        a.rules,
        a.found,
        a.hits,
        a.terms,
    )
    raw = sum(t.value for t in terms)
    relevant = raw >= sc.threshold
    logit = (raw - sc.threshold) / sc.scale
    score = 1.0 / (1.0 + math.exp(-logit))
    decision = (
        learned.decide(lang, terms, logit, a.prep.title, a.prep.body) if sc.learned_layer else None
    )
    if decision is not None:
        # The learned layer weighs the same terms; the evidence below still lists them.
        relevant, score = decision.relevant, decision.probability
    # Type scores are computed once, for the type and the secondary types alike.
    scores = _type_scores(prep, rules, sc) if relevant else {}
    type_ = _decide_type(prep, rules, sc, hits, found, scores) if relevant else None
    overruled = ""
    if type_ and decision is not None:
        # The learned type layer (when the model has one for this language) may overrule.
        pick = learned.decide_type(
            lang, prep.title, prep.body, type_[0], {t: v for t, (v, _) in scores.items()}
        )
        if pick and pick[0] != type_[0]:
            words = f"{', '.join(pick[1])}; " if pick[1] else ""
            overruled = f"learned type: {pick[0]} ({words}rules: {type_[0]})"
            type_ = (pick[0], "")
    also = _secondary_types(rules, scores, type_[0]) if type_ else []
    evidence = _evidence(terms, type_, sc)
    if type_ and type_[1]:
        evidence.append(f"type: {type_[1]}")
    # "also: <type>: <phrase>" lines keep the secondary types with a stored article
    # (notify/filters.py matches them) without a column of their own.
    evidence += [f"also: {t}: {snip}" for t, snip in also]
    if decision is not None:
        words = f"{', '.join(decision.words)}; " if decision.words else ""
        evidence.append(
            f"learned: P(relevant) {decision.probability:.2f}"
            f" ({words}rules alone: {raw:+.1f} against {sc.threshold:g})"
        )
    if overruled:
        evidence.append(overruled)
    shown = principal.sort_parties(party_mod.shown(found), prep, publisher)
    region, weak_region = locate(prep, ignore=principal.company_spans(found, prep))
    if shown.mentioned:
        evidence.append("mentioned: " + _names(shown.mentioned, limit=5))
    return Classification(
        relevant=relevant,
        score=round(score, 4),
        type=ArticleType(type_[0]) if type_ else None,
        parties=shown.principal,
        region=with_publisher(
            region,
            publisher,
            lang,
            held_at_publisher=held_at_publisher(prep),
            weak=weak_region,
        ),
        sectors=find_sectors(prep),
        evidence=evidence,
        lang=lang,
        version=CLASSIFIER_VERSION,
        secondary_types=[ArticleType(t) for t, _ in also],
        mentioned=shown.mentioned,
    )


@dataclass(frozen=True)
class _Analysis:
    lang: str
    sc: Scoring
    prep: Prepared
    rules: LangRules
    found: list[party_mod.Found]
    hits: dict[str, Hit]
    terms: list[Term]


def _analyse(title: str, text: str, lang: str | None) -> _Analysis:
    # Capped here too, not only where text enters, so no caller can hand the rules a
    # megabyte to chew on.
    title, text = (title or "")[:MAX_TITLE_CHARS], (text or "")[:MAX_CLASSIFIED_CHARS]
    if lang not in ("zh", "en"):
        lang = detect_language(f"{title}\n{text}")
    sc = scoring()
    prep = prepare(title, text, lang, sc.lead_chars)
    rules = lang_rules(lang)
    found = party_mod.extract(prep)
    # A hotel or a hall where the event is held (在某大酒店举行) is where, not who: shown as
    # no party (principal.py), it is no partner from industry for the score either.
    acting = [f for f in found if not principal.venue_only(f, prep)]
    government = any(f.party.kind == "government" for f in acting) or _place_led(prep, acting)
    title_partner = _has_partner([f for f in acting if f.zone == "title"])
    industry = any(
        f.party.kind not in EDUCATION_KINDS and f.party.kind != "government" for f in acting
    )
    hits = _group_hits(prep, rules, sc, _has_partner(acting), government, title_partner, industry)
    terms = [*_cue_terms(rules, hits), _party_term(acting, hits, rules, sc)]
    return _Analysis(lang, sc, prep, rules, found, hits, terms)


def rule_terms(title: str, text: str, lang: str | None = None) -> tuple[str, list[Term], float]:
    """The language, the scored terms and the rules' logit ((sum − threshold) / scale)
    of an item: what the learned layer (classify/learned.py) is trained on."""
    a = _analyse(title, text, lang)
    return a.lang, a.terms, (sum(t.value for t in a.terms) - a.sc.threshold) / a.sc.scale


def learned_inputs(
    title: str, text: str, lang: str | None = None
) -> tuple[str, list[Term], float, str, str]:
    """`rule_terms` plus the prepared title and body the learned layer's text layer reads."""
    a = _analyse(title, text, lang)
    logit = (sum(t.value for t in a.terms) - a.sc.threshold) / a.sc.scale
    return a.lang, a.terms, logit, a.prep.title, a.prep.body


def rules_type(title: str, text: str, lang: str | None = None) -> tuple[str, dict[str, float]]:
    """The rules' type of an item as if it were relevant, and their score per type: what
    the learned type layer is trained on."""
    a = _analyse(title, text, lang)
    scores = _type_scores(a.prep, a.rules, a.sc)
    t, _ = _decide_type(a.prep, a.rules, a.sc, a.hits, a.found, scores)
    return t, {k: v for k, (v, _) in scores.items()}


# ------------------------------------------------------------------ cues ----


def _snippet(prep: Prepared, zone: str, m: re.Match[str], limit: int) -> str:
    s = prep.original("title" if zone == "title" else "body", m.start(), m.end())
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit // 2 - 1] + "…" + s[-(limit // 2 - 1) :]


def find_hit(
    prep: Prepared,
    body_re: Cue | None,
    title_re: Cue | None,
    sc: Scoring,
    body_matches: Sequence[re.Match[str]] | None = None,
) -> Hit | None:
    """Best position of a pattern: the title, else its first place in the body.
    `body_matches`, when given, are all of `body_re`'s in the body, already found."""
    if body_matches is None:
        first, count = _scan(body_re, prep.body, sc.repeat_cap + 1)
    else:
        first = body_matches[0] if body_matches else None
        count = min(len(body_matches), sc.repeat_cap + 1)
    for pattern in (title_re, body_re):
        m = pattern.search(prep.title) if pattern else None
        if m:
            snippet = _snippet(prep, "title", m, sc.evidence_chars)
            return Hit("title", sc.title_multiplier, snippet, count)
    if first is None:
        return None
    lead = first.start() < prep.lead_end
    zone, mult = ("lead", sc.lead_multiplier) if lead else ("body", 1.0)
    return Hit(zone, mult, _snippet(prep, "body", first, sc.evidence_chars), count)


def _scan(pattern: Cue | None, text: str, cap: int) -> tuple[re.Match[str] | None, int]:
    """First match and number of matches (at most `cap`), in one pass."""
    if pattern is None:
        return None, 0
    first, n = None, 0
    for m in pattern.finditer(text):
        first = first or m
        n += 1
        if n >= cap:
            break
    return first, n


@lru_cache(maxsize=2)
def _every_match(pattern: Cue, text: str) -> tuple[re.Match[str], ...]:
    """All matches of the action cue in an item's body, found once: the score counts them
    (`_group_hits`) and the type reads each (`_action_texts`). Nearly every body holds
    fewer than the score's cap, so counting them all costs the score nothing more."""
    return tuple(pattern.finditer(text))


def _has_partner(found: list[party_mod.Found]) -> bool:
    return any(f.party.kind not in EDUCATION_KINDS for f in found)


def _group_hits(
    prep: Prepared,
    rules: LangRules,
    sc: Scoring,
    partner: bool,
    government: bool,
    title_partner: bool,
    industry: bool = True,
) -> dict[str, Hit]:
    hits: dict[str, Hit] = {}
    topic_read = False
    for g in rules.groups:
        if (
            (g.requires_topic and topic_read and "topic" not in hits)
            or (g.only_without_partner and partner)
            or (g.only_without_title_partner and title_partner)
            or (g.requires_government and not government)
            or (g.only_without_industry and industry)
        ):
            continue
        every = _every_match(g.body, prep.body) if g.name == "action" and g.body else None
        hit = find_hit(prep, g.body, g.title, sc, every)
        if hit:
            hits[g.name] = hit
        # The groups after it that need the topic are not read without it (the policy
        # groups' patterns are among the slowest); those before it are dropped below.
        topic_read = topic_read or g.name == "topic"
    # Policy wording only matters when it is about cooperation.
    if "topic" not in hits:
        for g in rules.groups:
            if g.requires_topic:
                hits.pop(g.name, None)
    return hits


def _group_value(g: CueGroup, hit: Hit) -> float:
    sc = scoring()
    extra = max(hit.count - 1, 0)
    if g.weight <= 0:
        return g.weight * (hit.multiplier + sc.negative_repeat * min(extra, sc.negative_repeat_cap))
    return g.weight * (hit.multiplier + sc.repeat_bonus * min(extra, sc.repeat_cap))


def _cue_terms(rules: LangRules, hits: dict[str, Hit]) -> list[Term]:
    return [
        Term(g.name, _group_value(g, hits[g.name]), hits[g.name].snippet)
        for g in rules.groups
        if g.name in hits
    ]


def _policy_active(hits: dict[str, Hit], rules: LangRules) -> bool:
    return any(g.policy and g.name in hits for g in rules.groups)


# --------------------------------------------------------------- parties ----


def _party_term(
    found: list[party_mod.Found], hits: dict[str, Hit], rules: LangRules, sc: Scoring
) -> Term:
    w = sc.parties
    # An authority that runs schools ("Department of Polytechnic Education") stands
    # for them: with a company it is industry–education cooperation.
    school_side = [f for f in found if party_mod.runs_schools(f.party, rules.lang)]
    schools = [f.party for f in school_side]
    partners = [f for f in found if f not in school_side]
    if rules.lang == "en" and all(_named_non_industry(f) for f in partners):
        # A school beside a centre or an institute it names ("IIT Madras launches 15
        # centres of excellence", "Training Center opens at … College") and no company:
        # research or its own unit, not industry–education cooperation (rules-12).
        partners = []
    # Named as shown (学校 is left out when the school is named).
    named = {f.party for f in party_mod.shown(found)}
    if schools and partners:
        factor = sc.parties["slot_partner_factor"] if all(f.slot for f in partners) else 1.0
        shown_schools = [p for p in schools if p in named]
        names = f"{_names(shown_schools)} + {_names([f.party for f in partners])}"
        return Term("parties", w["school_and_partner"] * factor, names)
    if schools and _policy_active(hits, rules) and rules.lang == "en":
        # A governor signs a workforce bill at a college: the government acts, the
        # college is where (rules-9); the others are judged as before.
        return Term("government-led", w["no_school_with_policy"], _names(schools))
    if schools:
        distinct = {p.name for p in schools}
        if len(distinct) >= 2:
            return Term("school-to-school", w["school_only_several"], _names(schools))
        return Term("no partner", w["school_only_one"], _names(schools))
    if _policy_active(hits, rules):
        return Term("government-led", w["no_school_with_policy"], _names([f.party for f in found]))
    return Term("no school", w["no_school"], _names([f.party for f in found]) or "—")


_NON_INDUSTRY_KINDS = frozenset({"research_institute", "other"})


def _named_non_industry(f: party_mod.Found) -> bool:
    """A party named with a noun that says it is no company (Institute, Centre, Lab);
    a name found in a cooperation slot without one may still be a company."""
    return f.party.kind in _NON_INDUSTRY_KINDS and not f.slot


def _names(ps: list[Party], limit: int = 3) -> str:
    return "、".join(p.name for p in ps[:limit])


# ------------------------------------------------------------------ type ----


def _type_scores(prep: Prepared, rules: LangRules, sc: Scoring) -> dict[str, tuple[float, str]]:
    """Per type: its best cue plus `other_cue_factor` of each other one. A cue
    counts at its best place (title, lead, body; `aside_factor` of that when
    said in passing: 双方还就…进行了交流), plus `action_bonus` when it is the
    object of a cooperation action. A type named in the headline gets
    `title_type_bonus` on top."""
    values: dict[str, list[tuple[float, str]]] = {}
    in_title: set[str] = set()
    main_end = _title_main_end(prep, rules)
    actions = _action_texts(prep, rules, sc, main_end)
    for cue in rules.type_cues:
        hit = _type_hit(prep, cue.pattern, rules, sc, main_end)
        if not hit:
            continue
        mult, snippet, title = hit
        value = cue.weight * mult
        if title and not cue.vague:
            in_title.add(cue.type)
        # The object of a cooperation action says what was done.
        if cue.type not in rules.action_bonus_excludes:
            value += max(
                (rules.action_bonus * m for text, m in actions if cue.pattern.search(text)),
                default=0.0,
            )
        values.setdefault(cue.type, []).append((value, snippet))
    # The best cue of a type counts fully, the others `other_cue_factor` each
    # (实习实训 and 实训基地 in one 实习实训基地 are one mention, not two).
    out = {}
    for t, vs in values.items():
        vs.sort(key=lambda v: -v[0])
        total = vs[0][0] + rules.other_cue_factor * sum(v for v, _ in vs[1:])
        out[t] = (total + (rules.title_type_bonus if t in in_title else 0.0), vs[0][1])
    return out


_CLAUSE_END = re.compile(r"[，,。！？；!?;\n]|\.(?=\s)")
_MAX_OCCURRENCES = 6
# A lead-in this short before a comma belongs to the next clause (此外，…; "In addition, …").
_LEAD_IN = {"zh": 7, "en": 16}


def _aside(prep: Prepared, rules: LangRules, start: int, end: int) -> bool:
    """Whether the body phrase at start:end is mentioned in passing: an aside
    marker before it in its clause (还, 此外，…, "also") or after it (…等事项进行了交流)."""
    text = prep.body
    lo = max(0, start - 120)
    cuts = [0] if lo == 0 else []
    cuts += [m.end() for m in _CLAUSE_END.finditer(text, lo, start)]
    s = cuts[-1] if cuts else lo
    if len(cuts) >= 2 and cuts[-1] - cuts[-2] <= _LEAD_IN[prep.lang]:
        s = cuts[-2]
    if rules.aside_before and rules.aside_before.search(text, s, start):
        return True
    e_m = _CLAUSE_END.search(text, end)
    e = e_m.start() if e_m else len(text)
    return bool(rules.aside_after and rules.aside_after.search(text, end, e))


def _title_main_end(prep: Prepared, rules: LangRules) -> int:
    """Where the secondary part of a headline starts: in "A暨B" A is the main
    event (战略合作签约暨实践基地揭牌 is an agreement); else the title's end."""
    m = rules.title_secondary.search(prep.title, 4) if rules.title_secondary else None
    return m.start() if m else len(prep.title)


def _type_hit(
    prep: Prepared, pattern: Cue, rules: LangRules, sc: Scoring, main_end: int
) -> tuple[float, str, bool] | None:
    """(position multiplier, snippet, in the headline's main part) of the best
    place of a type cue: the title (its secondary part counts as the lead), else
    its best occurrence in the body (lead, body, aside)."""
    m = pattern.search(prep.title)
    if m:
        snippet = _snippet(prep, "title", m, sc.evidence_chars)
        if m.start() >= main_end:
            return sc.lead_multiplier, snippet, False
        return sc.title_multiplier, snippet, True
    best: tuple[float, str, bool] | None = None
    for i, m in enumerate(pattern.finditer(prep.body)):
        if i >= _MAX_OCCURRENCES:
            break
        mult = sc.lead_multiplier if m.start() < prep.lead_end else 1.0
        if _aside(prep, rules, m.start(), m.end()):
            mult *= rules.aside_factor
        if best is None or mult > best[0]:
            best = (mult, _snippet(prep, "body", m, sc.evidence_chars), False)
            if mult >= sc.lead_multiplier:
                break
    return best


def _action_texts(
    prep: Prepared, rules: LangRules, sc: Scoring, main_end: int
) -> list[tuple[str, float]]:
    action = next((g.body for g in rules.groups if g.name == "action"), None)
    if action is None:
        return []
    out = [
        (m.group(0), sc.title_multiplier if m.start() < main_end else sc.lead_multiplier)
        for m in action.finditer(prep.title)
    ]
    for m in _every_match(action, prep.body):
        mult = sc.lead_multiplier if m.start() < prep.lead_end else 1.0
        if _aside(prep, rules, m.start(), m.end()):
            mult *= rules.aside_factor
        out.append((m.group(0), mult))
    return out


def _decide_type(
    prep: Prepared,
    rules: LangRules,
    sc: Scoring,
    hits: dict[str, Hit],
    found: list[party_mod.Found],
    scores: dict[str, tuple[float, str]],
) -> tuple[str, str]:
    """(type, the phrase that decided it); `scores` are `_type_scores`'."""
    typed = [g for g in rules.groups if g.policy and g.policy_type and g.name in hits]
    # Type-only policy cues (types.yaml: policy_event) join the policy groups; strong
    # enough alone (an executive order), they are the government's act by themselves.
    cue_policy, cue_snippet = scores.get("policy_event", (0.0, ""))
    document = _policy_document(prep, rules, sc)
    if document:
        cue_policy, cue_snippet = max(cue_policy, sc.policy_type_min), document
    cue_firm = cue_policy >= sc.policy_type_min
    policy = sum(_group_value(g, hits[g.name]) for g in typed) + cue_policy
    if (
        policy >= sc.policy_type_min
        and not _concrete_title(prep, rules, hits, typed, bool(document))
        and not _listed_subject(prep, rules, bool(document))
        and (cue_firm or _government_led(prep, hits, found))
    ):
        best = max((hits[g.name] for g in typed), key=lambda h: h.multiplier, default=None)
        if best is None or (cue_firm and best.multiplier < sc.title_multiplier):
            return "policy_event", cue_snippet
        return "policy_event", best.snippet
    ranked = sorted(
        (
            (s, -rules.type_order.index(t), t, snip)
            for t, (s, snip) in scores.items()
            if t != "policy_event"
        ),
        reverse=True,
    )
    if ranked and ranked[0][0] >= rules.min_type_score:
        return ranked[0][2], ranked[0][3]
    return "other_cooperation", ""


def _concrete_title(
    prep: Prepared, rules: LangRules, hits: dict[str, Hit], typed: list[CueGroup], document: bool
) -> bool:
    """The headline dominates: a concrete act named in it (…成立“英德茶产业学院”) beats
    a policy meeting found only in the body (…产教融合大会上), or a policy cue found
    only there. (Only meetings: a pilot or a document is the government's act wherever
    it is told.)"""
    if document or any(hits[g.name].zone == "title" or g.name != "policy_meeting" for g in typed):
        return False
    cues = [c for c in rules.type_cues if c.type != "other_cooperation"]
    if any(c.type == "policy_event" and c.pattern.search(prep.title) for c in cues):
        return False
    return any(
        c.type != "policy_event" and not c.vague and c.pattern.search(prep.title) for c in cues
    )


def _listed_subject(prep: Prepared, rules: LangRules, document: bool) -> bool:
    """The headline's subject is a body a list takes in (…联合体入选…名单): the item is
    about the body. (Not when a government document is quoted.)"""
    pattern = rules.listed_subject
    if document or pattern is None:
        return False
    return pattern.match(prep.title, date_prefix_end(prep.title)) is not None


def _policy_document(prep: Prepared, rules: LangRules, sc: Scoring) -> str:
    """The phrase of a government document quoted in the item (an executive order, a
    regulation), or ""."""
    pattern = rules.policy_documents
    if pattern is None:
        return ""
    for zone, text in (("title", prep.title), ("body", prep.body)):
        m = pattern.search(text)
        if m:
            return _snippet(prep, zone, m, sc.evidence_chars)
    return ""


def _secondary_types(
    rules: LangRules, type_scores: dict[str, tuple[float, str]], primary: str
) -> list[tuple[str, str]]:
    """Other types the item reports with real weight (an agreement signed and a base
    unveiled): each scoring at least `secondary.ratio` of the best type and
    `min_type_score`, at most `secondary.max`, best first. other_cooperation and
    policy_event are never secondary."""
    cfg = load("types").get("secondary") or {}
    ratio, cap = float(cfg.get("ratio", 0.5)), int(cfg.get("max", 2))
    scores = {t: v for t, v in type_scores.items() if t != "policy_event"}
    best = max((v for v, _ in scores.values()), default=0.0)
    floor = max(rules.min_type_score, ratio * best)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1][0])
    out = [
        (t, snip)
        for t, (v, snip) in ranked
        if t not in (primary, "other_cooperation") and v >= floor
    ]
    return out[:cap]


def _government_led(prep: Prepared, hits: dict[str, Hit], found: list[party_mod.Found]) -> bool:
    # A policy document or pilot is government action by nature; a meeting
    # needs a government organiser (a government party, or a headline that opens
    # with a place: 晋江举办…, 遂宁市…签约仪式).
    if "policy_doc" in hits or "policy_pilot" in hits:
        return True
    return any(f.party.kind == "government" for f in found) or _place_led(prep, found)


def _place_led(prep: Prepared, found: list[party_mod.Found]) -> bool:
    """A headline that opens with an acting place (晋江举办…), not with an organisation
    whose name starts with a place (湖南某职业技术学院与某公司…: the school acts)."""
    if not region_led(prep):
        return False
    start = date_prefix_end(prep.title)
    return not any(
        f.zone == "title" and f.pos <= start and f.party.kind != "government" for f in found
    )


# -------------------------------------------------------------- evidence ----


def _evidence(terms: list[Term], type_: tuple[str, str] | None, sc: Scoring) -> list[str]:
    ranked = sorted((t for t in terms if t.value), key=lambda t: -abs(t.value))
    out = []
    for t in ranked[: sc.evidence_max - (1 if type_ and type_[1] else 0)]:
        sign = "+" if t.value > 0 else "−"
        out.append(f"{sign}{t.label}: {t.snippet}")
    return out

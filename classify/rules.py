"""Compiled rules: the YAML data files turned into regular expressions, once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from .data_files import load
from .prefilter import Cue

# A clause ends at these; the action pattern never spans two clauses.
_ZH_GAP = r"[^。！？；!?;\n]"
# In English a full stop ends a sentence unless a lower-case word, a comma or a
# bracket follows ("Co., Ltd. and", "No. 1").
_EN_GAP = r"(?:[^.!?;\n]|\.(?=\s*[a-z,(\d]))"


@dataclass(frozen=True)
class CueGroup:
    name: str
    weight: float
    body: Cue | None  # searched in title and body
    title: Cue | None  # searched in the title only
    requires_topic: bool
    policy: bool
    only_without_partner: bool
    only_without_title_partner: bool
    requires_government: bool
    only_without_industry: bool = False  # counts only when every partner is a government body
    policy_type: bool = True
    """A policy group that also makes the type policy_event; false for a bureau's list
    of new bases or colleges, whose type is that of what it lists."""


@dataclass(frozen=True)
class TypeCue:
    type: str
    weight: float
    pattern: Cue
    vague: bool = False
    """Names a cooperation without saying what it does ("a new partnership"): no
    title bonus, so the headline's vehicle does not outweigh the lead's content."""


@dataclass(frozen=True)
class Scoring:
    threshold: float
    scale: float
    title_multiplier: float
    lead_multiplier: float
    lead_chars: int
    repeat_bonus: float
    repeat_cap: int
    negative_repeat: float
    negative_repeat_cap: int
    parties: dict[str, float]
    policy_type_min: float
    evidence_max: int
    evidence_chars: int
    learned_layer: bool = False
    """Whether classify/data/learned.json decides relevance (see classify/learned.py)."""


@dataclass(frozen=True)
class LangRules:
    lang: str
    groups: tuple[CueGroup, ...]
    type_cues: tuple[TypeCue, ...]
    type_order: tuple[str, ...]
    min_type_score: float
    action_bonus: float
    action_bonus_excludes: frozenset[str]
    # Type cues said in passing (双方还就…进行了交流, "also discussed"): their
    # value is multiplied by aside_factor.
    aside_before: re.Pattern[str] | None
    aside_after: re.Pattern[str] | None
    aside_factor: float
    title_type_bonus: float
    other_cue_factor: float
    title_secondary: re.Pattern[str] | None
    policy_documents: re.Pattern[str] | None
    """A government document quoted (an executive order): the item is a policy event."""
    listed_subject: re.Pattern[str] | None
    """A headline whose subject is a cooperation body put on a list (…联合体入选…名单)."""


def alternatives(words: Iterable[str], after_first: Callable[[str], str] | None = None) -> str:
    """Escaped words joined by "|", longest first so that 职业技术学院 beats 学院, grouped
    by their first character as `by_first_literal` groups patterns (``after_first`` as
    there)."""
    items = sorted({w for w in words if w}, key=len, reverse=True)
    return by_first_literal([re.escape(w) for w in items], after_first)


def trie_alternatives(words: Iterable[str], after_first: Callable[[str], str] | None = None) -> str:
    """`words` as a regex shaped like a trie (``Universit(?:y of (?:Ghana|Nairobi)|i …)``):
    re tries a plain alternation's words one after the other at every position, so five
    thousand school names cost over a millisecond an article; the trie reads each
    character once. The longest word wins, as in `alternatives`. ``after_first(c)``, when
    given, is written right after each first character ``c``, as in `by_first_literal`:
    a check there (``word_start``) lets re skip to the first characters, where one before
    the whole trie (``\\b``) is tried at every position, at twice the time."""
    trie: dict[str, Any] = {}
    for word in {w for w in words if w}:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    if after_first is None:
        return _trie_branch(trie)
    firsts = [
        re.escape(ch) + after_first(ch) + _trie_branch(child) for ch, child in sorted(trie.items())
    ]
    return f"(?:{'|'.join(firsts)})"


def not_after(chars: str) -> Callable[[str], str]:
    """An ``after_first`` check (`by_first_literal`, `trie_alternatives`): the word does
    not follow a character of `chars` (a class's body, ``\\w-``). Written after the word's
    first character, so that re skips to the first characters."""

    def check(first: str) -> str:
        return rf"(?<![{chars}]{re.escape(first)})"

    return check


def word_start(first: str) -> str:
    """``\\b`` before the character `first`, as a check written after it: not after a
    word character when `first` is one, else only after one."""
    if re.match(r"\w", first):
        return f"(?<!\\w{re.escape(first)})"
    return f"(?<=\\w{re.escape(first)})"


def _trie_branch(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _trie_branch(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    # A word ending here: the longer words first (greedy), then this one.
    return f"(?:{body})?" if "" in node else body


def alternation(words: Iterable[str]) -> str:
    """`alternatives` as one non-capturing group."""
    return f"(?:{alternatives(words)})"


def lower_pattern(pattern: str) -> str:
    """Lower-case a regex except escapes (\\S, \\W, \\B keep their meaning).

    English rules run on lower-cased text: Python's re is several times slower
    with IGNORECASE on long alternations, and the benchmark needs the speed.
    """
    out: list[str] = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = ch == "\\" and not escaped
    return "".join(out).replace("(?p<", "(?P<").replace("(?p=", "(?P=")


def compile_cue(pattern: str, lang: str) -> re.Pattern[str]:
    return re.compile(lower_pattern(pattern) if lang == "en" else pattern)


_WORD_START = re.compile(r"^(?:\\b)?[A-Za-z]")


def _compile_list(patterns: list[str] | None, lang: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    if lang != "en":
        return compile_cue(by_first_literal(patterns), lang)
    # English cues that begin with a word go under one leading \b: re then skips
    # positions inside words quickly (several times faster on long texts).
    words = [lower_pattern(p.removeprefix("\\b")) for p in patterns if _WORD_START.match(p)]
    rest = [p for p in patterns if not _WORD_START.match(p)]
    parts = [r"\b(?:" + by_first_literal(words) + ")"] if words else []
    parts += [f"(?:{p})" for p in rest]
    return compile_cue("|".join(parts), lang)


def by_first_literal(
    patterns: Sequence[str], after_first: Callable[[str], str] | None = None
) -> str:
    """Patterns joined by "|" as `alternatives` joins words: those that start with a
    literal character grouped by it (``a(?:nnounced|ppointed)``), in their order. A
    pattern that does not start with one (``(?<!…)``, ``\\d``) stays where it is, and
    no pattern moves across it, so the result matches exactly what the flat list does.
    ``after_first(c)``, when given, is written right after each first character ``c``: a
    check placed there (a look-behind) lets re still skip to the first characters."""
    out: list[str] = []
    run: dict[str, list[tuple[str, str]]] = {}

    def first(c: str) -> str:
        return re.escape(c) + (after_first(c) if after_first else "")

    def flush() -> None:
        for group in run.values():
            firsts = {c for c, _ in group}
            if len(group) > 1 and len(firsts) == 1:
                rests = "|".join(f"(?:{rest})" if rest else "" for _, rest in group)
                out.append(f"{first(group[0][0])}(?:{rests})")
            else:
                # A branch that starts with a literal character is skipped on one
                # comparison where that character is not.
                out.extend(f"{first(c)}(?:{rest})" for c, rest in group)
        run.clear()

    for p in patterns:
        split = _first_literal(p)
        if split is None:
            flush()
            out.append(f"(?:{p})")
        else:
            run.setdefault(split[0].lower(), []).append(split)
    flush()
    return "|".join(out)


_QUANTIFIERS = frozenset("?*+{")


def _first_literal(pattern: str) -> tuple[str, str] | None:
    """(first character, the rest) when the pattern starts with a plain character that
    no quantifier follows and has no "|" of its own at the top level; else None."""
    if not pattern or not (pattern[0].isalnum() or pattern[0] in " -'’&"):
        return None
    if len(pattern) > 1 and pattern[1] in _QUANTIFIERS:
        return None
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return None
    return pattern[0], pattern[1:]


def _action_pattern(spec: dict[str, Any], lang: str) -> re.Pattern[str]:
    gap = _EN_GAP if lang == "en" else _ZH_GAP
    wb = r"\b" if lang == "en" else ""
    verbs = alternation(spec["verbs"])
    objects = alternation(spec["objects"])
    after = alternation(spec["verbs_after"])
    forward = f"{wb}{verbs}{wb}{gap}{{0,{spec['max_gap']}}}?{wb}{objects}"
    backward = f"{wb}{objects}{wb}{gap}{{0,{spec['max_gap_after']}}}?{wb}{after}{wb}"
    pattern = f"{forward}|{backward}"
    if spec.get("standalone"):
        pattern += f"|{wb}{alternation(spec['standalone'])}{wb}"
    for extra in spec.get("patterns") or ():
        pattern += f"|(?:{extra})"
    return compile_cue(pattern, lang)


def _group(name: str, spec: dict[str, Any], lang: str) -> CueGroup:
    body: re.Pattern[str] | None
    if name == "action":
        body = _action_pattern(spec[lang], lang)
    else:
        body = _compile_list(spec.get(lang), lang)
    title = _compile_list(spec.get(f"title_{lang}"), lang)
    return CueGroup(
        name=name,
        weight=float(spec["weight"]),
        body=Cue(body) if body is not None else None,
        title=Cue(title) if title is not None else None,
        requires_topic=bool(spec.get("requires_topic", False)),
        policy=bool(spec.get("policy", False)),
        only_without_partner=bool(spec.get("only_without_partner", False)),
        only_without_title_partner=bool(spec.get("only_without_title_partner", False)),
        requires_government=bool(spec.get("requires_government", False)),
        only_without_industry=bool(spec.get("only_without_industry", False)),
        policy_type=bool(spec.get("policy_type", True)),
    )


def _type_cues(spec: dict[str, Any], lang: str) -> tuple[TypeCue, ...]:
    cues: list[TypeCue] = []
    for type_name, items in spec["types"].items():
        for item in items:
            if lang in item:
                pattern = Cue(compile_cue(item[lang], lang))
                vague = bool(item.get("vague", False))
                cues.append(TypeCue(type_name, float(item["w"]), pattern, vague))
    return tuple(cues)


@cache
def lang_rules(lang: str) -> LangRules:
    cues = load("cues")
    types = load("types")
    return LangRules(
        lang=lang,
        groups=tuple(_group(name, spec, lang) for name, spec in cues.items()),
        type_cues=_type_cues(types, lang),
        type_order=tuple(types["types"]),
        min_type_score=float(types["min_type_score"]),
        action_bonus=float(types["action_bonus"]),
        action_bonus_excludes=frozenset(types.get("action_bonus_excludes") or ()),
        aside_before=_compile_list((types.get("aside") or {}).get(f"before_{lang}"), lang),
        aside_after=_compile_list((types.get("aside") or {}).get(f"after_{lang}"), lang),
        aside_factor=float((types.get("aside") or {}).get("factor", 1.0)),
        title_type_bonus=float(types.get("title_type_bonus", 0.0)),
        other_cue_factor=float(types.get("other_cue_factor", 1.0)),
        title_secondary=_compile_list(types.get(f"title_secondary_{lang}"), lang),
        policy_documents=_compile_list(types.get(f"policy_documents_{lang}"), lang),
        listed_subject=_compile_list(types.get(f"listed_subject_{lang}"), lang),
    )


@cache
def scoring() -> Scoring:
    s = load("scoring")
    return Scoring(
        threshold=float(s["threshold"]),
        scale=float(s["scale"]),
        title_multiplier=float(s["title_multiplier"]),
        lead_multiplier=float(s["lead_multiplier"]),
        lead_chars=int(s["lead_chars"]),
        repeat_bonus=float(s["repeat_bonus"]),
        repeat_cap=int(s["repeat_cap"]),
        negative_repeat=float(s["negative_repeat"]),
        negative_repeat_cap=int(s["negative_repeat_cap"]),
        parties={k: float(v) for k, v in s["parties"].items()},
        policy_type_min=float(s["policy_type_min"]),
        evidence_max=int(s["evidence_max"]),
        evidence_chars=int(s["evidence_chars"]),
        learned_layer=bool(s.get("learned_layer", False)),
    )

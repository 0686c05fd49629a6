"""What an alert or a digest shows, before any format: the stories and whom they are for
(``AlertItem``, ``Letter``, ``Scope``), and every string shown, translated and cleaned but
not yet escaped (``ItemView``, ``DigestView``), which the email and chat renderers write
out in their own formats."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from ieiwatch.domain import EDUCATION_KINDS, Party, Region, clean_line
from ieiwatch.notify.channels import Message
from ieiwatch.notify.wording import (
    DEFAULT_LANG,
    TITLE_CHARS,
    date_text,
    excerpt,
    format_date,
    labels,
    moment_text,
    region_text,
    type_label,
)


@dataclass(frozen=True)
class AlertItem:
    """One story as an alert shows it."""

    title: str
    url: str
    published_at: datetime | None
    type: str | None
    score: float
    parties: list[Party] = field(default_factory=list)
    region: Region | None = None
    evidence: list[str] = field(default_factory=list)
    sources: list[tuple[str, str]] = field(default_factory=list)
    """(source name, URL) of every copy."""
    text: str = ""
    """The stored text, for the excerpt."""


@dataclass(frozen=True)
class Letter:
    """Whom a message is for: their name, language and where they manage it."""

    subscriber: str
    lang: str = DEFAULT_LANG
    manage_url: str | None = None
    """``{web.base_url}/subscribers`` when the web app's address is configured."""


@dataclass(frozen=True)
class Scope:
    """What a digest covers: a daily or weekly period, or a backfill."""

    kind: Literal["daily", "weekly", "backfill"]
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Part:
    """One message to send and the indices of the items it carries."""

    message: Message
    items: tuple[int, ...]


@dataclass(frozen=True)
class ItemView:
    """What one item shows, translated and cleaned, not yet escaped."""

    title: str
    url: str
    date: str
    type_label: str
    source: str
    host: str
    parties: list[tuple[str, str]]
    """(name, kind label)."""
    parties_text: str
    region: str
    why: str
    excerpt: str
    others: list[tuple[str, str]]
    """(source name, URL) of the other copies of the story."""


@dataclass(frozen=True)
class DigestView:
    subject: str
    heading: str
    period: str
    intro: str
    by_type: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    groups: list[tuple[str, list[tuple[int, ItemView]]]]
    """(type label, [(index of the item, its view)]), most items first, newest first."""


# A cooperation act, from the classifier's "+action: …" evidence (or the headline), in
# the order they are told apart: a 签约揭牌 is reported as the unveiling.
_ACTIONS = (
    ("unveil", re.compile(r"揭牌|授牌|挂牌|unveil|inaugurat", re.I)),
    ("sign", re.compile(r"签署|签订|签约|签字|协议|sign|inked|agreement|memorandum|MoU", re.I)),
    ("build", re.compile(r"共建|共同建设|共同打造|合办|共办|co-?buil|jointly", re.I)),
    (
        "establish",
        re.compile(r"成立|设立|组建|建立|启动|落户|开班|launch|establish|set up|found", re.I),
    ),
    ("appoint", re.compile(r"聘|appoint", re.I)),
    ("donate", re.compile(r"捐|donat", re.I)),
)


def _action(item: AlertItem) -> str:
    said = [e.split(":", 1)[1] for e in item.evidence if e.startswith("+action:")]
    for text in [*said, item.title]:
        for name, pattern in _ACTIONS:
            if pattern.search(text):
                return name
    return "other"


def _who(parties: Sequence[Party], lang: str) -> str:
    words = labels(lang)
    ordered = sorted(parties, key=lambda p: p.kind not in EDUCATION_KINDS)
    names = list(dict.fromkeys(clean_line(p.name, 60) for p in ordered))
    shown = names[:3]
    if len(shown) <= 1:
        who = "".join(shown)
    else:
        who = str(words["list_sep"]).join(shown[:-1]) + str(words["and"]) + shown[-1]
    return who + (str(words["et_al"]) if len(names) > 3 else "")


def why_line(item: AlertItem, lang: str) -> str:
    """One plain sentence of what happened: who did what, to what end; empty for items
    that are not cooperation news."""
    if not item.type or item.type not in labels(lang)["goals"]:
        return ""
    words = labels(lang)
    who = _who(item.parties, lang)
    goal = str(words["goals"][item.type])
    action = "" if item.type == "policy_event" else str(words["actions"][_action(item)])
    if lang == "zh":
        done = f"{action}，{goal}" if action else goal
        return f"{who}{done}" if who else done
    sentence = " ".join(p for p in (who, action, goal) if p)
    return sentence[0].upper() + sentence[1:]


def _own_source(item: AlertItem) -> str:
    own = next((name for name, url in item.sources if url == item.url), None)
    return own or (item.sources[0][0] if item.sources else "?")


def item_view(item: AlertItem, lang: str) -> ItemView:
    words = labels(lang)
    parties = [
        (clean_line(p.name, 100), str(words["kinds"].get(p.kind, p.kind))) for p in item.parties
    ]
    sep = str(words["list_sep"])
    if lang == "zh":
        parties_text = sep.join(f"{n}（{k}）" for n, k in parties)
    else:
        parties_text = sep.join(f"{n} ({k})" for n, k in parties)
    return ItemView(
        title=clean_line(item.title),
        url=item.url,
        date=date_text(item.published_at, lang),
        type_label=type_label(item.type, lang),
        source=clean_line(_own_source(item), 80),
        host=urlsplit(item.url).hostname or "",
        parties=parties,
        parties_text=parties_text or str(words["no_parties"]),
        region=region_text(item.region, lang),
        why=why_line(item, lang),
        excerpt=excerpt(item.text, item.title),
        others=[
            (clean_line(name, 80), url)
            for name, url in dict.fromkeys(item.sources)
            if url != item.url
        ],
    )


def digest_view(items: Sequence[AlertItem], letter: Letter, scope: Scope) -> DigestView:
    lang = letter.lang
    words = labels(lang)
    order = sorted(range(len(items)), key=lambda i: _newest_first(items[i]))
    groups: dict[str, list[tuple[int, ItemView]]] = {}
    for i in order:
        view = item_view(items[i], lang)
        groups.setdefault(view.type_label, []).append((i, view))
    ranked = sorted(groups.items(), key=lambda g: -len(g[1]))
    sources = Counter(_own_source(i) for i in items)
    by_source = [(clean_line(name, 80), n) for name, n in sources.most_common()]
    if scope.kind == "backfill":
        names = str(words["list_sep"]).join(name for name, _ in by_source) or "?"
        dated = sorted(i.published_at for i in items if i.published_at)
        start = format_date(dated[0]) if dated else str(words["undated"])
        end = format_date(dated[-1]) if dated else str(words["undated"])
        subject = str(words["backfill_subject"]).format(sources=names, count=len(items))
        period = str(words["backfill_range"]).format(sources=names, start=start, end=end)
    else:
        kind = str(words[scope.kind])
        subject = str(words["digest_subject"]).format(
            kind=kind, subscriber=letter.subscriber, count=len(items)
        )
        period = (
            str(words["period"]).format(start=moment_text(scope.start), end=moment_text(scope.end))
            if scope.start and scope.end
            else ""
        )
    return DigestView(
        subject=clean_line(subject, TITLE_CHARS),
        heading=clean_line(subject.removeprefix("[ieiwatch] "), TITLE_CHARS),
        period=period,
        intro=str(words["digest_intro"]).format(count=len(items)),
        by_type=[(label, len(members)) for label, members in ranked],
        by_source=by_source,
        groups=ranked,
    )


def _newest_first(item: AlertItem) -> float:
    return -(item.published_at.timestamp() if item.published_at else 0.0)


def footer_lines(letter: Letter) -> list[tuple[str, str | None]]:
    """(text, link) lines: why this came, how to pause it, where to manage it."""
    words = labels(letter.lang)
    lines: list[tuple[str, str | None]] = []
    if letter.subscriber:  # a sample rendered for nobody in particular has no one to pause
        lines += [
            (str(words["footer_why"]).format(subscriber=letter.subscriber), None),
            (str(words["footer_pause"]).format(subscriber=letter.subscriber), None),
        ]
    if letter.manage_url:
        lines.append((str(words["footer_manage"]), letter.manage_url))
    return lines

"""Alerts and digests as an analyst reads them, in the subscriber's language.

An item becomes an ``ItemView`` first: every string it shows, cleaned of what the web can
hide in text (``domain.text``), translated (``templates/labels.yaml``) and not yet escaped.
Email is rendered from the Jinja2 templates in ``templates/`` (autoescaped, inline CSS);
chat services get their own dialect (``notify.chat``), escaped for it, and a long digest
is split into numbered messages that each fit the service, never cut.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import jinja2
import yaml

from ieiwatch.domain import BEIJING, EDUCATION_KINDS, Party, Region, clean_line, clean_text
from ieiwatch.domain.places import gazetteer
from ieiwatch.notify.channels import Message
from ieiwatch.notify.chat import EMAIL, Block, Channel, pack

TEMPLATES = Path(__file__).resolve().parent / "templates"
LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

TYPE_LABELS = {
    "joint_lab": "Joint lab / R&D centre 联合实验室",
    "industry_college": "Industry college 产业学院",
    "strategic_agreement": "Strategic agreement 战略合作",
    "training_base": "Training base 实习实训基地",
    "talent_program": "Joint talent programme 联合培养",
    "alliance": "Alliance 产教联合体",
    "policy_event": "Policy event 政策/会议",
    "other_cooperation": "Other cooperation 校企合作",
}
"""Both languages in one label, for the operator's views (Prefect artifacts)."""
NOT_COOPERATION = "Not classified as cooperation"

TITLE_CHARS = 200
"""A headline in a chat message or a subject; the email body shows it whole (≤ 500)."""
EXCERPT_CHARS = 220


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


# ------------------------------------------------------------------ words ----


@cache
def labels(lang: str) -> dict[str, Any]:
    with (TEMPLATES / "labels.yaml").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = yaml.safe_load(fh)
    return data[lang if lang in data else DEFAULT_LANG]


def format_date(value: datetime | None) -> str:
    """A publication date as the sources mean it: Beijing time (stored as UTC)."""
    return value.astimezone(BEIJING).strftime("%Y-%m-%d") if value else "unknown"


def _date(value: datetime | None, lang: str) -> str:
    return format_date(value) if value else str(labels(lang)["undated"])


def _moment(value: datetime) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def party_text(parties: Sequence[Party]) -> str:
    """``name (kind), …``, or ``-`` when there are none (the operator's views)."""
    return ", ".join(f"{p.name} ({p.kind})" for p in parties) or "-"


def type_label(kind: str | None, lang: str | None = None) -> str:
    """The type's name in ``lang``; both languages when none is given."""
    if lang is None:
        return TYPE_LABELS.get(kind or "", NOT_COOPERATION)
    words = labels(lang)
    return str(words["types"].get(kind or "", words["not_cooperation"]))


_PROVINCE_SUFFIX = {
    "Beijing": "市",
    "Tianjin": "市",
    "Shanghai": "市",
    "Chongqing": "市",
    "Inner Mongolia": "自治区",
    "Guangxi": "壮族自治区",
    "Tibet": "自治区",
    "Ningxia": "回族自治区",
    "Xinjiang": "维吾尔自治区",
    "Hong Kong": "特别行政区",
    "Macao": "特别行政区",
}
_CITY_NAMES_ZH = {"大理": "大理白族自治州", "喀什": "喀什地区"}


def region_text(region: Region | None, lang: str) -> str:
    """浙江省杭州市 / Hangzhou, Zhejiang; a name the gazetteer does not know as it is."""
    if region is None:
        return ""
    data = gazetteer()
    province = data["provinces"].get(region.province or "")
    city = next(
        (
            c
            for c in data["cities"]
            if c["name"] == region.city and (region.province in (None, c["province"]))
        ),
        None,
    )
    if lang == "en":
        names = [
            city["en"][0] if city else region.city,
            str(province["en"][0]).removesuffix(" Province") if province else region.province,
        ]
        unique = [n for i, n in enumerate(names) if n and n not in names[:i]]
        return ", ".join(clean_line(n) for n in unique if n)
    zh_province = ""
    if province:
        base = str(province["zh"][0])
        zh_province = (
            base
            if base.endswith("省")
            else base + _PROVINCE_SUFFIX.get(region.province or "", "省")
        )
    elif region.province:
        zh_province = region.province
    zh_city = ""
    if city:
        base = str(city["zh"][0])
        zh_city = _CITY_NAMES_ZH.get(base, base if base.endswith("市") else base + "市")
    elif region.city:
        zh_city = region.city
    if zh_city and zh_city == zh_province:
        zh_city = ""  # 北京市, not 北京市北京市
    return clean_line(zh_province + zh_city)


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.;])\s+")


def excerpt(text: str, title: str = "", sentences: int = 2) -> str:
    """The text's first ``sentences`` sentences that say something (not the headline
    repeated, not a dateline), at most ``EXCERPT_CHARS`` long."""
    flat = clean_line(clean_text(text[:5000]), None)
    wanted = re.sub(r"\W+", "", title)
    picked: list[str] = []
    for sentence in _SENTENCE_END.split(flat):
        sentence = sentence.strip()
        bare = re.sub(r"\W+", "", sentence)
        too_short = len(bare) < 8 if _is_cjk(sentence) else len(sentence.split()) < 4
        if too_short or (wanted and bare == wanted):
            continue  # a dateline ("Hangzhou, Nov 3."), a byline, the headline again
        picked.append(sentence)
        if len(picked) == sentences:
            break
    joined = "".join(picked) if _is_cjk(flat) else " ".join(picked)
    return clean_line(joined, EXCERPT_CHARS)


def _is_cjk(text: str) -> bool:
    return len(re.findall(r"[\u3400-\u9fff]", text[:400])) * 4 > len(text[:400])


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
        date=_date(item.published_at, lang),
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


# --------------------------------------------------------------- digests ----


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
            str(words["period"]).format(start=_moment(scope.start), end=_moment(scope.end))
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


# ----------------------------------------------------------------- email ----


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _footer(letter: Letter) -> list[tuple[str, str | None]]:
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


_BETWEEN_LINES = re.compile(r">\s*\n\s*<")


def _email(template: str, letter: Letter, **context: Any) -> str:
    """The template rendered; the line breaks between its tags go, as each would become a
    blank line in the plain-text part Apprise derives from the HTML."""
    html = (
        _environment()
        .get_template(template)
        .render(
            words=labels(letter.lang),
            lang="zh-CN" if letter.lang == "zh" else "en",
            footer=_footer(letter),
            **context,
        )
    )
    return _BETWEEN_LINES.sub("><", html)


# ------------------------------------------------------------------ chat ----


@dataclass(frozen=True)
class _Ink:
    """How one chat dialect writes plain text, emphasis and links."""

    esc: Callable[[str], str]
    bold: Callable[[str], str]
    link: Callable[[str, str], str]
    """(text already escaped, URL)"""
    newline: str = "\n"


def md_escape(text: str) -> str:
    """HTML-escape, and neutralise Markdown link and emphasis syntax."""
    return re.sub(r"([\\`*_\[\]<>#|])", r"\\\1", html.escape(text, quote=False))


def _safe_url(url: str) -> str:
    """A URL with the characters that end a link in some dialect percent-encoded."""
    return quote(url, safe=":/?#@!$&'*+,;=%~-._")


def _slack_text(text: str) -> str:
    # Apprise escapes & < > for Slack but turns <!channel>, <@U…> and <url|text> back into
    # mentions and links: web text must not be able to write them.
    return text.replace("<", "‹").replace(">", "›").replace("|", "¦")


_INKS: dict[str, _Ink] = {
    "text": _Ink(lambda t: t, lambda t: t, lambda t, u: f"{t}\n{u}"),
    # DingTalk's Markdown joins lines unless they end with two spaces.
    "markdown": _Ink(
        md_escape, lambda t: f"**{t}**", lambda t, u: f"[{t}]({_safe_url(u)})", "  \n"
    ),
    "slack": _Ink(_slack_text, lambda t: f"*{t}*", lambda t, u: f"<{_safe_url(u)}|{t}>"),
    "telegram": _Ink(
        lambda t: html.escape(t, quote=False),
        lambda t: f"<b>{t}</b>",
        lambda t, u: f'<a href="{html.escape(_safe_url(u))}">{t}</a>',
    ),
}


def _fact(ink: _Ink, label: str, value: str, lang: str) -> str:
    colon = "：" if lang == "zh" else ": "
    return f"{ink.esc(label)}{colon}{ink.esc(value)}"


def _chat_item(view: ItemView, ink: _Ink, lang: str, *, full: bool, titled: bool = False) -> str:
    """An item's lines: linked title (unless the heading is it: ``titled``), date, source
    and region, why; the full form (an alert) adds type, parties, the excerpt and the
    other sources."""
    words = labels(lang)
    title = clean_line(view.title, TITLE_CHARS)
    meta = " · ".join(p for p in (view.date, view.source, view.region) if p)
    lines = [] if titled else [ink.bold(ink.link(ink.esc(title), view.url))]
    if full:
        lines.append(_fact(ink, str(words["type"]), view.type_label, lang))
    lines.append(ink.esc(meta))
    if view.why:
        lines.append(_fact(ink, str(words["why"]), view.why, lang))
    if full:
        lines.append(_fact(ink, str(words["parties"]), view.parties_text, lang))
        if view.excerpt:
            lines.append(ink.esc(view.excerpt))
        for name, url in view.others:
            lines.append(ink.link(_fact(ink, str(words["also_at"]), name, lang), url))
    return ink.newline.join(lines)


def _chat_footer(letter: Letter, ink: _Ink) -> str:
    footer = _footer(letter)
    if letter.subscriber:
        footer = footer[1:]  # chat keeps it short: how to pause, where to manage
    return ink.newline.join(ink.esc(text) + (url or "") for text, url in footer)


def _chat_parts(
    subject: str,
    blocks: list[Block],
    letter: Letter,
    channel: Channel,
    ink: _Ink,
    link: str | None = None,
) -> list[Part]:
    """The blocks packed into numbered messages; the subject heads each, as the message's
    title or, on a service that shows none, as its first line (linked to ``link``)."""

    def head(marker: str) -> str:
        if not channel.title_in_body:
            return ""
        heading = ink.esc(subject + marker)
        return ink.bold(ink.link(heading, link) if link else heading)

    chunks = pack(head, blocks, _chat_footer(letter, ink), channel)
    parts = []
    for n, chunk in enumerate(chunks):
        marker = f" ({n + 1}/{len(chunks)})" if len(chunks) > 1 else ""
        title = "" if channel.title_in_body else subject + marker
        body = chunk.body.lstrip("\n") if not channel.title_in_body else chunk.body
        parts.append(Part(Message(title, body, channel.body_format), chunk.items))
    return parts


# ------------------------------------------------------------ the renders ----


_LEGACY_FORMATS = {
    "html": EMAIL,
    "markdown": Channel("markdown", "markdown"),
    "text": Channel("text", "text"),
}


def render_alert(
    item: AlertItem, channel: Channel | str = EMAIL, letter: Letter | None = None
) -> Message:
    """The alert as one message (its first part, on a service too small for it)."""
    return alert_parts(item, channel, letter)[0].message


def alert_parts(
    item: AlertItem, channel: Channel | str = EMAIL, letter: Letter | None = None
) -> list[Part]:
    channel = _LEGACY_FORMATS[channel] if isinstance(channel, str) else channel
    letter = letter or Letter("")
    words = labels(letter.lang)
    view = item_view(item, letter.lang)
    subject = clean_line(str(words["alert_subject"]).format(title=view.title), TITLE_CHARS)
    if channel.dialect == "email":
        body = _email("alert.html.j2", letter, subject=subject, item=view)
        return [Part(Message(subject, body, "html"), (0,))]
    ink = _INKS[channel.dialect]
    titled = channel.title_in_body
    block = Block(_chat_item(view, ink, letter.lang, full=True, titled=titled), (0,))
    return _chat_parts(subject, [block], letter, channel, ink, view.url if titled else None)


def digest_parts(
    items: Sequence[AlertItem], channel: Channel, letter: Letter, scope: Scope
) -> list[Part]:
    """The digest: period, counts by type and by source, then the items by type. Email is
    one message; a chat service gets as many numbered messages as its limit needs."""
    view = digest_view(items, letter, scope)
    if channel.dialect == "email":
        body = _email("digest.html.j2", letter, subject=view.subject, digest=view)
        return [Part(Message(view.subject, body, "html"), tuple(range(len(items))))]
    ink = _INKS[channel.dialect]
    words = labels(letter.lang)
    summary = [ink.esc(line) for line in (view.period, view.intro) if line]
    counts = [(words["by_type"], view.by_type), (words["by_source"], view.by_source)]
    for label, pairs in counts:
        shown = " · ".join(f"{name} {n}" for name, n in pairs)
        summary.append(_fact(ink, str(label), shown, letter.lang))
    blocks = [Block(ink.newline.join(summary))]
    for label, members in view.groups:
        heading = str(words["group_heading"]).format(label=label, n=len(members))
        for k, (index, item) in enumerate(members):
            text = _chat_item(item, ink, letter.lang, full=False)
            if k == 0:
                shown = f"【{heading}】" if letter.lang == "zh" else heading
                text = f"{ink.bold(ink.esc(shown))}{ink.newline}{text}"
            blocks.append(Block(text, (index,)))
    return _chat_parts(view.subject, blocks, letter, channel, ink)


def render_digest(
    items: Sequence[AlertItem], channel: Channel | str, letter: Letter, scope: Scope
) -> Message:
    """The digest as one message (its first part, on a service too small for it)."""
    channel = _LEGACY_FORMATS[channel] if isinstance(channel, str) else channel
    return digest_parts(items, channel, letter, scope)[0].message

"""Alert and digest text: title, type, parties, region, date, sources, evidence, link.

Each channel gets the format it renders (``channels.preferred_format``): HTML for email
and Telegram, Markdown for Markdown chats, plain text for the rest. Everything from the
web is escaped for that format, so a ``<script>`` in a title is shown, never run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ieiwatch.domain import BEIJING, Party, Region
from ieiwatch.notify.channels import Message

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
NOT_COOPERATION = "Not classified as cooperation"


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


def format_date(value: datetime | None) -> str:
    """A publication date as the sources mean it: Beijing time (stored as UTC)."""
    return value.astimezone(BEIJING).strftime("%Y-%m-%d") if value else "unknown"


def party_text(parties: Sequence[Party]) -> str:
    """``name (kind), …``, or ``-`` when there are none."""
    return ", ".join(f"{p.name} ({p.kind})" for p in parties) or "-"


def type_label(kind: str | None) -> str:
    return TYPE_LABELS.get(kind or "", NOT_COOPERATION)


def render_alert(item: AlertItem, fmt: str) -> Message:
    return Message(title=f"[ieiwatch] {item.title}", body=_FORMATS[fmt](item), format=fmt)


def render_digest(subscriber: str, period: str, items: Sequence[AlertItem], fmt: str) -> Message:
    """Items grouped by type (most items first), newest first within a type, with counts."""
    groups: dict[str, list[AlertItem]] = {}
    for item in sorted(items, key=_newest_first):
        groups.setdefault(type_label(item.type), []).append(item)
    ordered = sorted(groups.items(), key=lambda g: -len(g[1]))
    title = f"[ieiwatch] {period} digest for {subscriber}: {len(items)} items"
    body = _digest_body(ordered, _DIGEST_STYLES[fmt])
    return Message(title=title, body=body, format=fmt)


def _newest_first(item: AlertItem) -> float:
    return -(item.published_at.timestamp() if item.published_at else 0.0)


def _facts(item: AlertItem) -> list[tuple[str, str]]:
    """(label, plain value) pairs shared by every format; values are not yet escaped."""
    facts = [
        ("Type", f"{type_label(item.type)} (score {item.score:.2f})"),
        ("Parties", party_text(item.parties)),
    ]
    if item.region and (region := " ".join(item.region.names())):
        facts.append(("Region", region))
    facts.append(("Date", format_date(item.published_at)))
    names = [name for name, _ in item.sources] or ["?"]
    facts.append(("Sources" if len(names) > 1 else "Source", ", ".join(dict.fromkeys(names))))
    facts.append(("Evidence", "; ".join(item.evidence[:6]) or "-"))
    return facts


def _other_links(item: AlertItem) -> list[str]:
    return [url for _, url in item.sources if url != item.url]


def _html(item: AlertItem) -> str:
    e = html.escape
    lines = [f"<b>{e(item.title)}</b>"]
    lines += [f"{label}: {e(value)}" for label, value in _facts(item)]
    lines.append(f'<a href="{e(item.url)}">{e(item.url)}</a>')
    lines += [f'Also at: <a href="{e(u)}">{e(u)}</a>' for u in _other_links(item)]
    return "<br/>\n".join(lines)


def md_escape(text: str) -> str:
    """HTML-escape, and neutralise Markdown link and emphasis syntax."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", html.escape(text, quote=False))


def _markdown(item: AlertItem) -> str:
    lines = [f"**{md_escape(item.title)}**", ""]
    lines += [f"- {label}: {md_escape(value)}" for label, value in _facts(item)]
    lines += ["", f"<{item.url}>"]
    lines += [f"Also at: <{u}>" for u in _other_links(item)]
    return "\n".join(lines)


def _text(item: AlertItem) -> str:
    lines = [item.title, ""]
    lines += [f"{label}: {value}" for label, value in _facts(item)]
    lines += ["", item.url]
    lines += [f"Also at: {u}" for u in _other_links(item)]
    return "\n".join(lines)


@dataclass(frozen=True)
class _DigestStyle:
    heading: Callable[[str, int], str]
    line: Callable[[AlertItem], str]
    joiner: str


def _digest_body(groups: list[tuple[str, list[AlertItem]]], style: _DigestStyle) -> str:
    parts = []
    for label, items in groups:
        parts.append(style.heading(label, len(items)))
        parts += [style.line(i) for i in items]
        parts.append("")
    return style.joiner.join(parts)


def _html_line(i: AlertItem) -> str:
    e = html.escape
    return (
        f'{format_date(i.published_at)} <a href="{e(i.url)}">{e(i.title)}</a>'
        f" — {e(_party_names(i))}"
    )


_DIGEST_STYLES = {
    "html": _DigestStyle(
        lambda label, n: f"<b>{html.escape(label)} ({n})</b>", _html_line, "<br/>\n"
    ),
    "markdown": _DigestStyle(
        lambda label, n: f"**{md_escape(label)} ({n})**",
        lambda i: (
            f"- {format_date(i.published_at)} {md_escape(i.title)} — "
            f"{md_escape(_party_names(i))} <{i.url}>"
        ),
        "\n",
    ),
    "text": _DigestStyle(
        lambda label, n: f"{label} ({n})",
        lambda i: f"- {format_date(i.published_at)} {i.title} — {_party_names(i)}\n  {i.url}",
        "\n",
    ),
}


def _party_names(item: AlertItem) -> str:
    return ", ".join(p.name for p in item.parties) or "-"


_FORMATS = {"html": _html, "markdown": _markdown, "text": _text}

"""Alerts and digests as chat messages: each service's dialect (plain text, Markdown,
Slack's mrkdwn, Telegram's HTML), escaped for it, and packed by ``notify.chat`` into
numbered messages that each fit the service, never cut."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from ieiwatch.domain import clean_line
from ieiwatch.notify.channels import Message
from ieiwatch.notify.chat import Block, Channel, pack
from ieiwatch.notify.views import DigestView, ItemView, Letter, Part, footer_lines
from ieiwatch.notify.wording import TITLE_CHARS, labels


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


def alert_chat(item: ItemView, subject: str, letter: Letter, channel: Channel) -> list[Part]:
    """The alert in the channel's dialect; on a service that shows no title, the heading
    is the item's linked title."""
    ink = _INKS[channel.dialect]
    titled = channel.title_in_body
    block = Block(_chat_item(item, ink, letter.lang, full=True, titled=titled), (0,))
    return _chat_parts(subject, [block], letter, channel, ink, item.url if titled else None)


def digest_chat(digest: DigestView, letter: Letter, channel: Channel) -> list[Part]:
    """The period and the counts by type and by source, then the items by type, a heading
    over each type's first item."""
    ink = _INKS[channel.dialect]
    words = labels(letter.lang)
    summary = [ink.esc(line) for line in (digest.period, digest.intro) if line]
    counts = [(words["by_type"], digest.by_type), (words["by_source"], digest.by_source)]
    for label, pairs in counts:
        shown = " · ".join(f"{name} {n}" for name, n in pairs)
        summary.append(_fact(ink, str(label), shown, letter.lang))
    blocks = [Block(ink.newline.join(summary))]
    for label, members in digest.groups:
        heading = str(words["group_heading"]).format(label=label, n=len(members))
        for k, (index, item) in enumerate(members):
            text = _chat_item(item, ink, letter.lang, full=False)
            if k == 0:
                shown = f"【{heading}】" if letter.lang == "zh" else heading
                text = f"{ink.bold(ink.esc(shown))}{ink.newline}{text}"
            blocks.append(Block(text, (index,)))
    return _chat_parts(digest.subject, blocks, letter, channel, ink)


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
    footer = footer_lines(letter)
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

"""Each service's own message format and size limit, and splitting a long message into
numbered ones that each fit.

One table, ``CHANNELS``, maps an Apprise scheme to how its messages are written
(``dialect``), what Apprise is told the body is (``body_format``) and how much one message
may hold. The limits are the services' documented ones, in the unit they count:

- WeCom group bots: Apprise 1.13 sends ``msgtype: text`` only (content ≤ 2048 UTF-8
  bytes; WeCom's 4096-byte markdown type cannot be chosen through Apprise).
- DingTalk: text, or markdown with a title when the URL says ``?format=markdown``;
  about 20,000 bytes. (Apprise 1.13 labels even its markdown payload ``msgtype: text``,
  which DingTalk may refuse: the plain-text default is the one known to arrive.)
- Feishu: ``msg_type: text``; the request body is limited to 20 KB, and Apprise writes
  it as ASCII-escaped JSON (a Chinese character costs six bytes), hence the ``json`` unit.
- Slack: its own ``mrkdwn`` (``*bold*``, ``<url|text>``); Apprise stops at 35,000
  characters (Slack's own limit is 40,000).
- Telegram: the few HTML tags it accepts; 4096 characters.
- Email: HTML, one message whatever its length.

Services that show no title get it as the body's first line, written by us (Apprise would
prepend it unescaped and uncounted): ``title_in_body``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import apprise

from ieiwatch.notify.channels import preferred_format

Dialect = Literal["email", "text", "markdown", "slack", "telegram"]
Unit = Literal["chars", "bytes", "json"]


@dataclass(frozen=True)
class Channel:
    """How one service's messages are written and how big one may be."""

    dialect: Dialect
    body_format: str
    """What Apprise is told the body is: html, markdown or text."""
    limit: int | None = None
    """The most one message's body (with the title, when ``title_in_body``) may hold."""
    unit: Unit = "chars"
    title_in_body: bool = False


EMAIL = Channel("email", "html")
WEBHOOK = Channel("text", "text", 100_000)
"""A generic webhook: the receiver takes whatever we send; kept under 100k characters."""

CHANNELS: dict[str, Channel] = {
    "mailto": EMAIL,
    "mailtos": EMAIL,
    "wecombot": Channel("text", "text", 2048, "bytes", title_in_body=True),
    "dingtalk": Channel("text", "text", 20_000, "bytes", title_in_body=True),
    "dingtalk+markdown": Channel("markdown", "markdown", 20_000, "bytes"),
    "feishu": Channel("text", "text", 19_500, "json", title_in_body=True),
    "slack": Channel("slack", "markdown", 35_000, "chars"),
    "tgram": Channel("telegram", "html", 4096, "chars", title_in_body=True),
    "json": WEBHOOK,
    "jsons": WEBHOOK,
    "form": WEBHOOK,
    "forms": WEBHOOK,
    "xml": WEBHOOK,
    "xmls": WEBHOOK,
}


def channel_for(url: str) -> Channel:
    """The table's entry for the URL's scheme; for a service not in it, what its Apprise
    plugin declares (format, body size, whether it shows a title)."""
    scheme = url.split(":", 1)[0].lower()
    if scheme == "dingtalk" and _native_format(url) == "markdown":
        return CHANNELS["dingtalk+markdown"]
    if scheme in CHANNELS:
        return CHANNELS[scheme]
    plugin = apprise.Apprise.instantiate(url)
    fmt = preferred_format(url)
    if fmt == "html" and plugin is not None and int(getattr(plugin, "title_maxlen", 1)) > 0:
        return EMAIL  # mail services (SES, Mailgun, SendGrid …) and the like
    limit = int(getattr(plugin, "body_maxlen", 0) or 0) or None
    shows_title = plugin is None or int(getattr(plugin, "title_maxlen", 1)) > 0
    dialect: Dialect = "markdown" if fmt == "markdown" else "text"
    body_format = "markdown" if fmt == "markdown" else "text"
    return Channel(dialect, body_format, limit, "chars", title_in_body=not shows_title)


def _native_format(url: str) -> str:
    plugin = apprise.Apprise.instantiate(url)
    native = getattr(plugin, "notify_format", "text")
    return str(getattr(native, "value", native))


def size(text: str, unit: Unit) -> int:
    if unit == "bytes":
        return len(text.encode("utf-8"))
    if unit == "json":
        return len(json.dumps(text))
    return len(text)


@dataclass(frozen=True)
class Block:
    """A piece of a message that is never broken between two messages (an item), with the
    indices of the items it shows."""

    text: str
    items: tuple[int, ...] = ()


@dataclass(frozen=True)
class Chunk:
    """One message's body and the items it carries."""

    body: str
    items: tuple[int, ...]


def pack(
    head: Callable[[str], str],
    blocks: Sequence[Block],
    tail: str,
    channel: Channel,
    joiner: str = "\n\n",
) -> list[Chunk]:
    """Bodies that each fit ``channel.limit``: the first opens with ``head("")``, or with
    ``head(" (1/3)")``, ``head(" (2/3)")`` … when it takes several; the last ends with
    ``tail``. Blocks are kept whole unless one alone is larger than a message, which is then
    continued in the next one: nothing is cut off."""
    if channel.limit is None:
        body = joiner.join([head(""), *(b.text for b in blocks), *([tail] if tail else [])])
        return [Chunk(body, tuple(i for b in blocks for i in b.items))]
    groups = _greedy(size(head(" (99/99)"), channel.unit), blocks, tail, channel, joiner)
    chunks = []
    for n, group in enumerate(groups):
        marker = f" ({n + 1}/{len(groups)})" if len(groups) > 1 else ""
        parts = [head(marker), *(b.text for b in group)]
        if n == len(groups) - 1 and tail:
            parts.append(tail)
        chunks.append(Chunk(joiner.join(parts), tuple(i for b in group for i in b.items)))
    return chunks


def _greedy(
    head_cost: int, blocks: Sequence[Block], tail: str, channel: Channel, joiner: str
) -> list[list[Block]]:
    assert channel.limit is not None
    limit, unit = channel.limit, channel.unit
    gap = size(joiner, unit)
    room = limit - head_cost - gap
    if room < 100 + size(tail, unit) + gap:
        raise ValueError(f"a {limit}-{unit} message cannot hold its heading and footer")
    pieces = [piece for b in blocks for piece in _fit(b, room, unit)]
    groups: list[list[Block]] = [[]]
    used = head_cost
    for piece in pieces:
        cost = gap + size(piece.text, unit)
        if groups[-1] and used + cost > limit:
            groups.append([])
            used = head_cost
        groups[-1].append(piece)
        used += cost
    if tail and used + gap + size(tail, unit) > limit:
        groups.append([])
    return groups


def _fit(block: Block, room: int, unit: Unit) -> list[Block]:
    """The block, or its continuation over several pieces when it alone is too big."""
    if size(block.text, unit) <= room:
        return [block]
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for char in block.text:
        cost = size(char, unit) - (2 if unit == "json" else 0)  # json: no quotes per char
        if current and used + cost > room - 2:
            pieces.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += cost
    pieces.append("".join(current))
    # The items go with the last piece: they count as sent once all of them are.
    last = len(pieces) - 1
    return [Block(p, block.items if i == last else ()) for i, p in enumerate(pieces)]

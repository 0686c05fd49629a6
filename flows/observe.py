"""What a run shows in Prefect: a per-source results table and a list of the new relevant
items as artifacts, and one ``ieiwatch.item.relevant`` event per new relevant item.

Only the flows call this (Prefect-only code); it reads the reports the plain pipeline and
backfill return, so the numbers shown are the ones the run acted on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.events import emit_event

from ieiwatch.flows.polling import RelevantItem
from ieiwatch.notify.chat_render import md_escape
from ieiwatch.notify.wording import type_label

RELEVANT_EVENT = "ieiwatch.item.relevant"


@dataclass(frozen=True)
class SourceRow:
    """One line of the results table."""

    source: str
    status: str
    listed: int
    new: int
    relevant: int
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "fetched/listed": self.listed,
            "new": self.new,
            "relevant": self.relevant,
            "errors": "; ".join(self.errors)[:500] or "-",
        }


@dataclass(frozen=True)
class Found:
    """A new relevant item and the source it came from."""

    source: str
    item: RelevantItem


async def publish(kind: str, rows: Sequence[SourceRow], found: Sequence[Found], title: str) -> None:
    """The two artifacts of a run, keyed ``{kind}-summary`` and ``{kind}-relevant-items``
    (keys make them versioned: the Artifacts page shows each run's as a new version)."""
    await acreate_table_artifact(
        table=[r.as_dict() for r in rows] or [{"source": "-", "status": "no sources"}],
        key=f"{kind}-summary",
        description=f"{title}: per-source results",
    )
    await acreate_markdown_artifact(
        markdown=relevant_markdown(title, found),
        key=f"{kind}-relevant-items",
        description=f"{title}: new cooperation news",
    )


def relevant_markdown(title: str, found: Sequence[Found]) -> str:
    """A Markdown list of the items; their text comes from the web and is escaped."""
    lines = [f"# {md_escape(title)}", "", f"{len(found)} new relevant items", ""]
    for f in found:
        item = f.item
        parties = ", ".join(item.parties) or "-"
        lines.append(
            f"- [{md_escape(item.title)}]({_link(item.url)}) — {md_escape(type_label(item.type))}"
            f" · parties: {md_escape(parties)} · source: {md_escape(f.source)}"
        )
    return "\n".join(lines)


def _link(url: str) -> str:
    # A space or parenthesis would end the Markdown link target early.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def emit_relevant(found: Sequence[Found], origin: str) -> int:
    """One event per item that is news, for users' automations; ``origin`` is monitor or
    backfill (a backfill's items are old news: automations can tell them apart). A new
    source's archive raises none: thousands of events, each a message to the Prefect
    server, about items that are not news. Returns how many."""
    emitted = 0
    for f in found:
        item = f.item
        if not item.news:
            continue
        event = emit_event(
            event=RELEVANT_EVENT,
            resource={
                "prefect.resource.id": f"ieiwatch.article.{item.id}",
                "prefect.resource.name": item.title[:200],
            },
            payload={
                "source": f.source,
                "type": item.type,
                "parties": item.parties,
                "title": item.title,
                "url": item.url,
                "origin": origin,
            },
        )
        emitted += event is not None
    return emitted

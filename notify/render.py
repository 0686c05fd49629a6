"""Alert text for one article: title, type, parties, region, date, source, evidence, link.

Everything that comes from the web is escaped, so a ``<script>`` in a title is shown as
text by email clients and chat apps, never run.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from ieiwatch.notify.channels import Message
from ieiwatch.storage.models import Article

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


DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


def format_date(value: datetime | None) -> str:
    """A publication date as the sources mean it: Beijing time (stored as UTC)."""
    return value.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d") if value else "unknown"


def escape(text: str) -> str:
    """HTML-escape, and neutralise Markdown link and emphasis syntax."""
    text = html.escape(text, quote=False)
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def render_alert(article: Article, source_name: str) -> Message:
    kind = TYPE_LABELS.get(article.type or "", "Not classified as cooperation")
    lines = [
        f"**{escape(article.title)}**",
        "",
        f"- Type: {kind} (score {article.score:.2f})",
        f"- Parties: {_parties(article)}",
    ]
    if region := _region(article):
        lines.append(f"- Region: {region}")
    lines += [
        f"- Date: {format_date(article.published_at)}",
        f"- Source: {escape(source_name)}",
        f"- Evidence: {'; '.join(escape(e) for e in article.evidence[:6]) or '-'}",
        "",
        f"<{article.url}>",
    ]
    return Message(title=f"[ieiwatch] {escape(article.title)}", body="\n".join(lines))


def _parties(article: Article) -> str:
    names = [f"{escape(p['name'])} ({p['kind']})" for p in article.parties]
    return ", ".join(names) or "-"


def _region(article: Article) -> str:
    if not article.region:
        return ""
    parts = [article.region.get("province"), article.region.get("city")]
    return escape(" ".join(p for p in parts if p))

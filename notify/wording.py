"""The words an alert is written in: ``templates/labels.yaml`` per language, and the
dates, types, parties, places and excerpts as an analyst reads them (cleaned of what the
web can hide in text, ``domain.text``; not yet escaped for any format)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ieiwatch.domain import BEIJING, Party, Region, clean_line, clean_text
from ieiwatch.domain.places import gazetteer, world

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


@cache
def labels(lang: str) -> dict[str, Any]:
    with (TEMPLATES / "labels.yaml").open(encoding="utf-8") as fh:
        data: dict[str, dict[str, Any]] = yaml.safe_load(fh)
    return data[lang if lang in data else DEFAULT_LANG]


def format_date(value: datetime | None) -> str:
    """A publication date as the sources mean it: Beijing time (stored as UTC)."""
    return value.astimezone(BEIJING).strftime("%Y-%m-%d") if value else "unknown"


def date_text(value: datetime | None, lang: str) -> str:
    """The date, or the language's word for an undated item."""
    return format_date(value) if value else str(labels(lang)["undated"])


def moment_text(value: datetime) -> str:
    """A moment to the minute, Beijing time: the bounds of a digest's period."""
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
    """浙江省杭州市 / Hangzhou, Zhejiang; 美国俄亥俄州哥伦布 / Columbus, Ohio, United
    States; a name the gazetteer does not know as it is."""
    if region is None:
        return ""
    if region.country:
        return _region_abroad(region, lang)
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


def _region_abroad(region: Region, lang: str) -> str:
    places = world()
    keys = [region.country, region.province, region.city]
    if lang == "en":
        names = [k for k in reversed(keys) if k]
        return ", ".join(clean_line(n) for i, n in enumerate(names) if n not in names[:i])
    zh = [(places[k].zh[0] if k in places and places[k].zh else k) for k in keys if k]
    unique = [n for i, n in enumerate(zh) if n not in zh[:i]]
    # 美国俄亥俄州哥伦布, but 美国北卡罗来纳州 Salisbury: a name with no Chinese form stands apart.
    text = "".join(
        f" {n}" if i and (_latin(n) or _latin(unique[i - 1])) else n for i, n in enumerate(unique)
    )
    return clean_line(text)


def _latin(name: str) -> bool:
    return name[:1].isascii()


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

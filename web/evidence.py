"""The classifier's evidence lines (``+action: 签署…``, ``type: 产业学院``) in plain words."""

from __future__ import annotations

from ieiwatch.web import i18n

# Cue groups of classify/data/cues.yaml and the party terms of classify/core.py.
_CUES: dict[str, tuple[str, str]] = {
    "action": ("合作动作", "a cooperation act"),
    "topic": ("合作主题", "a cooperation topic"),
    "agreement": ("签约", "an agreement"),
    "parties": ("学校与合作方", "a school and a partner"),
    "policy_doc": ("政策文件", "a policy document"),
    "policy_meeting": ("政策会议", "a policy meeting"),
    "policy_pilot": ("试点/名单", "a pilot or list"),
    "paper": ("论文", "an academic paper"),
    "paper_hint": ("论文迹象", "signs of a paper"),
    "commentary": ("评论文章", "commentary"),
    "explainer": ("政策解读", "an explainer"),
    "job_fair": ("招聘会", "a job fair"),
    "award": ("获奖", "an award"),
    "campus_life": ("校园活动", "campus life"),
    "research_result": ("科研成果", "a research result"),
    "business_only": ("仅企业新闻", "business news only"),
    "school_pair_title": ("两校标题", "two schools in the title"),
    "school_to_school": ("校际合作", "school-to-school cooperation"),
    "school-to-school": ("校际合作", "school-to-school cooperation"),
    "no partner": ("没有合作方", "no partner"),
    "government-led": ("政府主导", "government-led"),
    "no school": ("没有学校", "no school"),
}


def plain(line: str, lang: str) -> str:
    """One evidence line as a sentence; unknown shapes are shown as they are."""
    en = lang == "en"
    head, sep, rest = line.partition(": ")
    if not sep:
        return line
    rest = rest.strip()
    if head == "type":
        return f"Type decided by “{rest}”" if en else f"类型依据：“{rest}”"
    if head == "mentioned":
        return f"Also mentioned (not parties): {rest}" if en else f"另提及（非合作方）：{rest}"
    if head == "also":
        kind, _, phrase = rest.partition(": ")
        name = i18n.type_name(kind, lang)
        return f"Also {name}: “{phrase}”" if en else f"同时属于{name}：“{phrase}”"
    sign, label = head[:1], head[1:]
    if sign not in "+−-" or not label:
        return line
    cue = _CUES.get(label, (label, label))[1 if en else 0]
    if sign == "+":
        return f"For: {cue}, “{rest}”" if en else f"支持：{cue}，“{rest}”"
    return f"Against: {cue}, “{rest}”" if en else f"反对：{cue}，“{rest}”"

"""Labels in Chinese (the default) and English, chosen by ``?lang=en`` or a cookie."""

from __future__ import annotations

from ieiwatch.domain import Region, region_names
from ieiwatch.notify import wording

LANGS = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    "app": ("产教合作资讯监测", "ieiwatch: industry–education cooperation news"),
    "items": ("资讯", "Items"),
    "sources": ("信息源", "Sources"),
    "subscribers": ("订阅者", "Subscribers"),
    "deliveries": ("推送记录", "Deliveries"),
    "api": ("接口文档", "API docs"),
    "search": ("搜索", "Search"),
    "search_hint": ("标题或正文中的词（空格分隔）", "words in the title or text (space-separated)"),
    "relevant_only": ("仅合作资讯", "Cooperation news only"),
    "type": ("类型", "Type"),
    "any": ("不限", "any"),
    "region": ("地区", "Region"),
    "publisher": ("发布单位", "Publisher"),
    "publisher_hint": (
        "文中“我校”“学院”等所指的学校：来源配置的 publisher，或网页的站点名称",
        "The school 我校 or \"the university\" names: the source's publisher, or its site's name",
    ),
    "region_hint": (
        "省、市、州或国家，如 浙江 / Zhejiang / Ohio",
        "province, city, state or country, e.g. 浙江 / Zhejiang / Ohio",
    ),
    "party": ("合作方", "Party"),
    "source": ("来源", "Source"),
    "since": ("起始日期", "From"),
    "until": ("截止日期", "To"),
    "filter": ("筛选", "Filter"),
    "reset": ("清除", "Reset"),
    "date": ("日期", "Date"),
    "title": ("标题", "Title"),
    "parties": ("合作方", "Parties"),
    "score": ("得分", "Score"),
    "no_items": ("没有符合条件的资讯。", "No items match."),
    "newer": ("上一页", "Newer"),
    "older": ("下一页", "Older"),
    "feed": ("Atom 订阅", "Atom feed"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export Excel"),
    "corrected": ("已人工更正", "corrected"),
    "not_relevant": ("非合作资讯", "not cooperation news"),
    "relevant": ("合作资讯", "cooperation news"),
    "excerpt": ("摘要", "Excerpt"),
    "text": ("正文", "Stored text"),
    "sectors": ("行业", "Sectors"),
    "evidence": ("判断依据", "Why it was classified so"),
    "story_sources": ("同一新闻的所有来源", "Every source carrying this story"),
    "original": ("原文链接", "Original article"),
    "alerts": ("由此产生的推送", "Alerts it produced"),
    "no_alerts": ("尚无推送。", "No alerts yet."),
    "correct": ("更正", "Correct it"),
    "mark_relevant": ("是合作资讯", "Cooperation news"),
    "mark_not_relevant": ("不是合作资讯", "Not cooperation news"),
    "keep": ("保持不变", "keep as is"),
    "parties_hint": ("每行一个合作方名称", "one party name per line"),
    "by": ("更正人", "Your name"),
    "save": ("保存更正", "Save correction"),
    "history": ("更正记录", "Corrections"),
    "state": ("状态", "State"),
    "last_success": ("最近成功", "Last success"),
    "last_error": ("最近错误", "Last error"),
    "items_30d": ("近30天条数", "Items, last 30 days"),
    "newest_item": ("最新条目", "Newest item"),
    "check_now": ("立即检查", "Check now"),
    "check_title": ("检查结果（未保存、未推送）", "What it would extract (nothing stored or sent)"),
    "add_source": ("从网址添加信息源", "Add a source from a URL"),
    "name": ("名称", "Name"),
    "kind": ("类别", "Kind"),
    "url": ("网址", "URL"),
    "try_source": ("试抓取", "Try it"),
    "config_snippet": ("将以下内容加入配置文件 sources:", "Add this to the config's sources:"),
    "listed": ("列出条目", "items listed"),
    "mode": ("方式", "Mode"),
    "channels": ("通知渠道", "Channels"),
    "filters": ("筛选条件", "Filters"),
    "pause": ("暂停", "Pause"),
    "resume": ("恢复", "Resume"),
    "paused": ("已暂停", "paused"),
    "active": ("正常", "active"),
    "send_test": ("发送测试", "Send a test"),
    "add_subscriber": ("添加订阅者", "Add a subscriber"),
    "notify_url": ("Apprise 通知网址", "Apprise URL"),
    "regions": ("地区（逗号分隔）", "Regions (comma-separated)"),
    "keywords": ("关键词（逗号分隔）", "Keywords (comma-separated)"),
    "types": ("类型", "Types"),
    "add": ("添加", "Add"),
    "failed_deliveries": ("失败的推送", "Failed deliveries"),
    "all_deliveries": ("最近的推送", "Recent deliveries"),
    "retry": ("立即重试", "Retry now"),
    "attempts": ("尝试次数", "Attempts"),
    "error": ("错误", "Error"),
    "status": ("状态", "Status"),
    "subscriber": ("订阅者", "Subscriber"),
    "story": ("新闻", "Story"),
    "created": ("创建时间", "Created"),
    "next_try": ("下次重试", "Next try"),
    "none": ("无", "none"),
    "saved": ("已保存。", "Saved."),
    "lang_switch": ("English", "中文"),
    "origin": ("来源", "Origin"),
    "discover": ("自动识别", "Discover"),
    "discovered": ("自动识别结果（尚未添加）", "what was found (not added yet)"),
    "with_selectors": ("或手动填写选择器并试抓取", "or give the selectors and try it"),
    "optional": ("可选", "optional"),
    "add_to_config": ("加入配置文件", "Add to the config file"),
    "source_added": ("已加入配置文件：", "Added to the config file:"),
    "next_page": ("下一页", "next page"),
}


STATE_NAMES: dict[str, tuple[str, str]] = {
    "ok": ("正常", "ok"),
    "failing": ("出错中", "failing"),
    "broken": ("已失效", "broken"),
    "silent": ("长期无更新", "silent"),
    "new": ("尚未抓取", "never polled"),
    "pending": ("待发送", "pending"),
    "sending": ("发送中", "sending"),
    "sent": ("已发送", "sent"),
    "failed": ("失败待重试", "failed, will retry"),
    "dead": ("已放弃", "given up"),
}


def state_name(state: str, lang: str) -> str:
    pair = STATE_NAMES.get(str(state))
    return pair[1 if lang == "en" else 0] if pair else str(state)


def pick(lang: str) -> dict[str, str]:
    """Every label in ``lang`` (zh when unknown)."""
    i = 1 if lang == "en" else 0
    return {key: pair[i] for key, pair in _LABELS.items()}


def type_name(kind: str | None, lang: str) -> str:
    """The type's name as the alerts write it (``notify/templates/labels.yaml``)."""
    if not kind:
        return pick(lang)["not_relevant"]
    return str(wording.labels(lang)["types"].get(kind, kind))


def kind_name(kind: str, lang: str) -> str:
    return str(wording.labels(lang)["kinds"].get(kind, kind))


def place_name(key: str, lang: str) -> str:
    """A gazetteer key in the page's language: Zhejiang → 浙江省 (zh) or Zhejiang (en)."""
    if lang == "en":
        return key
    chinese = sorted((n for n in region_names(key) if _is_chinese(n)), key=len)
    return chinese[0] if chinese else key


def region_text(region: Region | None, lang: str) -> str:
    """浙江省杭州市 / Hangzhou, Zhejiang, as the alerts write it."""
    return wording.region_text(region, lang)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)

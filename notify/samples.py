"""The sample alert `subscribers test` sends: a real-looking alert, marked as a test, in
the subscriber's language and its channel's own format, so that what arrives is what the
subscriber will get."""

from __future__ import annotations

from datetime import UTC, datetime

from ieiwatch.domain import Party, PartyKind, Region
from ieiwatch.notify.channels import Message
from ieiwatch.notify.chat import channel_for
from ieiwatch.notify.render import alert_parts
from ieiwatch.notify.views import AlertItem, Letter

_TITLES = {
    "zh": "【测试】滨江大学与恒远新能源集团签署协议 共建储能技术联合实验室",
    "en": "[Test] Binjiang University and Hengyuan New Energy sign an agreement on a joint lab",
}
_TEXTS = {
    "zh": "这是一条测试提醒，内容为示例。11月3日，滨江大学与恒远新能源集团有限公司签署战略合作"
    "协议，双方将共建储能技术联合实验室。实验室将围绕固态电池和储能系统安全开展联合攻关。",
    "en": "This is a test alert with sample content. On 3 November Binjiang University and "
    "Hengyuan New Energy Group signed a strategic agreement to co-build a joint laboratory for "
    "energy storage. The lab will work on solid-state batteries and storage safety.",
}


def sample_alert(lang: str) -> AlertItem:
    lang = lang if lang in _TITLES else "zh"
    return AlertItem(
        title=_TITLES[lang],
        url="https://news.example.edu.cn/info/1002/1.htm",
        published_at=datetime(2025, 11, 3, 2, 0, tzinfo=UTC),
        type="joint_lab",
        score=0.98,
        parties=[
            Party("滨江大学", PartyKind.UNIVERSITY),
            Party("恒远新能源集团有限公司", PartyKind.ENTERPRISE),
        ],
        region=Region("Zhejiang", "Hangzhou"),
        evidence=["+action: 签署战略合作协议", "type: 联合实验室"],
        sources=[("example-news", "https://news.example.edu.cn/info/1002/1.htm")],
        text=_TEXTS[lang],
    )


def sample_messages(url: str, letter: Letter) -> list[Message]:
    return [
        part.message for part in alert_parts(sample_alert(letter.lang), channel_for(url), letter)
    ]

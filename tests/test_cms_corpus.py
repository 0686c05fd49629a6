"""The shared cn-news-html corpus: real VSB, WebPlus, TRS, Hanweb and UCAP pages.

Titles, dates and main text are compared with the corpus's ``*.expected.json`` ground truth
where it exists and with hand-checked expectations otherwise. The corpus lives outside the
repository (its pages belong to their publishers) and is never copied in.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ieiwatch.domain import BEIJING
from ieiwatch.scrapers.article import ArticleContent, extract_article
from ieiwatch.scrapers.cms import PRESETS, detect_cms, list_items, next_page_url, page_url
from ieiwatch.scrapers.dates import parse_cn_datetime
from ieiwatch.scrapers.encoding import decode_html

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/cn-news-html"
if not CORPUS.is_dir():
    pytest.skip(f"cn-news-html corpus not found at {CORPUS}", allow_module_level=True)

NOT_ARTICLES = {"nju-itsc_webplus_list.html", "nju-itsc_webplus_home.html"}
# Footer, navigation and script fragments that must never reach the main text.
EVERYWHERE_FORBIDDEN = ("版权所有", "ICP备", "网站地图", "function(", "document.", "{", "<", "}")


@dataclass(frozen=True)
class Expected:
    url: str
    cms: str | None
    title: str
    published: str
    """Beijing time, "YYYY-MM-DD HH:MM"."""
    contains: tuple[str, ...] = ()
    """Sentences of the body, typically its first and last."""
    forbidden: tuple[str, ...] = ()
    """Navigation, meta-line and sidebar phrases of this page."""


# Hand-checked against each page in a browser-free reading of its markup.
CASES: dict[str, Expected] = {
    "cjn-wuhan_trs_article.html": Expected(
        url="http://www.cjn.cn/",
        cms="trs",
        title="外媒眼中的武汉长假：蓬勃发展，欢声笑语",
        published="2020-10-04 20:30",
        contains=(
            "国庆中秋长假过半，但外媒关注武汉的热情不减",
            "世界银行周一预测，今年中国经济增速将达2%。",
        ),
        forbidden=("论坛热帖", "视频推荐", "您的当前位置", "来源: 长江网"),
    ),
    "cmse-gov_trs_article-2012.html": Expected(
        url="http://www.cmse.gov.cn/t20120624_43188.html",
        cms="trs",
        title="天宫一号与神舟九号载人交会对接任务第二场新闻发布会",
        published="2012-06-24 00:00",
        contains=("很高兴又一次和大家见面。", "下面，我愿意回答大家的提问。"),
        forbidden=("友情链接", "发布日期", "字号", "[打印]"),
    ),
    "cmse-gov_trs_article-2021.html": Expected(
        url="http://www.cmse.gov.cn/",
        cms="trs",
        title="载人航天工程全线备战空间站建造任务",
        # Visible day, time from the page's __$pubtime script variable.
        published="2021-01-05 16:59",
        contains=("元旦佳节，当千家万户团聚喜迎新年时", "续写辉煌篇章！"),
        forbidden=("友情链接", "发布日期"),
    ),
    "fgw-zj-gov_hanweb_article.html": Expected(
        url="http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
        cms="hanweb",
        title="1-10月德清县固定资产投资结构趋稳趋优",
        published="2016-11-22 09:53",
        contains=("1-10月，全县固定资产投资完成246.79亿元", "（德清县发改局）"),
        forbidden=("浏览次数", "信息来源", "打印 关闭", "Produced By"),
    ),
    "kepu-gov_article.html": Expected(
        url="http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html",
        cms=None,
        title="习近平主持召开深入推进长三角一体化发展座谈会",
        published="2023-12-01 14:43",
        forbidden=("热词", "时政新闻", "关于我们", "来源：新华社"),
    ),
    "nju-itsc_webplus_article-1.html": Expected(
        url="https://itsc.nju.edu.cn/",
        cms="webplus",
        title="我校召开南京大学智慧党建管理服务平台培训及答疑会",
        published="2021-04-09 00:00",
        contains=(
            "4月25日，党委组织部联合信息化建设管理服务中心在仙林校区举办了",
            "进一步做好平台的推广使用工作。",
        ),
        forbidden=("发布时间", "浏览次数", "服务电话", "常用链接", "正版软件"),
    ),
    "nju-itsc_webplus_article-2.html": Expected(
        url="https://itsc.nju.edu.cn/",
        cms="webplus",
        title="江南大学来我校调研信息化工作",
        published="2021-07-16 00:00",
        contains=(
            "7月6日上午，江南大学信息化建设与管理中心主任王强一行六人来我校调研信息化建设工作",
            "校园一卡通建设等方面进行了深入交流。",
        ),
        forbidden=("发布时间", "浏览次数", "服务电话", "常用链接"),
    ),
    "shanxi-gov_trs_article.html": Expected(
        url="http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
        cms="trs",
        title="山西品牌丝路行（南美站）正式启动",
        # Not the 2017-11-08 20:26 of the <span alt="时间：…"> attribute.
        published="2019-09-18 06:23",
        contains=(
            "跨越千山万水，行程近两万公里，山西品牌丝路行首次登陆巴西",
            "南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）",
        ),
        forbidden=("热门搜索", "放大 正常 缩小", "来源： 山西日报", "新疆生产建设兵团"),
    ),
    "sxmu-jijian_vsb_article.html": Expected(
        url="http://www.sxmu.edu.cn/jijian/",
        cms="vsb",
        title="中华人民共和国监察法",
        published="2018-05-17 00:00",
        contains=(
            "2018年3月20日，第十三届全国人大一次会议表决通过了《中华人民共和国监察法》。",
            "《中华人民共和国行政监察法》同时废止。",
        ),
        forbidden=("浏览次数", "设为首页", "警钟长鸣", "主办单位", "NewsvoteDWR"),
    ),
    "theorychina-en_trs_article.html": Expected(
        url="https://en.theorychina.org.cn/c/2012-09-26/1272493.shtml",
        cms="trs",
        title="Preventing the Vulnerable From Remaining in the Edge of Development",
        published="2012-09-26 11:09",
        forbidden=("Leaders' Works", "Theoretical Trends", "People's Daily Online", "Source："),
    ),
    "wanzai-gov_article-tjgb2015.html": Expected(
        url="http://www.wanzai.gov.cn/wzxrmzf/tjgb/201705/9c059bf058ef4db8b3c8f920e22186fe.shtml",
        cms="ucap",
        title="万载县2015年国民经济和社会发展统计公报",
        # The visible <publishtime>; the PubDate meta says 2022-04-24 (regeneration time).
        published="2017-05-15 10:49",
        contains=("全县人民在县委、县政府的正确领导下", "（万载县统计局）"),
        forbidden=("网站首页", "访问量", "发布日期", "星期三"),
    ),
    "wanzai-gov_article-tjgb2022.html": Expected(
        url="http://www.wanzai.gov.cn/wzxrmzf/tjsja/202305/7215380191c5400397df5d7d0b5fd06b.shtml",
        cms="ucap",
        title="万载县2022年国民经济和社会发展统计公报",
        # 生成日期 in the disclosure table; the PubDate meta says 2023-08-16.
        published="2023-05-11 00:00",
        contains=(
            "全县经济运行呈现稳中向好的良好态势。",
            "其他数据来自县统计局和国家统计局万载调查队。",
        ),
        forbidden=("索 引 号", "访问量", "扫一扫在手机打开当前页", "关联稿件"),
    ),
    "yichun-gov_article-tjgb2022.html": Expected(
        url="https://www.yichun.gov.cn/ycsrmzf/tjgb/202305/36796cdc82d04268913f2884cf2fe579.shtml",
        cms="ucap",
        title="宜春市2022年国民经济和社会发展统计公报",
        # 发文日期 in the disclosure table; the PubDate meta says 2023-05-16.
        published="2023-04-18 00:00",
        contains=("圆满完成年度主要目标任务", "其他数据来自市统计局和国家统计局宜春调查队。"),
        forbidden=("索 引 号", "发文日期", "访问量", "关联稿件"),
    ),
    "yichun-gov_article-jiangxi-tjgb2022.html": Expected(
        url="https://www.yichun.gov.cn/ycsrmzf/tjgb/202304/3f093ec317ba4609b241d0c79175c7cd.shtml",
        cms="ucap",
        title="江西省2022年国民经济和社会发展统计公报",
        published="2023-03-31 00:00",
        contains=(
            "2022年是党的二十大胜利召开之年",
            "其他数据来自省统计局和国家统计局江西调查总队。",
        ),
        forbidden=("索 引 号", "发文日期", "访问量"),
    ),
    "youth-cn_trs_article-1.html": Expected(
        url="https://news.youth.cn/gj/202405/t20240520_15263156.htm",
        cms="trs",
        title="以战时内阁审查重启停火谈判提案",
        published="2024-05-20 13:15",
        forbidden=("发稿时间", "原标题", "责任编辑", "温暖的BaoBao"),
    ),
    "youth-cn_trs_article-2.html": Expected(
        url="https://news.youth.cn/gn/202405/t20240513_15249693.htm",
        cms="trs",
        title="我国首届养老专业本科生迎来毕业季 “银发浪潮”到来，年轻人可大展拳脚",
        published="2024-05-13 06:03",
        forbidden=("发稿时间", "责任编辑", "上一页", "温暖的BaoBao"),
    ),
}

ARTICLE_PAGES = sorted(p.name for p in CORPUS.glob("*.html") if p.name not in NOT_ARTICLES)
YOUTH_PAGES = [name for name in ARTICLE_PAGES if name.startswith("youth-cn_")]


def _content_type(name: str) -> str:
    # youth.cn pages as the server labels them; their bytes are UTF-8 (see the README).
    return "text/html; charset=gb2312" if name in YOUTH_PAGES else "text/html"


def _extract(name: str) -> ArticleContent:
    decoded = decode_html((CORPUS / name).read_bytes(), _content_type(name))
    return extract_article(decoded.text, CASES[name].url)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。！？!?])|\n|(?<=\.)\s", text)
    return list(dict.fromkeys(s for part in parts if len(s := _squash(part)) >= 4))


def test_every_article_page_has_hand_checked_expectations() -> None:
    assert set(ARTICLE_PAGES) == set(CASES), "add new corpus pages to CASES after checking them"
    assert (CORPUS / "nju-itsc_webplus_list.html").is_file()


@pytest.mark.parametrize("name", ARTICLE_PAGES)
def test_article_page(name: str) -> None:
    expected = CASES[name]
    article = _extract(name)
    assert article.cms == expected.cms
    assert detect_cms((CORPUS / name).read_text(encoding="utf-8")) == expected.cms
    assert article.title == expected.title
    assert article.published_at is not None
    assert article.published_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") == (
        expected.published
    )
    text = _squash(article.text)
    for sentence in expected.contains:
        assert _squash(sentence) in text, sentence
    for phrase in (*expected.forbidden, *EVERYWHERE_FORBIDDEN):
        assert _squash(phrase) not in text, phrase
    # One paragraph a line, no blank lines, no stray whitespace.
    assert all(line and line == line.strip() for line in article.text.split("\n"))


@pytest.mark.parametrize(
    "name",
    [p.name.replace(".expected.json", ".html") for p in sorted(CORPUS.glob("*.expected.json"))],
)
def test_main_text_matches_ground_truth(name: str) -> None:
    truth = json.loads((CORPUS / name.replace(".html", ".expected.json")).read_text("utf-8"))
    assert truth["url"] == CASES[name].url
    ours = _extract(name).text
    expected_sentences, our_sentences = _sentences(truth["content"]), _sentences(ours)
    ours_squashed, truth_squashed = _squash(ours), _squash(truth["content"])
    # Ground truth and we split paragraphs differently; compare by sentence, weighted by size.
    found = sum(len(s) for s in expected_sentences if s in ours_squashed)
    recall = found / sum(len(s) for s in expected_sentences)
    kept = sum(len(s) for s in our_sentences if s in truth_squashed)
    precision = kept / sum(len(s) for s in our_sentences)
    assert recall >= 0.98, recall
    # Ours also keeps photo captions and sub-headlines that the ground truth leaves out.
    assert precision >= 0.9, precision
    assert expected_sentences[0] in ours_squashed
    assert expected_sentences[-1] in ours_squashed


@pytest.mark.parametrize("name", YOUTH_PAGES)
def test_youth_pages_declared_gb2312_decode_as_utf8(name: str) -> None:
    body = (CORPUS / name).read_bytes()
    assert b"gb2312" in body[:1000].lower()
    decoded = decode_html(body, "text/html; charset=gb2312")
    assert decoded.encoding == "utf-8"
    assert decoded.text == body.decode("utf-8")
    assert CASES[name].title in decoded.text


LIST_URL = "https://itsc.nju.edu.cn/wlyxqk/list.htm"


def test_webplus_list_page() -> None:
    html = (CORPUS / "nju-itsc_webplus_list.html").read_text(encoding="utf-8")
    preset = PRESETS["webplus"]
    assert detect_cms(html) == "webplus"
    items = list_items(html, LIST_URL, preset)
    # em.per_count says 14 per page; the footer's link boxes share the list markup.
    assert len(items) == 14
    assert items[0] == (
        "https://itsc.nju.edu.cn/28/e4/c21558a534756/page.htm",
        "人事系统：博士后新进 上线",
        "2021-07-05",
    )
    assert items[-1] == (
        "https://itsc.nju.edu.cn/28/f0/c21558a534768/page.htm",
        "科研管理系统：经费开借票 上线",
        "2021-04-15",
    )
    for url, title, date_text in items:
        assert re.fullmatch(r"https://itsc\.nju\.edu\.cn/\w+/\w+/c21558a\d+/page\.htm", url)
        assert title and date_text and parse_cn_datetime(date_text) is not None
    assert next_page_url(html, LIST_URL, preset) == "https://itsc.nju.edu.cn/wlyxqk/list2.htm"
    assert page_url(preset, LIST_URL, 9) == "https://itsc.nju.edu.cn/wlyxqk/list9.htm"


def test_webplus_home_page_lists() -> None:
    html = (CORPUS / "nju-itsc_webplus_home.html").read_text(encoding="utf-8")
    items = list_items(html, "https://itsc.nju.edu.cn/main.htm", PRESETS["webplus"])
    assert len(items) >= 20
    assert all(url.startswith(("http://", "https://")) for url, _, _ in items)
    assert all(date_text for _, _, date_text in items)


def test_largest_page_extracts_fast() -> None:
    name = max(ARTICLE_PAGES, key=lambda n: (CORPUS / n).stat().st_size)
    html = (CORPUS / name).read_text(encoding="utf-8")
    assert len(html.encode()) > 400_000
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        extract_article(html, CASES[name].url)
        timings.append(time.perf_counter() - start)
    # ~10 ms on an idle development machine; a guard against super-linear extraction,
    # not a speed target (the bound leaves room for a machine busy with other work).
    assert min(timings) < 1.0, timings

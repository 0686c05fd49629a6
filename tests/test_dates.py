"""Dates as Chinese pages and URLs write them; results are aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ieiwatch.scrapers.dates import date_from_url, find_all_dates, find_date, parse_cn_datetime


def bj(*args: int) -> datetime:
    """A Beijing wall-clock time as the UTC datetime the parsers return."""
    return datetime(*args, tzinfo=UTC) - timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年11月5日 09:30", bj(2024, 11, 5, 9, 30)),
        ("2024年11月5日 09:30:12", bj(2024, 11, 5, 9, 30, 12)),
        ("2024年11月05日", bj(2024, 11, 5)),
        ("2024 年 11 月 5 日", bj(2024, 11, 5)),
        ("2024-11-05", bj(2024, 11, 5)),
        ("2024-11-05 09:30", bj(2024, 11, 5, 9, 30)),
        ("2024/11/05", bj(2024, 11, 5)),
        ("2024.11.05", bj(2024, 11, 5)),
        ("2024-1-5", bj(2024, 1, 5)),
        ("发布时间：2024-11-05 09:30", bj(2024, 11, 5, 9, 30)),
        ("发布日期:2024年11月05日", bj(2024, 11, 5)),
        ("时间：2019-09-18 06:23", bj(2019, 9, 18, 6, 23)),
        ("日期 2024/11/05", bj(2024, 11, 5)),
        ("发布时间：２０２４－１１－０５ ０９：３０", bj(2024, 11, 5, 9, 30)),  # full-width
        ("2024-11-05 09：30", bj(2024, 11, 5, 9, 30)),
        ("二〇二四年十一月五日", bj(2024, 11, 5)),
        ("二〇二三年十二月三十一日", bj(2023, 12, 31)),
        ("2023-12-01 14:43:00:0", bj(2023, 12, 1, 14, 43)),  # Founder CMS comment format
        ("2024-11-05T09:30:00+00:00", datetime(2024, 11, 5, 9, 30, tzinfo=UTC)),
        ("2024-11-05T09:30:00.000Z", datetime(2024, 11, 5, 9, 30, tzinfo=UTC)),
        ("2024-11-05T09:30:00+0800", bj(2024, 11, 5, 9, 30)),
        ("Tue, 05 Nov 2024 09:30:00 +0800", bj(2024, 11, 5, 9, 30)),
        ("Nov 5, 2024", bj(2024, 11, 5)),
        ("5 November 2024", bj(2024, 11, 5)),
        ("2024-11-05 09:30-10:30", bj(2024, 11, 5, 9, 30)),  # a range, not an offset
    ],
)
def test_parse_cn_datetime(text: str, expected: datetime) -> None:
    parsed = parse_cn_datetime(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "日期：24-11-05",  # two-digit years are ambiguous (htmldate reads 2005-11-24)
        "2024-13-01",
        "2024-02-30",
        "1989-12-31",  # before 1990
        "2099-01-01",  # in the future
        "服务时间：每天（8:00-19:00）",
        "索引号：014742224A/2023-0043406",
        "",
        "发布时间：",
    ],
)
def test_parse_cn_datetime_rejects(text: str) -> None:
    assert parse_cn_datetime(text) is None


def test_tomorrow_is_allowed_but_not_later() -> None:
    beijing_now = datetime.now(UTC) + timedelta(hours=8)
    soon = beijing_now + timedelta(hours=12)
    later = beijing_now + timedelta(days=3)
    assert parse_cn_datetime(soon.strftime("%Y-%m-%d %H:%M")) is not None
    assert parse_cn_datetime(later.strftime("%Y-%m-%d %H:%M")) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://news.example.edu.cn/info/1002/2024/1105/1234.htm", bj(2024, 11, 5)),
        ("https://www.example.edu.cn/2024/1105/c1234a56789/page.htm", bj(2024, 11, 5)),
        ("http://www.shanxi.gov.cn/yw/sxyw/202411/t20241105_123.html", bj(2024, 11, 5)),
        ("http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html", bj(2016, 11, 22)),
        ("http://www.example.gov.cn/art/2024/1/5/art_1_2.html", bj(2024, 1, 5)),
        ("http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html", bj(2023, 12, 1)),
        ("https://en.theorychina.org.cn/c/2012-09-26/1272493.shtml", bj(2012, 9, 26)),
        ("http://www.example.com.cn/202411/05/123.html", bj(2024, 11, 5)),
        ("http://www.example.com.cn/20241105/123.html", bj(2024, 11, 5)),
    ],
)
def test_date_from_url(url: str, expected: datetime) -> None:
    assert date_from_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://itsc.nju.edu.cn/28/e4/c21558a534756/page.htm",  # WebPlus ids, no date
        "https://www.yichun.gov.cn/ycsrmzf/tjgb/202305/36796cdc82d04268913f2884cf2fe579.shtml",
        "https://news.example.edu.cn/info/1002/1234.htm",
        "http://www.cjn.cn/202010/t3675412.htm",  # cjn's t{id}: not a date
        "http://www.example.com/2024/1399/x.html",
    ],
)
def test_date_from_url_without_a_day(url: str) -> None:
    assert date_from_url(url) is None


def test_find_date_prefers_labelled_date() -> None:
    text = "相关新闻 学校召开会议 2024-01-02\n标题\n来源：宣传部 | 发布时间：2023-05-06 | 浏览"
    assert find_date(text) == bj(2023, 5, 6)


def test_find_date_prefers_strong_label_over_weak() -> None:
    assert find_date("时间：2023-05-01 发布日期：2023-05-06") == bj(2023, 5, 6)


def test_find_date_without_label_takes_first_plausible() -> None:
    assert find_date("2099-01-01 then 2020-10-04 20:30 then 2021-01-01") == bj(2020, 10, 4, 20, 30)


def test_find_date_traditional_and_english_labels() -> None:
    assert find_date("主頁 2020-01-01 發佈日期：2024年3月8日") == bj(2024, 3, 8)
    assert find_date("Related 2020-01-01. Published on Nov 5, 2024") == bj(2024, 11, 5)


def test_find_date_none() -> None:
    assert find_date("没有日期的文本") is None


def test_find_all_dates_positions_and_labels() -> None:
    text = "来源:\n | 发布时间: 2018-05-17 | 浏览次数: 2168"
    (match,) = find_all_dates(text)
    assert text[match.start : match.end] == "2018-05-17"
    assert match.label == "发布时间" and match.strong_label and not match.has_time

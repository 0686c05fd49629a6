"""Publication dates as Chinese (and English) news pages and URLs write them.

htmldate and trafilatura turn 2024年11月05日 into 1 January, so we parse dates ourselves.
Times without an offset are Beijing time; every result is an aware datetime in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ieiwatch.domain import BEIJING

_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

# One character for one character, so match positions stay valid in the caller's text.
_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)}
    | {"：": ":", "／": "/", "．": ".", "－": "-", "\u3000": " ", "\xa0": " "}
)

_NUMERIC = re.compile(
    r"""
    (?<!\d)(?P<y>(?:19|20)\d{2})
    (?:
        \s*年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*[日号]?
      | (?P<sep>[-/.])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<d2>\d{1,2})(?!\d)
    )
    (?:
        (?:T|\s*)
        (?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{2})(?!\d)
        (?:\s*[:分]\s*(?P<S>\d{2})(?!\d)(?:\.\d+)?
            # An offset only after seconds: "09:30-10:30" is a time range, not -10:30.
            (?P<tz>Z|[+-]\d{2}:?\d{2})?
        )?
    )?
    """,
    re.VERBOSE,
)
_HANZI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0}
_HANZI = re.compile(
    r"(?P<y>[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>[一二三四五六七八九十]{1,3})\s*[日号]"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_ENGLISH = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon1>{_MON}),?\s+(?P<y1>(?:19|20)\d{{2}})"
    rf"|(?P<mon2>{_MON})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y2>(?:19|20)\d{{2}}))\b",
    re.IGNORECASE,
)

# Simplified and traditional spellings (发布时间 / 發佈時間).
_STRONG_LABELS = (
    "[发發][布佈](?:[时時][间間]|日期|于|於)|[发發][稿表文](?:[时時][间間]|日期)|"
    r"published(?:\s+on)?|publish(?:ed)?\s+date|posted(?:\s+on)?|release\s+date"
)
_WEAK_LABELS = (
    "(?:成文|生成|更新|录入|錄入|上传|上傳)?(?:[时時][间間]|日期)|"
    r"updated(?:\s+on)?|date|time"
)
_LABEL = re.compile(
    rf"(?:(?P<strong>{_STRONG_LABELS})|(?P<weak>{_WEAK_LABELS}))\s*:?\s*[\[【(（]?\s*$",
    re.IGNORECASE,
)
LABEL_LOOKBACK = 24
"""How far before a date its label may start."""
_LEADING_LABEL = re.compile(rf"^\s*(?:{_STRONG_LABELS}|{_WEAK_LABELS})\s*:?\s*", re.IGNORECASE)

_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+\.\w+"),  # TRS: /202411/t20241105_123.html
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),  # /2024/1105/
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb: /art/2016/11/22/
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})/(\d{1,2})/"),  # /2023-12/01/
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})/"),  # /c/2012-09-26/
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),  # /202411/05/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),  # /20241105/
)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text, where it was, and the label written just before it."""

    value: datetime
    start: int
    end: int
    has_time: bool
    label: str | None = None
    strong_label: bool = False


def parse_cn_datetime(text: str) -> datetime | None:
    """The first date in ``text`` (labels such as 发布时间： are skipped), in UTC."""
    cleaned = _LEADING_LABEL.sub("", text.translate(_FULLWIDTH).strip())
    # Before our patterns, which would read "Tue, 05 Nov 2024 09:30 +0800" without its time.
    rfc822 = _rfc822(cleaned)
    if rfc822 is not None:
        return rfc822
    matches = find_all_dates(cleaned)
    return matches[0].value if matches else None


def find_date(text: str) -> datetime | None:
    """The first plausible date in free text, preferring one next to a 发布时间-style label."""
    matches = find_all_dates(text)
    for wanted in (lambda m: m.strong_label, lambda m: m.label is not None, lambda m: True):
        for match in matches:
            if wanted(match):
                return match.value
    return None


def date_from_url(url: str) -> datetime | None:
    """The publication day many CMSes put in article URLs (midnight Beijing time)."""
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            year, month, day = (int(g) for g in match.groups())
            value = _build(year, month, day)
            if value is not None:
                return value
    return None


def find_all_dates(text: str) -> list[DateMatch]:
    """Every plausible date in ``text``, in order of position."""
    text = text.translate(_FULLWIDTH)
    found = [*_numeric_dates(text), *_hanzi_dates(text), *_english_dates(text)]
    found.sort(key=lambda m: m.start)
    return [_with_label(text, m) for m in found]


def _numeric_dates(text: str) -> list[DateMatch]:
    found = []
    for m in _NUMERIC.finditer(text):
        month, day = m.group("m1") or m.group("m2"), m.group("d1") or m.group("d2")
        value = _build(
            int(m.group("y")),
            int(month),
            int(day),
            m.group("H"),
            m.group("M"),
            m.group("S"),
            m.group("tz"),
        )
        if value is not None:
            found.append(DateMatch(value, m.start(), m.end(), has_time=m.group("H") is not None))
    return found


def _hanzi_dates(text: str) -> list[DateMatch]:
    found = []
    for m in _HANZI.finditer(text):
        year = int("".join(str(_HANZI_DIGITS[c]) for c in m.group("y")))
        value = _build(year, _hanzi_number(m.group("m")), _hanzi_number(m.group("d")))
        if value is not None:
            found.append(DateMatch(value, m.start(), m.end(), has_time=False))
    return found


def _english_dates(text: str) -> list[DateMatch]:
    found = []
    for m in _ENGLISH.finditer(text):
        month = _MONTHS[(m.group("mon1") or m.group("mon2"))[:3].lower()]
        value = _build(
            int(m.group("y1") or m.group("y2")), month, int(m.group("d1") or m.group("d2"))
        )
        if value is not None:
            found.append(DateMatch(value, m.start(), m.end(), has_time=False))
    return found


def _hanzi_number(numeral: str) -> int:
    """十 → 10, 十一 → 11, 二十 → 20, 二十五 → 25, 五 → 5."""
    if "十" not in numeral:
        return _HANZI_DIGITS[numeral[-1]]
    tens, _, units = numeral.partition("十")
    return (_HANZI_DIGITS[tens] if tens else 1) * 10 + (_HANZI_DIGITS[units] if units else 0)


def _with_label(text: str, match: DateMatch) -> DateMatch:
    before = text[max(0, match.start - LABEL_LOOKBACK) : match.start]
    last = before.rstrip(" :\t\n[【(（")[-1:]
    # Every label ends in 间/間/期/于/於 or a Latin letter; most dates have none before them,
    # and a regex search per date is the slow part of a 400 KB page.
    if not last or not (last in "间間期于於" or (last.isascii() and last.isalpha())):
        return match
    label = _LABEL.search(before)
    if label is None:
        return match
    return DateMatch(
        match.value,
        match.start,
        match.end,
        match.has_time,
        label=label.group("strong") or label.group("weak"),
        strong_label=label.group("strong") is not None,
    )


def _build(
    year: int,
    month: int,
    day: int,
    hour: str | None = None,
    minute: str | None = None,
    second: str | None = None,
    offset: str | None = None,
) -> datetime | None:
    try:
        local = datetime(
            year, month, day, int(hour or 0), int(minute or 0), int(second or 0), tzinfo=_tz(offset)
        )
    except ValueError:
        return None
    return _plausible(local.astimezone(UTC))


def _tz(offset: str | None) -> timezone | ZoneInfo:
    if not offset:
        return BEIJING
    if offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _plausible(value: datetime) -> datetime | None:
    if value < _EARLIEST or value > _latest_plausible():
        return None
    return value


def _latest_plausible() -> datetime:
    """Now plus one day (dates ahead of Beijing's clock by a few hours are still fine)."""
    return datetime.now(UTC) + timedelta(days=1)


def _rfc822(text: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:  # no zone given (or "-0000"): Beijing time, as everywhere here
        value = value.replace(tzinfo=BEIJING)
    return _plausible(value.astimezone(UTC))


# List pages write dates more loosely than article pages: "24-03-24", "[03-24]", a day and a
# "2024-03" block side by side. These forms are only read where a list item's date stands
# alone (its own element, or the item's text outside the title), never in running text,
# where "1.5" or "3-4" are no dates at all.
_EDGE = r"(?:^|(?<=[\s\[【(（]))"
_END = r"(?=$|[\s\]】)）])"
_DAY_THEN_MONTH = re.compile(
    rf"{_EDGE}(?P<d>\d{{1,2}})\s+(?P<y>(?:19|20)\d{{2}})\s*[-/.年]\s*(?P<m>\d{{1,2}})月?{_END}"
)
_MONTH_THEN_DAY = re.compile(
    rf"{_EDGE}(?P<y>(?:19|20)\d{{2}})\s*[-/.年]\s*(?P<m>\d{{1,2}})月?\s+(?P<d>\d{{1,2}})日?{_END}"
)
_SHORT_YEAR = re.compile(
    rf"{_EDGE}(?P<y>\d{{2}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_END}"
)
_NO_YEAR = re.compile(
    rf"{_EDGE}[\[【(（]?\s*(?P<m>\d{{1,2}})\s*(?:[-/.]|月)\s*(?P<d>\d{{1,2}})\s*日?\s*[\]】)）]?{_END}"
)


def list_date(text: str, today: date | None = None) -> datetime | None:
    """The date of a list item from its date text, in every form list pages use.

    A date without a year ("03-24") is taken in the current year, or the one before when
    that would put it in the future; ``today`` (Beijing) is for tests.
    """
    text = " ".join(text.translate(_FULLWIDTH).split())
    if not text:
        return None
    found = find_all_dates(text)
    if found:
        return found[0].value
    for pattern in (_DAY_THEN_MONTH, _MONTH_THEN_DAY):
        m = pattern.search(text)
        if m and (value := _build(int(m["y"]), int(m["m"]), int(m["d"]))):
            return value
    m = _SHORT_YEAR.search(text)
    if m and (value := _build(2000 + int(m["y"]), int(m["m"]), int(m["d"]))):
        return value
    m = _NO_YEAR.search(text)
    if m is None:
        return None
    today = today or datetime.now(BEIJING).date()
    month, day = int(m["m"]), int(m["d"])
    for year in (today.year, today.year - 1):
        value = _build(year, month, day)
        if value is not None and value.astimezone(BEIJING).date() <= today + timedelta(days=1):
            return value
    return None


def has_year(text: str) -> bool:
    """Whether a list date text names its year (else ``list_date`` guessed it)."""
    text = text.translate(_FULLWIDTH)
    return bool(
        find_all_dates(text)
        or _DAY_THEN_MONTH.search(text)
        or _MONTH_THEN_DAY.search(text)
        or _SHORT_YEAR.search(text)
    )

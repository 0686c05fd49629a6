"""A local farm of news sites for the speed comparison (bench/farm_compare.py).

    .venv/bin/python bench/farm.py --n 200 [--port 18900] [--smtp-port 18925]

Source ``i`` lives on its own loopback address (127.0.{1 + i // 250}.{1 + i % 250}; Linux
routes all of 127/8 to ``lo``), so politeness per host applies to each source as it would on
the web. Each serves an RSS feed (``/feed.xml``), an HTML list (``/list.htm``) and its 20
newest article pages (``/info/{k}.htm``, realistic Chinese news: cooperation signings and
ordinary campus news, names varied per source), with an ETag on the feed and list that
``If-None-Match`` turns into a 304. The first 20 items are 10–40 days old (a new source's
archive); ``POST /_add`` on the control address (127.0.0.1:port) adds one item, dated now,
to every source. ``GET /_stats`` gives request and mail counts as JSON.

A local SMTP sink (aiosmtpd) on 127.0.0.1:smtp-port counts every message it receives.
The farm runs in its own process, so its memory and CPU are not the measured tool's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

ITEMS_ON_PAGE = 20
ARCHIVE_DAYS = (10, 40)


def address(i: int) -> str:
    """Source i's loopback address; 127.0.0.1 stays free for the control endpoint."""
    return f"127.0.{1 + i // 250}.{1 + i % 250}"


UNIS = [
    "滨江大学",
    "东海职业技术学院",
    "青川理工大学",
    "南屿师范学院",
    "北岭科技大学",
    "西塘职业学院",
    "临海工程学院",
    "嘉禾农业大学",
    "明湖医科大学",
    "云岭交通职业技术学院",
]
FIRMS = [
    "恒远新能源集团有限公司",
    "星辰智能制造有限公司",
    "华信电池股份有限公司",
    "天衡软件科技有限公司",
    "海川船舶重工集团",
    "瑞丰生物医药有限公司",
    "安途汽车零部件有限公司",
    "中嘉物流集团",
    "启明半导体有限公司",
    "绿源农业科技股份有限公司",
]
FIELDS = ["储能技术", "智能制造", "集成电路", "生物医药", "现代农业", "智慧物流", "船舶与海洋工程"]

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = [
    "立新",
    "建华",
    "晓东",
    "海燕",
    "志强",
    "文博",
    "丽娟",
    "国庆",
    "振宇",
    "思远",
    "明哲",
    "雪梅",
]
ROLES = ["校长", "副校长", "党委书记", "院长", "副院长", "教务处处长", "科研处处长", "就业处处长"]

# Titles and opening sentences; the bodies are sentences drawn from the pools below, so no
# two articles read alike (as on real sites, where near-copies are the exception).
COOPERATION = [
    (
        "{uni}与{firm}共建{field}联合实验室揭牌",
        "{m}月{d}日上午，{uni}与{firm}共建的“{field}联合实验室”揭牌仪式在{uni}举行。",
    ),
    (
        "{uni}与{firm}签署校企合作协议 共建{field}产业学院",
        "{m}月{d}日，{uni}与{firm}校企合作签约暨{field}产业学院揭牌仪式在学校举行。",
    ),
    (
        "{firm}向{uni}捐赠{field}实训设备 共建实习实训基地",
        "{m}月{d}日，{firm}向{uni}捐赠{field}实训设备仪式举行，设备总价值{n}00万元。",
    ),
    (
        "{uni}与{firm}签订战略合作框架协议",
        "{m}月{d}日，{uni}与{firm}战略合作框架协议签约仪式在{firm}总部举行。",
    ),
]
COOPERATION_BODY = [
    "{role}{person}与{firm}总经理{person2}代表双方签约。",
    "根据协议，双方将围绕{field}关键技术开展联合攻关，企业每年投入研发经费{n}00万元。",
    "学校将组建由{n}余名教师和研究生组成的研究团队，与企业工程师共同承担项目。",
    "双方将共同制定人才培养方案，共同开发课程和教材，企业派驻工程师担任产业导师。",
    "企业每年接收{n}0名学生顶岗实习，并开设“{firm_short}订单班”。",
    "{person}表示，学校将以此次合作为契机，深化产教融合、校企合作，推动科研成果转化落地。",
    "{person2}表示，企业将向学生开放生产线和测试中心，设立实习岗位和奖学金。",
    "仪式结束后，双方还就共建实习实训基地和联合培养研究生等事项进行了座谈交流。",
    "与会人员参观了学校{field}实验中心和创新创业孵化基地。",
    "此次合作是学校服务地方经济社会发展、推进应用型人才培养的重要举措。",
    "双方商定建立定期会商机制，每季度召开一次工作推进会，确保合作项目落地见效。",
    "市教育局、科技局有关负责同志出席活动并讲话，对双方合作给予充分肯定。",
    "据介绍，{firm}是国内{field}领域的骨干企业，拥有员工{n}000余人。",
    "下一步，双方将在技术攻关、成果转化、人才培养和员工培训等方面深化合作。",
]
ORDINARY = [
    (
        "{uni}召开{y}年秋季学期教学工作会议",
        "{m}月{d}日下午，{uni}{y}年秋季学期教学工作会议在行政楼报告厅召开。",
    ),
    ("{uni}举行{y}年秋季田径运动会", "{m}月{d}日，{uni}{y}年秋季田径运动会在学校体育场开幕。"),
    (
        "浅谈新时代高职院校{field}专业建设的实践路径",
        "近年来，高职院校{field}专业建设取得了长足进步，但也面临课程体系滞后、师资结构单一等问题。",
    ),
    ("{uni}举办第{n}届校园读书节", "{m}月{d}日，{uni}第{n}届校园读书节在图书馆开幕。"),
]
ORDINARY_BODY = [
    "校领导、各学院院长和教学副院长、教务处全体人员参加会议。",
    "会议总结了上学期工作，部署了本学期课程建设、教材建设和教学质量监控等重点任务。",
    "{role}{person}强调，各学院要坚持立德树人根本任务，切实提高人才培养质量。",
    "全校{n}000余名师生参加了活动，现场气氛热烈。",
    "本届活动设比赛项目{n}0余项，并增设了教职工趣味项目。",
    "经过两天的激烈角逐，共有{n}人次打破校纪录。",
    "本文从专业定位、课程改革、师资队伍和评价体系四个方面分析了专业建设的现状。",
    "作者认为，专业建设应立足区域经济社会发展需要，不断完善人才培养方案。",
    "活动期间还将举办名家讲座、好书推荐和经典诵读等系列活动。",
    "{person}代表学校向获奖师生表示祝贺，勉励大家再接再厉。",
    "图书馆馆长{person2}介绍了本届读书节的活动安排。",
    "与会人员围绕课堂教学改革、考试管理和实践教学等议题进行了交流讨论。",
    "活动展示了师生积极向上的精神面貌，营造了良好的校园文化氛围。",
]


@dataclass
class Item:
    k: int
    title: str
    text: str
    published: datetime


@dataclass
class Site:
    index: int
    items: list[Item] = field(default_factory=list)
    version: int = 0

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    def add(self, published: datetime) -> None:
        k = len(self.items) + 1
        rng = random.Random(self.index * 100_003 + k)
        cooperation = rng.random() < 0.5
        title_t, opening = rng.choice(COOPERATION if cooperation else ORDINARY)
        firm = rng.choice(FIRMS)
        values = {
            "uni": UNIS[self.index % len(UNIS)],
            "firm": firm,
            "firm_short": firm[:2],
            "field": rng.choice(FIELDS),
            "person": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "person2": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "role": rng.choice(ROLES),
            "m": published.month,
            "d": published.day,
            "y": published.year,
            "n": rng.randint(2, 9),
        }
        pool = COOPERATION_BODY if cooperation else ORDINARY_BODY
        sentences = [opening, *rng.sample(pool, rng.randint(4, 7))]
        paragraphs = ["".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
        text = "\n".join(paragraphs).format(**values)
        self.items.append(Item(k, title_t.format(**values), text, published))
        self.version += 1

    def newest(self) -> list[Item]:
        return self.items[-ITEMS_ON_PAGE:][::-1]


def _archive_date(i: int, k: int, now: datetime) -> datetime:
    low, high = ARCHIVE_DAYS
    return now - timedelta(days=high - (high - low) * k / ITEMS_ON_PAGE, minutes=i % 60)


def make_sites(n: int, now: datetime) -> list[Site]:
    sites = [Site(i) for i in range(n)]
    for site in sites:
        for k in range(ITEMS_ON_PAGE):
            site.add(_archive_date(site.index, k, now))
    return sites


def feed_xml(site: Site, base: str) -> str:
    entries = "".join(
        f"<item><title>{escape(it.title)}</title><link>{base}/info/{it.k}.htm</link>"
        f'<guid isPermaLink="false">s{site.index}-{it.k}</guid>'
        f"<pubDate>{format_datetime(it.published)}</pubDate>"
        f"<description>{escape(it.text[:80])}</description></item>"
        for it in site.newest()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{UNIS[site.index % len(UNIS)]}新闻网 {site.index}</title><link>{base}/</link>"
        f"<description>学校要闻</description>{entries}</channel></rss>"
    )


def list_html(site: Site) -> str:
    rows = "".join(
        f'<li><a href="info/{it.k}.htm" title="{escape(it.title)}">{escape(it.title)}</a>'
        f'<span class="date">{it.published:%Y-%m-%d}</span></li>'
        for it in site.newest()
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>学校要闻</title></head><body>'
        f'<div class="list_news"><ul>{rows}</ul></div></body></html>'
    )


def article_html(site: Site, item: Item) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item.text.split("\n"))
    name = UNIS[site.index % len(UNIS)]
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{escape(item.title)}-{name}新闻网</title></head><body>"
        '<div class="header"><a href="/">首页</a> | <a href="/list.htm">学校要闻</a></div>'
        f'<div class="main"><h1 class="arti_title">{escape(item.title)}</h1>'
        f'<p class="arti_metas"><span class="arti_update">发布时间：'
        f"{item.published:%Y年%m月%d日 %H:%M}</span> <span>来源：党委宣传部</span></p>"
        f'<div class="v_news_content">{paragraphs}</div></div>'
        f'<div class="footer">版权所有 {name}</div></body></html>'
    )


class Farm:
    def __init__(self, n: int, port: int) -> None:
        self.port = port
        self.sites = make_sites(n, datetime.now(UTC))
        self.requests = 0
        self.not_modified = 0
        self.mails = 0

    def answer(self, host: str, method: str, path: str, headers: dict[str, str]) -> Any:
        self.requests += 1
        if host == "127.0.0.1":
            return self._control(method, path)
        site = self.sites[_index(host)]
        base = f"http://{host}:{self.port}"
        if path in ("/feed.xml", "/list.htm"):
            if headers.get("if-none-match") == site.etag:
                self.not_modified += 1
                return 304, "", {"ETag": site.etag}
            if path == "/feed.xml":
                return (
                    200,
                    feed_xml(site, base),
                    {"ETag": site.etag, "Content-Type": "application/rss+xml; charset=utf-8"},
                )
            return (
                200,
                list_html(site),
                {"ETag": site.etag, "Content-Type": "text/html; charset=utf-8"},
            )
        if path.startswith("/info/") and path.endswith(".htm"):
            try:
                item = site.items[int(path[6:-4]) - 1]
            except (ValueError, IndexError):
                return 404, "not found", {}
            return 200, article_html(site, item), {"Content-Type": "text/html; charset=utf-8"}
        return 404, "not found", {}

    def _control(self, method: str, path: str) -> Any:
        if method == "POST" and path == "/_add":
            now = datetime.now(UTC)
            for site in self.sites:
                site.add(now)
            return 200, "added", {}
        if path == "/_stats":
            stats = {
                "requests": self.requests,
                "not_modified": self.not_modified,
                "mails": self.mails,
            }
            return 200, json.dumps(stats), {"Content-Type": "application/json"}
        return 404, "not found", {}


def _index(host: str) -> int:
    _, _, c, d = (int(x) for x in host.split("."))
    return (c - 1) * 250 + d - 1


async def _serve_connection(
    farm: Farm, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip().lower()] = value.strip()
            if int(headers.get("content-length", "0")):
                await reader.readexactly(int(headers["content-length"]))
            status, body, extra = farm.answer(host, method, target.split("?", 1)[0], headers)
            data = body.encode("utf-8")
            reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
            out = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(data)}"]
            out += [f"{k}: {v}" for k, v in extra.items()]
            writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + data)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(n: int, port: int, smtp_port: int) -> None:
    farm = Farm(n, port)
    servers = []
    for host in ["127.0.0.1"] + [address(i) for i in range(n)]:

        async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter, h: str = host) -> None:
            await _serve_connection(farm, h, r, w)

        servers.append(await asyncio.start_server(handle, host, port, backlog=512))
    sink = _start_smtp(farm, smtp_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"farm ready: {n} sources on port {port}, smtp {smtp_port}", flush=True)
    await stop.wait()
    sink.stop()
    for server in servers:
        server.close()


def _start_smtp(farm: Farm, port: int) -> Any:
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            farm.mails += 1
            return "250 Message accepted for delivery"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--port", type=int, default=18900)
    parser.add_argument("--smtp-port", type=int, default=18925)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.port, args.smtp_port))

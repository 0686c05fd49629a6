"""The web app's items page on a big SQLite database: 100,000 articles, a filter, a search.

    .venv/bin/python bench/web_bench.py [--articles N] [--requests N] [--db PATH]

Fills a database (kept under build/web-bench, reused when it already holds N articles),
serves the app on loopback with uvicorn and times real HTTP requests to ``/items`` for a
few queries: median and p95 over ``--requests`` each (goal: median <= 300 ms with a
filter and a search). Prints the figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, insert, select

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO / "build" / "web-bench" / "ieiwatch.db"
SEED = 20260301

SCHOOLS = [
    *("浙江大学", "深圳职业技术大学", "南京工业职业技术大学", "华中科技大学", "天津大学"),
    *("重庆电子工程职业学院", "山东理工职业学院", "四川大学", "Northlake University"),
]
FIRMS = [
    *("宁德时代", "华为技术有限公司", "比亚迪", "海尔集团", "中国中车", "科大讯飞"),
    *("京东方", "三一重工", "Contoso Robotics"),
]
DEEDS = [
    *("签署战略合作协议", "共建联合实验室", "共建产业学院", "举行实习实训基地揭牌仪式"),
    *("开展订单班联合培养", "成立产教联合体", "召开校企合作推进会"),
]
FILLER = [
    "双方将围绕人才培养、科研攻关和成果转化开展深度合作。",
    "会议部署了下一阶段重点工作。",
    "学校领导出席活动并致辞。",
    "本次合作是落实产教融合政策的重要举措。",
    "学生将在企业真实岗位上完成实习。",
    "The partners will co-supervise students.",
]
PLACES = [
    ("Zhejiang", "Hangzhou"),
    ("Guangdong", "Shenzhen"),
    ("Jiangsu", "Nanjing"),
    ("Hubei", "Wuhan"),
    ("Tianjin", None),
    ("Sichuan", "Chengdu"),
    (None, None),
]
TYPES = ["joint_lab", "industry_college", "strategic_agreement", "training_base", "alliance"]
QUERIES = {
    "newest, no filter": {},
    "filter: relevant + region 浙江": {"relevant": "1", "region": "浙江"},
    "search: 联合实验室": {"q": "联合实验室"},
    "filter + search: relevant, 广东, 华为技术": {
        "relevant": "1",
        "region": "广东",
        "q": "华为技术",
    },
    "filter + search: type joint_lab, 宁德时代": {"type": "joint_lab", "q": "宁德时代"},
    "search, rare word: 订单班 比亚迪 (2 terms)": {"q": "订单班 比亚迪"},
    "short search (LIKE): 海尔": {"q": "海尔"},
    "search, no match: 不存在的词": {"q": "不存在的词"},
    "filter: party 比亚迪 + source-3": {"party": "比亚迪", "source": "source-3"},
    "worst case, no match: party 不存在的公司": {"party": "不存在的公司"},
    "worst case, no match: region 西藏": {"region": "西藏"},
    "filter: dates 2024-03-01..2024-03-31 + relevant": {
        "since": "2024-03-01",
        "until": "2024-03-31",
        "relevant": "1",
    },
}


def fill(engine: Engine, count: int) -> None:
    """``count`` synthetic articles over 20 sources, one story each, in one transaction
    (the search triggers index them as they go in)."""
    from ieiwatch.storage.db import session_scope, table_of
    from ieiwatch.storage.models import Article, Source, Story

    rng = random.Random(SEED)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        have = session.execute(select(func.count()).select_from(Article)).scalar_one()
        if have >= count:
            return
        if have:
            raise SystemExit(f"{engine.url} holds {have} articles, not {count}: delete it first")
        sources = [
            {"name": f"source-{i}", "kind": "feed", "url": f"https://s{i}.example.cn/rss"}
            for i in range(20)
        ]
        session.execute(
            insert(table_of(Source)), [{**s, "consecutive_failures": 0} for s in sources]
        )
        stories = [
            {"id": i + 1, "title": f"story {i}", "first_seen_at": start} for i in range(count)
        ]
        session.execute(insert(table_of(Story)), stories)
        rows = [_article(rng, i, start) for i in range(count)]
        session.execute(insert(table_of(Article)), rows)


def _article(rng: random.Random, i: int, start: datetime) -> dict[str, object]:
    from ieiwatch.domain import Party, Region

    school, firm, deed = rng.choice(SCHOOLS), rng.choice(FIRMS), rng.choice(DEEDS)
    relevant = rng.random() < 0.4
    province, city = rng.choice(PLACES)
    body = "".join(rng.choice(FILLER) for _ in range(rng.randint(4, 12)))
    published = start + timedelta(minutes=7 * i + rng.randint(0, 6))
    return {
        "source_id": rng.randint(1, 20),
        "story_id": i + 1,
        "simhash": 0,
        "url": f"https://s.example.cn/{i}.html",
        "url_key": f"{i:032d}",
        "title": f"{school}与{firm}{deed}（{i}）",
        "published_at": published,
        "fetched_at": published,
        "text": f"{school}与{firm}{deed}。{body}",
        "lang": "zh",
        "content_hash": f"{i:032x}",
        "relevant": relevant,
        "score": round(rng.random(), 3),
        "type": rng.choice(TYPES) if relevant else None,
        "parties": [Party(school, "university"), Party(firm, "enterprise")],
        "region": Region(province, city) if province else None,
        "sectors": [],
        "evidence": [],
        "classifier_version": "bench",
        "corrected": False,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def measure(base: str, requests: int) -> list[tuple[str, float, float, int]]:
    """(query, median ms, p95 ms, rows shown) per query."""
    results = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, params in QUERIES.items():
            client.get("/items", params=params)  # warm the page cache once
            times = []
            for _ in range(requests):
                began = time.perf_counter()
                answer = client.get("/items", params=params)
                times.append((time.perf_counter() - began) * 1000)
                answer.raise_for_status()
            shown = answer.text.count('class="item"')
            p95 = statistics.quantiles(times, n=20)[-1]
            results.append((name, statistics.median(times), p95, shown))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    args = parser.parse_args(argv)
    if args.requests < 20:
        parser.error("--requests: at least 20, for a median and a p95 worth reading")

    sys.path.insert(0, str(REPO.parent))
    from ieiwatch.config.schema import AppConfig
    from ieiwatch.config.settings import Settings
    from ieiwatch.storage.db import init_db, make_engine
    from ieiwatch.web.app import create_app
    from ieiwatch.web.server import BackgroundWeb
    from ieiwatch.web.settings import WebSettings

    engine = make_engine(f"sqlite:///{args.db}")
    init_db(engine)
    began = time.perf_counter()
    fill(engine, args.articles)
    size = args.db.stat().st_size / 2**20
    ready = time.perf_counter() - began
    print(f"database: {args.db} ({args.articles} articles, {size:.0f} MiB; ready in {ready:.0f} s)")
    web = WebSettings(port=free_port())
    server = BackgroundWeb(create_app(Settings(), AppConfig(), args.db, engine, web), web)
    server.start()
    try:
        results = measure(f"http://127.0.0.1:{web.port}", args.requests)
    finally:
        server.stop()
        engine.dispose()
    print(f"GET /items, {args.requests} requests each (goal: median <= 300 ms):")
    print(f"  {'query':<46} {'median ms':>9} {'p95 ms':>8} {'rows':>5}")
    for name, median, p95, shown in results:
        print(f"  {name:<46} {median:>9.1f} {p95:>8.1f} {shown:>5}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Stories are the same news: near-identical text, or an equal title whose text agrees.

On SQLite always and on PostgreSQL when a server answers: grouping through the fingerprint
index, independent of arrival order, and unique when two workers store copies at once.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import Connection, Engine, func, update
from sqlmodel import select

from ieiwatch.classify import Classification, Party
from ieiwatch.config import AppConfig
from ieiwatch.domain import ArticleToStore, fingerprint
from ieiwatch.flows.ingest import to_store
from ieiwatch.notify.planning import plan_alerts
from ieiwatch.notify.subscriptions import load_subscriptions
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles, stories
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Delivery, Story
from ieiwatch.storage.sources import get_source, sync_sources
from ieiwatch.storage.subscribers import sync_subscribers
from ieiwatch.storage.types import UTCDateTime

DAY = datetime(2025, 11, 3, 2, 30, tzinfo=UTC)

# Three different events of one college, as one site publishes them.
HUAWEI = (
    "11月3日，东北林业大学信息与计算机工程学院与华为技术有限公司签署校企合作协议。双方将在"
    "鲲鹏、昇腾生态课程共建、联合实验室和学生实习就业等方面深化合作，华为每年提供实训岗位"
    "不少于五十个，学院将相关课程纳入人才培养方案。"
)
ZTE = (
    "11月5日，东北林业大学信息与计算机工程学院与中兴通讯股份有限公司共建的5G产业学院揭牌。"
    "产业学院设立通信工程和网络工程两个方向，中兴通讯派驻工程师承担实践课程，共同开发教材"
    "八部，首批招收学生一百二十名。"
)
HARBIN = (
    "11月7日，哈尔滨电气集团有限公司与东北林业大学信息与计算机工程学院实习实训基地签约暨授牌"
    "仪式举行。基地将接收学院学生开展生产实习和毕业设计，集团技术骨干担任校外导师，双方还将"
    "围绕智能制造开展横向课题研究。"
)
LAB = (
    "11月3日上午，滨江大学与恒远新能源集团有限公司共建的储能技术联合实验室揭牌仪式在滨江大学"
    "材料学院举行。根据双方签署的校企合作协议，联合实验室将围绕固态电池、储能系统安全和电池回收"
    "利用等方向开展联合攻关，集团每年投入研发经费2000万元，学校组建研究团队。"
)
MEETING = (
    "10月28日下午，滨江大学2025年秋季学期教学工作会议在行政楼召开。会议总结了上学期本科教学"
    "工作，部署了新学期课程思政、专业认证和教学质量评估等重点任务，各学院院长作了交流发言。"
)
SITE_NAME = "东北林业大学信息与计算机工程学院"


def _cls(*parties: str) -> Classification:
    return Classification(
        relevant=True,
        score=0.9,
        type="strategic_agreement",
        parties=[Party(name, "enterprise") for name in parties],
        region=None,
        sectors=[],
        evidence=[],
        lang="zh",
        version="test",
    )


def _item(
    n: int,
    title: str,
    text: str,
    *,
    day: datetime = DAY,
    parties: tuple[str, ...] = (),
    host: str = "news.example.edu.cn",
) -> ArticleToStore:
    page = ScrapedArticle(f"https://{host}/info/1002/{n}.htm", title, day, text)
    return to_store(page, _cls(*parties))


CONFIG = AppConfig.model_validate(
    {
        "sources": [
            {
                "name": "college",
                "kind": "html",
                "url": "http://127.0.0.1:1/list.htm",
                "item_selector": "li",
            },
            {"name": "university", "kind": "feed", "url": "http://127.0.0.1:1/feed.xml"},
            {"name": "bureau", "kind": "feed", "url": "http://127.0.0.1:1/bureau.xml"},
        ],
        "subscribers": [{"name": "analyst", "notify": ["json://127.0.0.1:1/hook"]}],
    }
)


def _store(engine: Engine, source: str, items: list[ArticleToStore]) -> tuple[list[Article], int]:
    """Store items as one source's run does (flows/ingest.py: the source row only read),
    planning their alerts; (stored, planned)."""
    with session_scope(engine) as s:
        if get_source(s, source) is None:
            sync_sources(s, CONFIG.sources)
            sync_subscribers(s, [c.spec() for c in CONFIG.subscribers])
        row = get_source(s, source)
        assert row is not None
        stored = articles.insert_new(s, row.id or 0, items)
        planned = plan_alerts(s, stored, source, load_subscriptions(s, CONFIG))
        return stored, planned


def _groups(engine: Engine) -> set[frozenset[str]]:
    """The stories as sets of article URLs."""
    with session_scope(engine) as s:
        rows = s.exec(select(Article.story_id, Article.url))
        by_story: dict[int, set[str]] = {}
        for story_id, url in rows:
            by_story.setdefault(story_id or 0, set()).add(url)
    return {frozenset(urls) for urls in by_story.values()}


def _count(engine: Engine, model: type[Story] | type[Delivery]) -> int:
    with session_scope(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


# --- fingerprints ------------------------------------------------------------------------


def _reference_simhash(text: str) -> int:
    weights = [0] * 64
    for shingle in fingerprint.shingles(text):
        digest = hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest()
        h = int.from_bytes(digest, "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


@pytest.mark.parametrize(
    "text", ["", "短", HUAWEI, LAB * 40, "Joint lab opens with industry partner. " * 30]
)
def test_fast_simhash_gives_the_stored_values_of_the_bit_by_bit_one(text: str) -> None:
    # Articles stored before keep their SimHash: the fast count must not change a bit.
    assert fingerprint.simhash(text) == _reference_simhash(text)


def test_every_simhash_within_the_candidate_distance_shares_a_band_key() -> None:
    rng = random.Random(16)
    for _ in range(2_000):
        a = rng.getrandbits(64)
        flipped = rng.sample(range(64), rng.randint(0, fingerprint.CANDIDATE_DISTANCE))
        b = a
        for bit in flipped:
            b ^= 1 << bit
        signed = [v - (1 << 64) if v >= 1 << 63 else v for v in (a, b)]
        keys_a = set(fingerprint.fingerprint_keys(signed[0], "", 500))
        keys_b = set(fingerprint.fingerprint_keys(signed[1], "", 500))
        assert keys_a & keys_b, (a, b)


def test_unrelated_texts_rarely_share_a_band_key() -> None:
    rng = random.Random(10)
    keys = [set(fingerprint.fingerprint_keys(rng.getrandbits(63), "", 500)) for _ in range(2_000)]
    pairs_sharing = sum(1 for a, b in itertools.combinations(keys[:400], 2) if a & b)
    # 28 keys of 16 bits: about 28 / 65,536 of all pairs.
    assert pairs_sharing < 0.002 * 400 * 399 / 2


# --- the same news, or not ---------------------------------------------------------------


def test_equal_site_name_titles_with_different_bodies_are_three_stories(engine: Engine) -> None:
    items = [
        _item(1, SITE_NAME, HUAWEI, parties=("华为技术有限公司",)),
        _item(2, SITE_NAME, ZTE, day=DAY + timedelta(days=2), parties=("中兴通讯",)),
        _item(3, SITE_NAME, HARBIN, day=DAY + timedelta(days=4), parties=("哈尔滨电气集团",)),
    ]
    stored, planned = _store(engine, "college", items)
    assert len(stored) == 3
    assert len({a.story_id for a in stored}) == 3
    assert planned == 3


def test_equal_titles_on_other_days_or_with_other_parties_are_other_stories(
    engine: Engine,
) -> None:
    title = "关于举办校企合作洽谈会的通知"
    text = (
        "各学院：为深化产教融合，学校定于本周五在图书馆报告厅举办校企合作洽谈会，请组织师生参加。"
    )
    _store(engine, "university", [_item(1, title, text, parties=("恒远集团",))])
    # A year later, the same notice again; and the same day, with another company.
    _store(engine, "university", [_item(2, title, text, day=DAY + timedelta(days=365))])
    _store(engine, "bureau", [_item(3, title, text, parties=("天成科技",), host="jyj.gov.cn")])
    assert _count(engine, Story) == 3


def test_a_repost_with_byline_and_another_title_joins_the_story(engine: Engine) -> None:
    _store(engine, "university", [_item(1, "滨江大学与恒远新能源集团共建联合实验室", LAB)])
    repost = "（来源：滨江大学新闻网）" + LAB + "（编辑：张三）"
    title = "滨江大学与恒远新能源集团共建储能技术联合实验室"
    _, planned = _store(engine, "bureau", [_item(2, title, repost, host="jyj.gov.cn")])
    assert planned == 0
    assert len(_groups(engine)) == 1
    with session_scope(engine) as s:
        story_id = s.exec(select(Article.story_id)).first() or 0
        assert [name for name, _ in stories.story_sources(s, story_id)] == [
            "university",
            "bureau",
        ]
        assert stories.story_sizes(s, [story_id]) == {story_id: 2}


def test_an_equal_title_with_a_shortened_text_joins_the_story(engine: Engine) -> None:
    title = "滨江大学与恒远新能源集团共建联合实验室"
    _store(engine, "university", [_item(1, title, LAB + MEETING)])
    _, planned = _store(engine, "bureau", [_item(2, title, LAB, host="jyj.gov.cn")])
    # And a feed entry with no text beyond its title.
    _store(engine, "college", [_item(3, title, "", host="b.example.cn")])
    assert planned == 0
    assert len(_groups(engine)) == 1


def test_different_news_under_different_titles_stays_apart(engine: Engine) -> None:
    _store(engine, "university", [_item(1, "滨江大学与恒远新能源集团共建联合实验室", LAB)])
    _store(engine, "university", [_item(2, "滨江大学召开秋季学期教学工作会议", MEETING)])
    assert _count(engine, Story) == 2


def test_copies_older_than_the_window_start_a_new_story(engine: Engine) -> None:
    _store(engine, "university", [_item(1, "滨江大学与恒远新能源集团共建联合实验室", LAB)])
    with session_scope(engine) as s:
        s.execute(update(Article).values(fetched_at=datetime.now(UTC) - timedelta(days=31)))
    _store(engine, "bureau", [_item(2, "滨江大学与恒远新能源集团共建联合实验室", LAB, host="x.cn")])
    assert _count(engine, Story) == 2


# --- order and the index -----------------------------------------------------------------


def _chain() -> list[tuple[str, ArticleToStore]]:
    """A and C are not the same news, but B is the same as each: one story, in any order."""
    title = "滨江大学与恒远新能源集团共建联合实验室"
    a = _item(1, title, LAB, host="a.example.cn")
    b = _item(2, title, LAB + MEETING, host="b.example.cn")  # A, extended
    c = _item(3, title, MEETING + "（编辑：李四）", host="c.example.cn")  # B, cut
    other = _item(4, "中兴通讯5G产业学院揭牌", ZTE, host="d.example.cn")
    return [("university", a), ("bureau", b), ("college", c), ("university", other)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_stories_do_not_depend_on_the_order_sources_finish_in(
    sqlite_url: str, order: tuple[int, ...]
) -> None:
    from ieiwatch.storage.db import init_db, make_engine

    engine = make_engine(sqlite_url)
    init_db(engine)
    chain = _chain()
    for n in order:
        source, item = chain[n]
        _store(engine, source, [item])
    urls = [item.url for _, item in chain]
    assert _groups(engine) == {frozenset(urls[:3]), frozenset(urls[3:])}
    engine.dispose()


def test_a_copy_joining_two_stories_merges_them_and_keeps_their_sources(
    engine: Engine,
) -> None:
    chain = _chain()
    for n in (0, 2, 1):  # A, C: two stories; B is both
        source, item = chain[n]
        _store(engine, source, [item])
    with session_scope(engine) as s:
        merged = s.exec(select(Story).where(Story.merged_into != None)).one()  # noqa: E711
        assert {url for _, url in stories.story_sources(s, merged.id or 0)} == {
            item.url for _, item in chain[:3]
        }


def test_one_batch_whose_last_copy_joins_two_stories_returns_them_as_one(
    engine: Engine,
) -> None:
    chain = _chain()
    a, b, c = (chain[n][1] for n in (0, 1, 2))
    stored, planned = _store(engine, "university", [a, c, b])
    assert len({article.story_id for article in stored}) == 1  # the objects, not just rows
    assert planned == 1
    assert _groups(engine) == {frozenset({a.url, b.url, c.url})}


def test_candidates_come_from_the_index_not_the_archive(engine: Engine) -> None:
    rng = random.Random(3)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    archive = [
        _item(n, f"第{n}条新闻标题很长很长", "".join(rng.choices(han, k=200))) for n in range(300)
    ]
    _store(engine, "university", archive)
    new = _item(1000, "滨江大学与恒远新能源集团共建联合实验室", LAB)
    keys = fingerprint.fingerprint_keys(fingerprint.simhash(new.text), new.title, len(new.text))
    with session_scope(engine) as s:
        found = stories._candidates(s, keys, datetime.now(UTC) - stories.WINDOW)
    assert len(found) <= 3  # of 300 recent articles
    # and a repost of an archived one is found
    with session_scope(engine) as s:
        text = archive[7].text + "（转载）"
        keys = fingerprint.fingerprint_keys(fingerprint.simhash(text), "转载", len(text))
        found = stories._candidates(s, keys, datetime.now(UTC) - stories.WINDOW)
    assert archive[7].url in _urls_of(engine, [c.id for c in found])


def test_a_key_many_articles_share_reads_only_the_latest_of_them(engine: Engine) -> None:
    """A template many pages share must not make each new page read all of them."""
    text = "".join(
        f"第{n}段：学校召开本学期教学工作会议，部署课程建设和教学质量监控任务。" for n in range(6)
    )
    shared = [_item(n, f"教学工作会议纪要第{n}期", text + f"（{n}）") for n in range(80)]
    _store(engine, "university", shared)
    new = _item(1000, "教学工作会议纪要", text)
    keys = fingerprint.fingerprint_keys(fingerprint.simhash(new.text), new.title, len(new.text))
    with session_scope(engine) as s:
        by_key = stories._candidates_by_key(s, keys, datetime.now(UTC) - stories.WINDOW)
    crowded = max(by_key.values(), key=len)
    assert len(crowded) == stories.MAX_BAND_CANDIDATES  # of 80 sharing the key
    assert crowded[-1].id == max(c.id for c in crowded)  # oldest first, the newest kept
    assert _urls_of(engine, [crowded[-1].id]) == [shared[-1].url]


def _urls_of(engine: Engine, ids: list[int]) -> list[str]:
    with session_scope(engine) as s:
        return list(s.exec(select(Article.url).where(Article.id.in_(ids))))  # type: ignore[union-attr]


# --- two workers at once -----------------------------------------------------------------


def test_two_workers_storing_the_same_stories_at_once_make_each_story_and_alert_once(
    engine: Engine,
) -> None:
    rng = random.Random(15)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    texts = ["".join(rng.choices(han, k=300)) for _ in range(20)]
    by_source = {
        source: [
            _item(n, f"第{n}项校企合作新闻的标题", text, host=host) for n, text in enumerate(texts)
        ]
        for source, host in (("university", "u.edu.cn"), ("bureau", "jyj.gov.cn"))
    }
    with session_scope(engine) as s:  # sources and subscribers known before the race
        sync_sources(s, CONFIG.sources)
        sync_subscribers(s, [c.spec() for c in CONFIG.subscribers])
    for _ in range(3):
        _race(engine, by_source)
    assert _count(engine, Story) == 20
    assert _count(engine, Delivery) == 20
    assert all(len(group) == 2 for group in _groups(engine))


def test_two_workers_storing_the_same_articles_at_once_store_each_once(engine: Engine) -> None:
    rng = random.Random(16)
    han = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    texts = ["".join(rng.choices(han, k=300)) for _ in range(20)]
    items = [_item(n, f"第{n}项校企合作新闻的标题", text) for n, text in enumerate(texts)]
    with session_scope(engine) as s:
        sync_sources(s, CONFIG.sources)
        sync_subscribers(s, [c.spec() for c in CONFIG.subscribers])
    # The same pages met through two sources: the first to store a URL has it, the
    # other finds it stored rather than failing on the unique key.
    _race(engine, {"university": items, "bureau": items})
    with session_scope(engine) as s:
        urls = list(s.exec(select(Article.url)))
    assert sorted(urls) == sorted(i.url for i in items)
    assert _count(engine, Story) == 20
    assert _count(engine, Delivery) == 20


def _race(engine: Engine, by_source: dict[str, list[ArticleToStore]]) -> None:
    """Each source's items stored by a thread of its own, both starting at once."""
    barrier = threading.Barrier(len(by_source))
    errors: list[BaseException] = []

    def worker(source: str) -> None:
        try:
            barrier.wait()
            _store(engine, source, by_source[source])
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(name,)) for name in by_source]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


# --- bind parameters ---------------------------------------------------------------------


def test_known_urls_takes_a_list_of_100k_links(engine: Engine) -> None:
    _store(engine, "university", [_item(5, "滨江大学与恒远新能源集团共建联合实验室", LAB)])
    urls = [f"https://news.example.edu.cn/info/1002/{n}.htm" for n in range(100_000)]
    with session_scope(engine) as s:
        assert articles.known_urls(s, urls) == {urls[5]}


# --- the migration -----------------------------------------------------------------------


def test_articles_stored_before_the_index_are_found_after_the_upgrade(database_url: str) -> None:
    from alembic import command

    from ieiwatch.storage.db import make_engine
    from ieiwatch.storage.migrations import alembic_config, upgrade

    old = _item(1, "滨江大学与恒远新能源集团共建联合实验室", LAB)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002")
            _insert_at_0002(conn, old)
        upgrade(engine)
        repost = _item(2, "储能联合实验室揭牌", "（来源：滨江大学新闻网）" + LAB, host="x.cn")
        _store(engine, "bureau", [repost])
        assert _groups(engine) == {frozenset({old.url, repost.url})}
        with session_scope(engine) as s:
            assert s.exec(select(func.count()).select_from(Story)).one() == 1
    finally:
        engine.dispose()


def _insert_at_0002(conn: Connection, old: ArticleToStore) -> None:
    """One source, story and article, as the schema before revision 0003 holds them."""
    now = datetime.now(UTC)
    sources = sa.table(
        "sources",
        sa.column("id"),
        sa.column("name"),
        sa.column("kind"),
        sa.column("url"),
        sa.column("consecutive_failures"),
    )
    source_id = conn.execute(
        sources.insert()
        .values(name="university", kind="feed", url="http://127.0.0.1:1/f", consecutive_failures=0)
        .returning(sources.c.id)
    ).scalar_one()
    story_table = sa.table(
        "stories", sa.column("id"), sa.column("title"), sa.column("first_seen_at", UTCDateTime())
    )
    story_id = conn.execute(
        story_table.insert().values(title=old.title, first_seen_at=now).returning(story_table.c.id)
    ).scalar_one()
    article_table = sa.table(
        "articles",
        *(
            sa.column(c)
            for c in (
                "source_id",
                "story_id",
                "simhash",
                "url",
                "url_key",
                "title",
                "text",
                "lang",
                "content_hash",
                "relevant",
                "score",
                "classifier_version",
            )
        ),
        sa.column("fetched_at", UTCDateTime()),
        sa.column("sectors", sa.JSON()),
        sa.column("evidence", sa.JSON()),
        sa.column("parties", sa.JSON()),
    )
    conn.execute(
        article_table.insert().values(
            source_id=source_id,
            story_id=story_id,
            simhash=fingerprint.simhash(old.text),
            url=old.url,
            url_key="k1",
            title=old.title,
            text=old.text,
            lang="zh",
            content_hash="c1",
            relevant=True,
            score=0.9,
            classifier_version="old",
            fetched_at=now,
            sectors=[],
            evidence=[],
            parties=[],
        )
    )

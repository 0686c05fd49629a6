"""Storage behaviour, on SQLite always and on PostgreSQL when a server answers."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine, text
from sqlmodel import select

from ieiwatch.classify import Classification, Party, Region
from ieiwatch.config.schema import SourceConfig, SubscriberConfig
from ieiwatch.flows.ingest import to_store
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage import articles, deliveries
from ieiwatch.storage.db import session_scope
from ieiwatch.storage.models import Article, Delivery, DeliveryStatus
from ieiwatch.storage.sources import record_failure, record_success, sync_sources
from ieiwatch.storage.subscribers import sync_subscribers

SOURCE = SourceConfig(name="uni-news", kind="feed", url="https://news.example.edu.cn/rss.xml")


def _cls(relevant: bool = True) -> Classification:
    return Classification(
        relevant=relevant,
        score=0.9 if relevant else 0.1,
        type="joint_lab" if relevant else None,
        parties=[Party("滨江大学", "university"), Party("恒远新能源集团", "enterprise")],
        region=Region("浙江省", "杭州市"),
        sectors=["new_energy"],
        evidence=["共建", "联合实验室"],
        lang="zh",
        version="test-1",
    )


def _article(n: int, scheme: str = "https") -> ScrapedArticle:
    return ScrapedArticle(
        url=f"{scheme}://news.example.edu.cn/info/1002/{n}.htm",
        title=f"新闻 {n}",
        published_at=datetime(2025, 11, 3, 2, 30, tzinfo=UTC),
        text=f"正文 {n}",
    )


def _source_id(engine: Engine) -> int:
    with session_scope(engine) as s:
        return sync_sources(s, [SOURCE])["uni-news"].id or 0


def test_storing_the_same_items_twice_stores_nothing_twice(engine: Engine) -> None:
    sid = _source_id(engine)
    batch = [to_store(_article(1), _cls()), to_store(_article(2), _cls(False))]
    with session_scope(engine) as s:
        first = articles.insert_new(s, sid, batch)
    with session_scope(engine) as s:
        second = articles.insert_new(s, sid, [*batch, to_store(_article(3), _cls())])
        count = len(list(s.exec(select(Article))))
    assert [a.url for a in first] == [_article(1).url, _article(2).url]
    assert [a.url for a in second] == [_article(3).url]
    assert count == 3


def test_same_page_over_http_and_https_is_one_article(engine: Engine) -> None:
    sid = _source_id(engine)
    with session_scope(engine) as s:
        articles.insert_new(s, sid, [to_store(_article(7, "https"), _cls())])
    with session_scope(engine) as s:
        assert articles.known_urls(s, [_article(7, "http").url]) == {_article(7, "http").url}
        assert articles.insert_new(s, sid, [to_store(_article(7, "http"), _cls())]) == []


def test_classification_and_times_round_trip(engine: Engine) -> None:
    sid = _source_id(engine)
    with session_scope(engine) as s:
        articles.insert_new(s, sid, [to_store(_article(1), _cls())])
    with session_scope(engine) as s:
        stored = s.exec(select(Article)).one()
    assert stored.published_at == datetime(2025, 11, 3, 10, 30, tzinfo=timezone(timedelta(hours=8)))
    assert stored.published_at.tzinfo is not None
    # The typed JSON columns give the domain's objects back.
    assert stored.parties == [
        Party("滨江大学", "university"),
        Party("恒远新能源集团", "enterprise"),
    ]
    assert stored.region == Region("浙江省", "杭州市")
    assert (stored.type, stored.classifier_version) == ("joint_lab", "test-1")


def test_the_articles_insert_returns_are_those_a_fresh_read_gives(engine: Engine) -> None:
    """insert_new builds its articles from the rows it wrote (no read back): each must be
    what reading the row gives, in the session's identity map, with its story set."""
    sid = _source_id(engine)
    eastern = datetime(2025, 11, 3, 10, 30, tzinfo=timezone(timedelta(hours=8)))
    batch = [
        to_store(ScrapedArticle(_article(1).url, "新闻 1", eastern, "正文 1"), _cls()),
        to_store(_article(2), _cls(False)),
        to_store(_article(1, "http"), _cls()),  # the same page: stored once, the first
    ]
    columns = list(Article.model_fields)
    with session_scope(engine) as s:
        made = articles.insert_new(s, sid, batch)
        assert all(s.get(Article, a.id) is a for a in made)
        returned = [{c: getattr(a, c) for c in columns} for a in made]
    with session_scope(engine) as s:
        read = [
            {c: getattr(a, c) for c in columns}
            for a in s.exec(select(Article).order_by(Article.id))
        ]
    assert returned == read
    assert [r["title"] for r in read] == ["新闻 1", "新闻 2"]
    assert all(r["story_id"] is not None for r in read)
    assert type(returned[0]["type"]) is type(read[0]["type"])
    assert returned[0]["published_at"].utcoffset() == timedelta(0)


def test_fetch_state_survives_and_failures_count_up(engine: Engine) -> None:
    _source_id(engine)
    with session_scope(engine) as s:
        row = sync_sources(s, [SOURCE])["uni-news"]
        record_success(s, row, '"abc"', "Mon, 03 Nov 2025 02:30:00 GMT")
    for _ in range(2):
        with session_scope(engine) as s:
            record_failure(s, sync_sources(s, [SOURCE])["uni-news"], "HTTP 503")
    with session_scope(engine) as s:
        row = sync_sources(s, [SOURCE])["uni-news"]
    assert (row.etag, row.consecutive_failures, row.last_error) == ('"abc"', 2, "HTTP 503")


def test_a_planned_delivery_is_planned_once(engine: Engine) -> None:
    sid = _source_id(engine)
    with session_scope(engine) as s:
        sub = sync_subscribers(s, [SubscriberConfig(name="a", notify=["json://h/x"]).spec()])["a"]
        art = articles.insert_new(s, sid, [to_store(_article(1), _cls())])[0]
        plan = [
            deliveries.PlannedDelivery(
                sub.id or 0, art.story_id or 0, art.id or 0, "instant", "k1", "json://h/x"
            )
        ]
        assert deliveries.plan(s, plan) == 1
    with session_scope(engine) as s:
        assert deliveries.plan(s, plan) == 0
        assert len(deliveries.due(s, kind="instant")) == 1


def _one_planned_delivery(engine: Engine) -> int:
    sid = _source_id(engine)
    with session_scope(engine) as s:
        sub = sync_subscribers(s, [SubscriberConfig(name="a", notify=["json://h/x"]).spec()])["a"]
        art = articles.insert_new(s, sid, [to_store(_article(1), _cls())])[0]
        deliveries.plan(
            s,
            [
                deliveries.PlannedDelivery(
                    sub.id or 0, art.story_id or 0, art.id or 0, "instant", "k", "c"
                )
            ],
        )
        return s.exec(select(Delivery)).one().id or 0


def test_failed_delivery_backs_off_then_is_given_up(engine: Engine) -> None:
    _one_planned_delivery(engine)
    with session_scope(engine) as s:
        row = s.exec(select(Delivery)).one()
        deliveries.mark_failed(s, row, "HTTP 500")
    with session_scope(engine) as s:
        assert deliveries.due(s, kind="instant") == []  # not before its next try
        later = datetime.now(UTC) + timedelta(minutes=2)
        assert len(deliveries.due(s, kind="instant", now=later)) == 1
        row = s.exec(select(Delivery)).one()
        for _ in range(deliveries.MAX_ATTEMPTS):
            deliveries.mark_failed(s, row, "HTTP 500")
    with session_scope(engine) as s:
        row = s.exec(select(Delivery)).one()
        assert row.status == DeliveryStatus.DEAD
        assert deliveries.due(s, kind="instant", now=datetime.now(UTC) + timedelta(days=30)) == []


def test_only_one_sender_can_claim_a_delivery(engine: Engine) -> None:
    row_id = _one_planned_delivery(engine)
    with session_scope(engine) as s:
        assert deliveries.claim(s, row_id)
    with session_scope(engine) as s:
        assert not deliveries.claim(s, row_id)  # taken; due again only once the claim is stale
        assert deliveries.claim(s, row_id, now=datetime.now(UTC) + deliveries.STALE_CLAIM * 2)


def test_sqlite_runs_in_wal_mode(sqlite_url: str) -> None:
    from ieiwatch.storage.db import init_db, make_engine

    engine = make_engine(sqlite_url)
    init_db(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_sqlite_commits_leave_checkpoints_to_a_64_mib_log(sqlite_url: str) -> None:
    """Ten stored articles write about 350 pages to the log: at SQLite's own 1,000 pages,
    every third commit would stop to copy them into the file."""
    from ieiwatch.storage.db import init_db, make_engine

    engine = make_engine(sqlite_url)
    init_db(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 16_384
        assert conn.execute(text("PRAGMA journal_size_limit")).scalar() == 64 * 1024 * 1024
    engine.dispose()

"""What storing costs, alone: ``make bench-store``, or ``python bench/store_bench.py
[--archive 20000] [--new 4000] [--part 1 --part 5 --part 10]``.

The bench farm's articles (bench/farm.py: Chinese cooperation signings and campus news,
written from templates, so many share story keys) are stored into a fresh SQLite database
that already holds ``--archive`` of them, ``--new`` more in transactions of ``--part``
articles a source, one thread, as a pass's parts are (with their stories, no alerts). A
part of 1 is how a pass with one new item per source stores; 5 is a first pass's part.
Prints wall and CPU seconds and milliseconds an article for each part size, each into its
own copy of the archive.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/farm.py

from farm import ITEMS_ON_PAGE, make_sites

from ieiwatch.classify.batch import classify_batch
from ieiwatch.config.schema import SourceConfig
from ieiwatch.domain import ArticleToStore
from ieiwatch.flows.ingest import to_store
from ieiwatch.scrapers.models import ScrapedArticle
from ieiwatch.storage.articles import insert_new
from ieiwatch.storage.db import init_db, make_engine, session_scope
from ieiwatch.storage.sources import get_source, sync_sources

Batch = list[tuple[str, list[ArticleToStore]]]


def farm_articles(sources: int) -> Batch:
    """Each farm source's 20 articles, classified and fingerprinted as a worker does."""
    sites = make_sites(sources, datetime.now(UTC))
    scraped = [
        ScrapedArticle(
            f"http://127.0.{1 + s.index // 250}.{1 + s.index % 250}/info/{i.k}.htm",
            i.title,
            i.published,
            i.text,
        )
        for s in sites
        for i in s.items
    ]
    done = classify_batch([(a.title, a.text) for a in scraped], None)
    stored = [to_store(a, *d) for a, d in zip(scraped, done, strict=True)]
    return [
        (f"s{n:05d}", stored[n * ITEMS_ON_PAGE : (n + 1) * ITEMS_ON_PAGE]) for n in range(sources)
    ]


def _source(name: str) -> SourceConfig:
    return SourceConfig(name=name, kind="feed", url=f"http://{name}.test/feed.xml")


def store(url: str, batch: Batch, part: int) -> tuple[int, int]:
    """Store each source's articles in transactions of ``part``; (transactions, stored)."""
    engine = make_engine(url)
    transactions = stored = 0
    try:
        for name, articles in batch:
            for n in range(0, len(articles), part):
                with session_scope(engine) as session:
                    row = get_source(session, name)
                    assert row is not None and row.id is not None
                    stored += len(insert_new(session, row.id, articles[n : n + part]))
                transactions += 1
    finally:
        engine.dispose()
    return transactions, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=int, default=20_000)
    parser.add_argument("--new", type=int, default=4_000)
    parser.add_argument("--part", type=int, action="append")
    args = parser.parse_args()
    parts = args.part or [1, 5, 10]
    archive_sources, new_sources = args.archive // ITEMS_ON_PAGE, args.new // ITEMS_ON_PAGE
    print(f"classifying {args.archive + args.new} farm articles …", flush=True)
    everything = farm_articles(archive_sources + new_sources)
    archive, new = everything[:archive_sources], everything[archive_sources:]
    with tempfile.TemporaryDirectory(prefix="ieiwatch-store-") as tmp:
        base = Path(tmp) / "archive.db"
        engine = make_engine(f"sqlite:///{base}")
        init_db(engine)
        with session_scope(engine) as session:
            sync_sources(session, [_source(name) for name, _ in everything])
        engine.dispose()
        store(f"sqlite:///{base}", archive, 50)
        print(f"archive: {args.archive} articles stored", flush=True)
        for part in parts:
            copy = Path(tmp) / f"part{part}.db"
            shutil.copy(base, copy)
            wall, cpu = time.perf_counter(), time.process_time()
            transactions, stored = store(f"sqlite:///{copy}", new, part)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(
                f"parts of {part:>3}: {transactions} transactions, {stored} articles, "
                f"{wall:.2f} s wall, {cpu:.2f} s CPU, {1000 * wall / max(stored, 1):.2f} ms an "
                "article",
                flush=True,
            )


if __name__ == "__main__":
    main()

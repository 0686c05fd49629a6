"""Classification off the event loop: a source's articles are classified in worker
processes, with the same results as here; one or two are classified in place."""

import asyncio

import pytest

from ieiwatch.classify import classify
from ieiwatch.domain.fingerprint import Fingerprint
from ieiwatch.flows import page_pool


def _pairs() -> list[tuple[str, str]]:
    return [
        (
            "滨江大学与恒远新能源集团共建储能技术联合实验室揭牌",
            "11月3日上午，滨江大学与恒远新能源集团有限公司共建的储能技术联合实验室揭牌仪式举行。",
        ),
        ("滨江大学举行2025年秋季田径运动会", "全校师生参加了开幕式，运动会设比赛项目30余项。"),
        (
            "Lakeside University and Orion Robotics open a joint laboratory",
            "Lakeside University and Orion Robotics Inc. signed an agreement to build a joint "
            "robotics laboratory and to train students together.",
        ),
    ] * 3


def test_worker_processes_classify_as_this_process_does() -> None:
    pairs = _pairs()
    found = asyncio.run(page_pool.classify_all(pairs))
    assert [d.classification for d in found] == [classify(title, text) for title, text in pairs]
    assert [d.fingerprint for d in found] == [Fingerprint.of(text) for _, text in pairs]
    assert page_pool._pool is not None  # the pool was used, and is kept for the next source


def test_one_or_two_items_are_classified_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(page_pool, "_pool", None)
    found = asyncio.run(page_pool.classify_all(_pairs()[:2]))
    assert len(found) == 2 and page_pool._pool is None

"""Which flow parameters are recorded as they are: JSON values as Python holds them."""

from __future__ import annotations

import datetime
import sys
from enum import StrEnum
from pathlib import Path

import pytest

from ieiwatch.flows.plain_flow import is_plain_json


class NotifyMode(StrEnum):
    DIGEST = "digest"


@pytest.mark.parametrize(
    "value",
    ["a path", 3, 2.5, True, None, [], ["a", 1, None], {"k": [1, {"n": "v"}]}],
)
def test_json_values_are_plain(value: object) -> None:
    assert is_plain_json(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime.date(2026, 1, 2),
        Path("/c.yaml"),
        ("a", "b"),  # a tuple is recorded as a list: Prefect's encoder converts it
        {1: "a"},  # JSON keys are strings
        ["a", datetime.date(2026, 1, 2)],
        {"k": {"since": datetime.date(2026, 1, 2)}},
        NotifyMode.DIGEST,  # a str, but Prefect's encoder records its value
    ],
)
def test_other_values_are_left_to_prefect(value: object) -> None:
    assert not is_plain_json(value)


def test_a_value_nested_past_the_recursion_limit_is_left_to_prefect() -> None:
    from ieiwatch.flows.monitor import monitor

    deep: list[object] = []
    for _ in range(sys.getrecursionlimit() + 10):
        deep = [deep]
    # Prefect's own encoder records what it cannot encode as a placeholder.
    assert monitor.serialize_parameters({"sources": deep}) == {"sources": "<list>"}

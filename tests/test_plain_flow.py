"""Which flow parameters are recorded as they are: JSON values as Python holds them."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from ieiwatch.flows.plain_flow import is_plain_json


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
    ],
)
def test_other_values_are_left_to_prefect(value: object) -> None:
    assert not is_plain_json(value)

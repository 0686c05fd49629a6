"""``plain_flow``: Prefect's ``@flow`` for flows whose parameters are plain JSON values.

Prefect records a flow run's parameters after passing each through FastAPI's
``jsonable_encoder``, and imports FastAPI for it on the first flow call of a process: 0.1 to
0.17 s of every one-shot ``ieiwatch run`` (README.md, "One-shot start"). Our flows take
paths, names and numbers, which are JSON already and which that encoder returns unchanged;
any other value still goes through Prefect's own serialisation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from prefect.flows import Flow

P = ParamSpec("P")
R = TypeVar("R")

# Exact types: a subclass (a StrEnum member, say) is for Prefect's encoder to convert.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def is_plain_json(value: object) -> bool:
    """Whether ``value`` is a JSON value as Python holds it: a str, number, bool or None,
    or a list of them or a dict from str to them, at any depth."""
    if type(value) in _SCALARS:
        return True
    if type(value) is list:
        return all(is_plain_json(v) for v in value)
    if type(value) is dict:
        return all(type(k) is str and is_plain_json(v) for k, v in value.items())
    return False


class PlainParameterFlow(Flow[P, R]):
    """A Flow that records plain JSON parameters as they are."""

    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        try:
            plain = all(is_plain_json(v) for v in parameters.values())
        except RecursionError:  # nested past Python's limit: Prefect's encoder copes
            plain = False
        return dict(parameters) if plain else super().serialize_parameters(parameters)


def plain_flow(*, name: str) -> Callable[[Callable[P, R]], Flow[P, R]]:
    """``@flow(name=...)``, made a :class:`PlainParameterFlow`."""

    def decorate(fn: Callable[P, R]) -> Flow[P, R]:
        return PlainParameterFlow(fn=fn, name=name)

    return decorate

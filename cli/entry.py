"""The ``ieiwatch`` console script: the command line, imported with the collector paused.

Starting a command imports ieiwatch, SQLAlchemy, pydantic and (for the flows) Prefect:
hundreds of thousands of objects that live as long as the process. Python's cyclic garbage
collector runs every 700 allocations, and its older generations, swept again and again as
they fill, hold these objects and free almost nothing. Paused while they are imported, a
one-shot ``ieiwatch run`` starts 0.3 to 0.6 s sooner (README.md, "One-shot start").
Afterwards they are frozen, so later collections, during the pass, skip them too. The
CLI's modules import from here, not the other way round: this module must stay light.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The block (imports) runs without cyclic collections; what it created is then
    frozen (left out of every later collection) and the collector resumes as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def main() -> None:
    with collector_paused():
        from ieiwatch.cli.main import main as command_line
    command_line()

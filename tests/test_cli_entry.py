"""The console script imports the command line with the cyclic collector paused, and what
those imports created is then left out of every later collection (cli/entry.py)."""

from __future__ import annotations

import gc
from importlib.metadata import entry_points

from ieiwatch.cli.entry import collector_paused


def test_the_console_script_starts_at_the_light_entry_module() -> None:
    (script,) = entry_points(group="console_scripts", name="ieiwatch")
    assert script.value == "ieiwatch.cli.entry:main"


def test_what_is_imported_with_the_collector_paused_is_frozen_and_collection_resumes() -> None:
    assert gc.isenabled()
    frozen_before = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        made = [[n] for n in range(1_000)]  # lists are tracked by the collector
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen_before + len(made)


def test_a_collector_paused_before_stays_paused() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

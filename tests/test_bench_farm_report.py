"""The farm comparison's report (bench/farm_compare.py): the one-shot overhead is printed
both as the difference of the medians and as the difference of each tool's time outside
its flow runs, which leaves out the pass's own run-to-run variation."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _farm_compare() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # the script imports the farm beside it
    try:
        spec = importlib.util.spec_from_file_location("farm_compare", BENCH / "farm_compare.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        # dataclasses look their module up by name while the class is made
        sys.modules["farm_compare"] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_overhead_outside_the_flow_runs_leaves_out_the_pass() -> None:
    fc = _farm_compare()
    results = fc.Results()
    # The one-shot's pass happened to be 1 s slower; its start costs 2 s more than warm's.
    for phase in fc.PHASES:
        results.add(200, "warm", phase, fc.Measure(10.0, 1.0, 100.0, in_flows=9.5))
        results.add(200, "ieiwatch", phase, fc.Measure(13.5, 1.0, 100.0, in_flows=11.0))
    report = fc.report(results, [200], ["warm", "ieiwatch"])
    assert "N=200: first +3.50 s, new items +3.50 s, nothing new +3.50 s" in report
    assert "first +2.00 s (2.50 - 0.50)" in report


def test_no_outside_figure_without_the_servers_record() -> None:
    fc = _farm_compare()
    results = fc.Results()
    for tool in ("warm", "ieiwatch"):
        results.add(200, tool, "first", fc.Measure(10.0, 1.0, 100.0))
    report = fc.report(results, [200], ["warm", "ieiwatch"])
    assert "first +0.00 s" in report
    assert "(" not in report.split("outside the flow runs")[1].split("\n", 1)[1]

"""List discovery measured on real list pages saved from public repositories
(tests/data/listpages, manifest.yaml: origin, licence and the items read off each page).

Reports item precision/recall/F1, date accuracy and next-page finding, and asserts a floor
(goal: item F1 >= 0.95). ``bench/discover_eval.py`` prints the same figures per page.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO / "tests" / "data" / "listpages"
GUARD = REPO.parent / "shared" / "tools" / "heldout_guard.py"

F1_FLOOR = 0.95
DATE_FLOOR = 0.95


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


evaluation = _load("discover_eval", REPO / "bench" / "discover_eval.py")
MANIFEST = evaluation.load_manifest(PAGES)


def test_discovery_finds_the_items_and_dates_real_list_pages_show(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = evaluation.evaluate(PAGES)
    with capsys.disabled():
        print(
            f"\nlist discovery on {len(report.pages)} real pages: item precision "
            f"{report.precision:.3f}, recall {report.recall:.3f}, F1 {report.f1:.3f}, date "
            f"accuracy {report.date_accuracy:.3f}, next page {report.next_accuracy:.3f}"
        )
    problems = [f"{p.file}: {q}" for p in report.pages for q in p.problems]
    assert report.f1 >= F1_FLOOR, problems
    assert report.date_accuracy >= DATE_FLOOR, problems
    assert report.next_accuracy == 1.0, problems


@pytest.mark.parametrize("page", MANIFEST, ids=[p["file"] for p in MANIFEST])
def test_each_saved_page_is_its_origin_blob_with_provenance(page: dict[str, object]) -> None:
    content = (PAGES / str(page["file"])).read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
    assert blob == page["blob"], "not the bytes of the origin blob"
    origin = page["origin"]
    assert isinstance(origin, dict) and {"repo", "path", "commit"} <= set(origin)
    assert len(str(origin["commit"])) == 40 and page["licence"] and page["items"]


@pytest.mark.skipif(not GUARD.is_file(), reason="shared/tools/heldout_guard.py not found")
def test_no_saved_page_comes_from_a_held_out_site() -> None:
    guard = _load("heldout_guard", GUARD)
    hosts, urls = guard._load()
    held = [p["url"] for p in MANIFEST if guard.held_out(p["url"], hosts, urls)]
    held += [
        i["url"] for p in MANIFEST for i in p["items"] if guard.held_out(i["url"], hosts, urls)
    ]
    assert held == []

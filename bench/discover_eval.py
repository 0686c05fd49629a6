"""List discovery on the saved real list pages: item precision, recall and F1, date
accuracy and next-page finding, per page and over all of them.

    .venv/bin/python bench/discover_eval.py [--pages DIR]

Items are matched by canonical URL; a matched item's date is right when it is the date the
page writes (items the page shows undated are not counted). tests/test_discover_corpus.py
asserts a floor on the same figures (goal: item F1 >= 0.95).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ieiwatch.domain import BEIJING
from ieiwatch.scrapers.discover import Discovery, discover_page
from ieiwatch.scrapers.encoding import decode_html
from ieiwatch.scrapers.urls import canonicalize

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = REPO / "tests" / "data" / "listpages"


@dataclass
class PageScore:
    file: str
    cms: str
    site: str
    found: int = 0
    expected: int = 0
    matched: int = 0
    dated: int = 0
    """Matched items the page dates."""
    dates_right: int = 0
    titles_right: int = 0
    next_right: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0


@dataclass
class Report:
    pages: list[PageScore]

    def _sum(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.pages)

    @property
    def precision(self) -> float:
        return self._sum("matched") / max(self._sum("found"), 1)

    @property
    def recall(self) -> float:
        return self._sum("matched") / max(self._sum("expected"), 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def date_accuracy(self) -> float:
        return self._sum("dates_right") / max(self._sum("dated"), 1)

    @property
    def title_accuracy(self) -> float:
        return self._sum("titles_right") / max(self._sum("matched"), 1)

    @property
    def next_accuracy(self) -> float:
        return sum(p.next_right for p in self.pages) / max(len(self.pages), 1)


def load_manifest(pages_dir: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load((pages_dir / "manifest.yaml").read_text(encoding="utf-8"))
    pages: list[dict[str, Any]] = data["pages"]
    return pages


def discover_saved(pages_dir: Path, page: dict[str, Any]) -> Discovery:
    content = (pages_dir / page["file"]).read_bytes()
    return discover_page(decode_html(content, None).text, page["url"])


def score_page(page: dict[str, Any], found: Discovery) -> PageScore:
    score = PageScore(page["file"], page["cms"], page["site"])
    expected = {canonicalize(i["url"]): i for i in page["items"]}
    score.found, score.expected = len(found.items), len(expected)
    for item in found.items:
        want = expected.get(canonicalize(item.url))
        if want is None:
            score.problems.append(f"not an item: {item.url}")
            continue
        score.matched += 1
        score.titles_right += item.title == want["title"]
        if want["date"] is not None:
            score.dated += 1
            day = (
                item.published_at.astimezone(BEIJING).date().isoformat()
                if item.published_at
                else None
            )
            score.dates_right += day == want["date"]
            if day != want["date"]:
                score.problems.append(f"date {day} for {want['date']}: {item.url}")
    missed = set(expected) - {canonicalize(i.url) for i in found.items}
    score.problems += [f"missed: {url}" for url in sorted(missed)]
    next_url = found.next_page.url if found.next_page else None
    if page.get("next_page_blocked"):
        score.next_right = found.next_page is not None and next_url is None
    else:
        score.next_right = next_url == page.get("next_page")
    if not score.next_right:
        score.problems.append(f"next page {next_url} for {page.get('next_page')}")
    return score


def evaluate(pages_dir: Path = DEFAULT_PAGES) -> Report:
    return Report([score_page(p, discover_saved(pages_dir, p)) for p in load_manifest(pages_dir)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    args = parser.parse_args(argv)
    report = evaluate(args.pages)
    print(f"{'page':<42} {'cms':<8} {'P':>5} {'R':>5} {'dates':>7} next")
    for p in report.pages:
        dates = f"{p.dates_right}/{p.dated}"
        print(
            f"{p.file:<42} {p.cms:<8} {p.precision:>5.2f} {p.recall:>5.2f} {dates:>7} "
            f"{'ok' if p.next_right else 'WRONG'}"
        )
        for problem in p.problems[:5]:
            print(f"    ! {problem}")
    sites = len({p.site for p in report.pages})
    families = len({p.cms for p in report.pages})
    print(
        f"\n{len(report.pages)} pages ({sites} sites, {families} CMS families): item "
        f"precision {report.precision:.3f}, "
        f"recall {report.recall:.3f}, F1 {report.f1:.3f}; date accuracy "
        f"{report.date_accuracy:.3f}; titles {report.title_accuracy:.3f}; next page "
        f"{report.next_accuracy:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

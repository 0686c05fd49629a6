"""`ieiwatch classify` and `ieiwatch eval`: the classifier from the command line.

cli/main.py calls `register(app)` to add both commands to the main Typer app. Every
``ieiwatch`` command registers them, so the classifier's rules (which the package imports on
first use of ``classify``), its evaluation and the page reader are not imported here: a
one-shot ``ieiwatch run`` leaves classifying to the page pool's workers and would pay for
them at every start.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from ieiwatch import classify as classifier
from ieiwatch.classify import Classification
from ieiwatch.cli.common import ConfigOption, echo, load_or_exit
from ieiwatch.config import Settings
from ieiwatch.flows.runtime import read_store
from ieiwatch.scrapers.errors import ScrapeError
from ieiwatch.storage.marks import export_marks


def register(app: typer.Typer) -> None:
    """Add the `classify` and `eval` commands to `app`."""
    app.command("classify")(classify_command)
    app.command("eval")(eval_command)


# ------------------------------------------------------------- classify ----


class RowError(ValueError):
    """A JSONL row that cannot be classified."""


def classify_command(
    input: Annotated[
        Path | None,
        typer.Option("--input", "-i", help="JSONL with id, title, text (url, lang optional)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="JSONL written one row per input row; '-' = stdout."),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="Classify this text.")] = None,
    title: Annotated[str, typer.Option("--title", help="Headline for --text.")] = "",
    url: Annotated[
        str | None, typer.Option("--url", help="Fetch this page and classify it.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh or en; detected when omitted.")
    ] = None,
) -> None:
    """Classify news items: a JSONL file, one text, or one web page."""
    chosen = [
        name
        for name, value in (("--input", input), ("--text", text), ("--url", url))
        if value is not None
    ]
    if len(chosen) != 1:
        raise typer.BadParameter("give exactly one of --input, --text or --url")
    if lang not in (None, "zh", "en"):
        raise typer.BadParameter("--lang must be zh or en")
    if input is not None:
        if output is None:
            raise typer.BadParameter("--input needs --output (use '-' for stdout)")
        bad = _classify_file(input, output)
        raise typer.Exit(1 if bad else 0)
    publisher = None
    if url is not None:
        from ieiwatch.flows.checking import read_page

        try:
            title, text, publisher = asyncio.run(read_page(Settings(), url))
        except ScrapeError as exc:
            typer.echo(f"error: cannot fetch {exc}", err=True)
            raise typer.Exit(1) from None
    echo(format_result(classifier.classify(title, text or "", lang, publisher), title=title))


def _classify_file(src: Path, dst: Path) -> int:
    """Stream `src` to `dst`; return the number of bad rows (each reported)."""
    bad = done = 0
    out = sys.stdout if str(dst) == "-" else dst.open("w", encoding="utf-8")
    try:
        with src.open("rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    row = _parse_row(raw)
                except RowError as exc:
                    bad += 1
                    typer.echo(f"error: {src}:{lineno}: {exc}; row skipped", err=True)
                    continue
                _write_row(out, row)
                done += 1
    finally:
        if out is not sys.stdout:
            out.close()
    typer.echo(f"classified {done} rows, {bad} bad rows", err=True)
    return bad


def _parse_row(raw: bytes) -> dict[str, Any]:
    try:
        row = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RowError(f"not UTF-8 ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise RowError(f"invalid JSON ({exc.msg} at column {exc.colno})") from exc
    if not isinstance(row, dict):
        raise RowError("a row must be a JSON object")
    missing = [f for f in ("id", "title", "text") if f not in row]
    if missing:
        raise RowError(f"missing field {', '.join(repr(f) for f in missing)}")
    for f in ("title", "text"):
        if not isinstance(row[f], str):
            raise RowError(f"field {f!r} must be a string")
    if row.get("lang") not in (None, "zh", "en"):
        raise RowError('field \'lang\' must be "zh" or "en"')
    return row


def _write_row(out: TextIO, row: dict[str, Any]) -> None:
    publisher = row.get("publisher") if isinstance(row.get("publisher"), str) else None
    result = classifier.classify(row["title"], row["text"], row.get("lang"), publisher).to_dict()
    out.write(json.dumps({"id": row["id"], **result}, ensure_ascii=False) + "\n")


def format_result(c: Classification, title: str = "") -> str:
    """A classification as readable text, evidence included."""
    verdict = "RELEVANT" if c.relevant else "not relevant"
    lines = []
    if title:
        lines.append(f"title:    {title}")
    also = f" (also: {', '.join(c.secondary_types)})" if c.secondary_types else ""
    lines.append(f"result:   {verdict} (score {c.score:.2f})  type: {c.type or '-'}{also}")
    lines.append(f"lang:     {c.lang}   classifier: {c.version}")
    parties = "; ".join(f"{p.name} ({p.kind})" for p in c.parties) or "-"
    lines.append(f"parties:  {parties}")
    if c.mentioned:
        lines.append("mentioned: " + "; ".join(f"{p.name} ({p.kind})" for p in c.mentioned))
    region = "-"
    if c.region:
        region = " / ".join(x for x in (c.region.country, c.region.province, c.region.city) if x)
    lines.append(f"region:   {region}")
    lines.append(f"sectors:  {', '.join(c.sectors) or '-'}")
    lines.append("evidence:")
    lines += [f"  {e}" for e in c.evidence] or ["  -"]
    return "\n".join(lines)


# ----------------------------------------------------------------- eval ----


def eval_command(
    labeled: Annotated[
        list[Path] | None,
        typer.Option(
            "--labeled",
            help="Labelled JSONL (id, title, text, lang, relevant, type, parties[, region]); "
            "repeat for several sets (dev, tuning, never-tuned), each reported apart.",
        ),
    ] = None,
    marks: Annotated[
        bool, typer.Option("--marks", help="Score the classifier on the analysts' marks.")
    ] = False,
    summary: Annotated[
        bool,
        typer.Option(
            "--summary", help="Figures only, no misclassified items (for the never-tuned split)."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    config: ConfigOption = None,
) -> None:
    """Precision, recall and F1 of relevance per language, type accuracy and
    confusion, party recall and precision, region accuracy, and the misclassified
    items with their evidence."""
    sets: list[tuple[str, list[dict[str, Any]]]] = []
    for path in labeled or []:
        if not path.is_file():
            typer.echo(f"error: {path} not found", err=True)
            raise typer.Exit(2)
        sets.append((str(path), list(_labelled_rows(path))))
    if marks:
        sets.append(("marks", _marked_rows(config)))
    if not sets:
        raise typer.BadParameter("give --labeled PATH (repeatable) and/or --marks")
    from ieiwatch.classify.evaluate import evaluate, format_report

    results = {name: evaluate(rows) for name, rows in sets}
    if as_json:
        out: Any = (
            next(iter(results.values())).to_dict()
            if len(results) == 1
            else {name: m.to_dict() for name, m in results.items()}
        )
        if summary:
            for m in [out] if len(results) == 1 else out.values():
                m.pop("errors", None)
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for i, (name, m) in enumerate(results.items()):
        if len(results) > 1:
            typer.echo(("\n" if i else "") + f"== {name}")
        typer.echo(format_report(m, errors=not summary))


def _marked_rows(config: Path | None) -> list[dict[str, Any]]:
    """The analysts' marks as labelled rows (storage.marks.export_marks)."""
    settings, _ = load_or_exit(config)
    with read_store(settings) as session:
        rows = export_marks(session) if session else []
    if not rows:
        typer.echo("no marks stored yet: mark items with `ieiwatch items mark`", err=True)
    return rows


def _labelled_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                typer.echo(
                    f"error: {path}:{lineno}: invalid JSON ({exc.msg}); row skipped", err=True
                )
                continue
            if isinstance(row, dict):
                yield row

"""`ieiwatch classify` and `ieiwatch eval`: the classifier from the command line.

cli/main.py calls `register(app)` to add both commands to the main Typer app.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from ieiwatch.classify import Classification, classify
from ieiwatch.classify.evaluate import evaluate, format_report
from ieiwatch.config import Settings
from ieiwatch.flows.checking import read_page
from ieiwatch.scrapers.errors import ScrapeError


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
    if url is not None:
        try:
            title, text = asyncio.run(read_page(Settings(), url))
        except ScrapeError as exc:
            typer.echo(f"error: cannot fetch {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(format_result(classify(title, text or "", lang), title=title))


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
    result = classify(row["title"], row["text"], row.get("lang")).to_dict()
    out.write(json.dumps({"id": row["id"], **result}, ensure_ascii=False) + "\n")


def format_result(c: Classification, title: str = "") -> str:
    """A classification as readable text, evidence included."""
    verdict = "RELEVANT" if c.relevant else "not relevant"
    lines = []
    if title:
        lines.append(f"title:    {title}")
    lines.append(f"result:   {verdict} (score {c.score:.2f})  type: {c.type or '-'}")
    lines.append(f"lang:     {c.lang}   classifier: {c.version}")
    parties = "; ".join(f"{p.name} ({p.kind})" for p in c.parties) or "-"
    lines.append(f"parties:  {parties}")
    region = "-"
    if c.region:
        region = " / ".join(x for x in (c.region.province, c.region.city) if x)
    lines.append(f"region:   {region}")
    lines.append(f"sectors:  {', '.join(c.sectors) or '-'}")
    lines.append("evidence:")
    lines += [f"  {e}" for e in c.evidence] or ["  -"]
    return "\n".join(lines)


# ----------------------------------------------------------------- eval ----


def eval_command(
    labeled: Annotated[
        Path,
        typer.Option(
            "--labeled", help="Labelled JSONL (id, title, text, lang, relevant, type, parties)."
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Precision, recall and F1 of relevance per language, type accuracy and
    confusion, party recall, and the misclassified items with their evidence."""
    if not labeled.is_file():
        typer.echo(f"error: {labeled} not found", err=True)
        raise typer.Exit(2)
    metrics = evaluate(_labelled_rows(labeled))
    if as_json:
        typer.echo(json.dumps(metrics.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_report(metrics))


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

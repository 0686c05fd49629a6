"""Adding and removing sources in the YAML config file as text, so its comments, order and
layout survive (a YAML round trip would drop every comment).

A new source is appended as a block at the end of the ``sources:`` list; a removed one loses
its own lines only. Either way the edited text is loaded and validated before it replaces
the file, so a bad edit never reaches the disk.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ieiwatch.config.loader import ConfigError, load_config
from ieiwatch.domain import IeiwatchError

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_SOURCES_KEY = re.compile(r"^sources\s*:\s*(?P<rest>[^#]*?)\s*(?:#.*)?$")
_ITEM = re.compile(r"^(?P<indent>\s*)-(?:\s|$)")


class SourcesFileError(IeiwatchError, ValueError):
    """The config file cannot be edited as asked (no such source, or the result would not
    load); the file is left as it was."""


def append_sources(path: Path, entries: Sequence[dict[str, Any]]) -> None:
    """Append the entries to the file's ``sources:`` list, keeping everything else."""
    if not entries:
        return
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    _replace_checked(path, _with_appended(text, entries))


def remove_source(path: Path, name: str) -> None:
    """Remove the source named ``name`` (its own lines) from the file."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    section = _sources_section(lines)
    if section is None:
        raise SourcesFileError(f"{path}: has no sources list")
    for start, end in _items(lines, *section):
        if _item_name(lines[start:end]) == name:
            while end > start + 1 and _blank_or_comment(lines[end - 1]):
                end -= 1  # comments after an item introduce the next one
            _replace_checked(path, "".join(lines[:start] + lines[end:]))
            return
    raise SourcesFileError(f"{path}: no source named {name!r}")


def _with_appended(text: str, entries: Sequence[dict[str, Any]]) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    section = _sources_section(lines)
    if section is None:
        return "".join(lines) + "sources:\n" + _block(entries, "  ")
    start, end = section
    rest = _SOURCES_KEY.match(lines[start].rstrip("\n"))
    if rest is not None and rest.group("rest") in ("[]", "~", "null"):
        # An empty list becomes a block list; a comment on the line stays.
        lines[start] = lines[start].replace(rest.group("rest"), "", 1)
    first = next((_ITEM.match(lines[i]) for i, _ in _items(lines, start, end)), None)
    indent = first.group("indent") if first else "  "
    last = end
    while last > start + 1 and _blank_or_comment(lines[last - 1]):
        last -= 1
    return "".join(lines[:last]) + _block(entries, indent) + "".join(lines[last:])


def _block(entries: Sequence[dict[str, Any]], indent: str) -> str:
    dumped = yaml.safe_dump(
        list(entries), allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )
    return "".join(f"{indent}{line}" if line.strip() else line for line in dumped.splitlines(True))


def _sources_section(lines: list[str]) -> tuple[int, int] | None:
    """(line of ``sources:``, line after its last one), or None."""
    for i, line in enumerate(lines):
        if _SOURCES_KEY.match(line.rstrip("\n")):
            end = next(
                (j for j in range(i + 1, len(lines)) if _TOP_KEY.match(lines[j])), len(lines)
            )
            return i, end
    return None


def _items(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """(first line, line after the last) of each item of the list between the lines."""
    starts = []
    indent: str | None = None
    for i in range(start + 1, end):
        match = _ITEM.match(lines[i])
        if match and (indent is None or match.group("indent") == indent):
            indent = match.group("indent")
            starts.append(i)
    return [(s, starts[k + 1] if k + 1 < len(starts) else end) for k, s in enumerate(starts)]


def _item_name(item_lines: list[str]) -> str | None:
    match = _ITEM.match(item_lines[0])
    indent = len(match.group("indent")) if match else 0
    # Comments and blank lines may sit left of the item; the item's own lines do not.
    text = "".join(line[indent:] if line[:indent].isspace() else line for line in item_lines)
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if isinstance(parsed, list) and parsed and isinstance(parsed[0], dict):
        name = parsed[0].get("name")
        return str(name) if name is not None else None
    return None


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _replace_checked(path: Path, text: str) -> None:
    """Write ``text`` over ``path`` if it loads as a config; else raise, leaving the file."""
    directory = path.parent if str(path.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".yaml", dir=directory)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        # Problems the file had before (an environment variable this shell lacks) are not
        # the edit's doing.
        new = [p for p in _problems(temp) if p not in _problems(path)]
        if new:
            raise SourcesFileError(
                f"{path}: not changed, the result would not load: {'; '.join(new)}"
            )
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o7777)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _problems(path: Path) -> list[str]:
    if not path.exists():
        return []
    try:
        load_config(path)
    except ConfigError as exc:
        return exc.problems
    return []

"""Read the YAML config: parse, substitute ``${VAR}``, validate, or fail naming the field."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ieiwatch.config.schema import AppConfig
from ieiwatch.domain import IeiwatchError

TOO_DEEP = "nested too deeply to be a config"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(IeiwatchError):
    """The config file is missing, not YAML, or does not fit the schema.

    The message names the file and, for each problem, the field path and what is wrong.
    """

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"config: {path}: invalid\n{lines}")


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, refusing a key given twice in one mapping (YAML keeps the last
    one silently, so an edit lower in a file undoes one above without a word)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} is given twice in one mapping",
                    key_node.start_mark,
                )
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_config(path: Path | str, environ: Mapping[str, str] | None = None) -> AppConfig:
    path = Path(path)
    try:
        return _load(path, os.environ if environ is None else environ)
    except RecursionError:
        # Thousands of nested brackets: no config is shaped like that.
        raise ConfigError(path, [TOO_DEEP]) from None


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except IsADirectoryError:
        raise ConfigError(path, ["is a directory, not a YAML file"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(path, ["UTF-16 text: save the file as UTF-8"])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, [f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"]
        ) from None


def _load(path: Path, env: Mapping[str, str]) -> AppConfig:
    text = _read(path)
    if text.startswith("\ufeff"):
        text = text[1:]  # a UTF-8 byte-order mark, as some Windows editors write
    try:
        raw = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as exc:
        if "nesting depth" in str(exc):  # libyaml's own limit on [[[[…
            raise ConfigError(path, [TOO_DEEP]) from None
        raise ConfigError(path, [f"not valid YAML: {exc}"]) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(path, ["the top level must be a mapping with sources/subscribers"])
    problems: list[str] = []
    data = _substitute(raw, env, (), problems)
    if problems:
        raise ConfigError(path, problems)
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, [_describe(err) for err in exc.errors()]) from None


def _substitute(node: Any, env: Mapping[str, str], loc: tuple, problems: list[str]) -> Any:
    if isinstance(node, dict):
        return {k: _substitute(v, env, (*loc, k), problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, env, (*loc, i), problems) for i, v in enumerate(node)]
    if isinstance(node, str):
        return _VAR.sub(lambda m: _lookup(m, env, loc, problems), node)
    return node


def _lookup(match: re.Match[str], env: Mapping[str, str], loc: tuple, problems: list[str]) -> str:
    name, default = match.group(1), match.group(2)
    if name in env:
        return env[name]
    if default is not None:
        return default
    problems.append(f"{format_loc(loc)}: environment variable {name} is not set")
    return ""


def _describe(err: Any) -> str:
    loc = format_loc(tuple(err["loc"]))
    msg = err["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def format_loc(loc: tuple) -> str:
    """``('sources', 1, 'kind')`` → ``sources[1].kind``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out

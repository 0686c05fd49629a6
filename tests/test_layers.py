"""The house's rules, checked on the source: imports go one way, Prefect stays in flows/,
the command line neither queries nor fetches, and every error of ours has one root."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What each layer may import from ieiwatch (besides itself). The domain is at the bottom;
# flows compose the layers; cli, web and demo sit on top.
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "config": {"domain"},
    "scrapers": {"domain", "config"},
    "classify": {"domain"},
    "storage": {"domain"},
    "notify": {"domain", "config", "storage"},
    "flows": {"domain", "config", "scrapers", "classify", "storage", "notify"},
    "web": {"domain", "config", "scrapers", "classify", "storage", "notify", "flows"},
    "cli": {
        "domain",
        "config",
        "scrapers",
        "classify",
        "storage",
        "notify",
        "flows",
        "demo",
        "web",
    },
    "demo": {"domain", "config", "storage", "notify", "flows"},
}


def _modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "ieiwatch" and len(parts) > 1 else None


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below_it(layer: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _modules(layer)
        for module in _imports(path)
        if (target := _layer_of(module)) not in (None, layer, "__version__")
        and target not in ALLOWED[layer]
    ]
    assert wrong == []


def test_prefect_is_used_in_flows_only() -> None:
    outside = [
        f"{path.relative_to(ROOT)} imports {module}"
        for layer in ALLOWED
        if layer != "flows"
        for path in _modules(layer)
        for module in _imports(path)
        if module.split(".")[0] == "prefect"
    ]
    assert outside == []


def _imported_names(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def test_the_command_line_neither_queries_nor_fetches() -> None:
    # cli/ parses, calls and prints: queries belong to storage/, HTTP to scrapers/.
    query_words = {"select", "update", "insert", "delete", "text", "col", "func"}
    found = [
        f"{path.relative_to(ROOT)} imports {module}.{name}"
        for path in _modules("cli")
        for module, name in _imported_names(path)
        if (module.startswith(("sqlmodel", "sqlalchemy")) and name in query_words)
        or module.startswith(("httpx", "ieiwatch.scrapers.fetch", "alembic"))
    ]
    found += [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _modules("cli")
        for module in _imports(path)
        if module in ("httpx", "alembic")
    ]
    assert found == []


def test_flows_holds_no_command_line() -> None:
    assert [p.name for p in _modules("flows") if "typer" in _imports(p)] == []


def test_every_error_family_has_one_root() -> None:
    from ieiwatch.config import ConfigError
    from ieiwatch.domain import IeiwatchError
    from ieiwatch.flows.backfill import BackfillError, BackfillIncomplete
    from ieiwatch.flows.deployments import ServeError
    from ieiwatch.flows.runtime import StoreNotReady
    from ieiwatch.notify.channels import NotifyError
    from ieiwatch.scrapers.errors import ScrapeError
    from ieiwatch.storage.migrations import MigrationError
    from ieiwatch.storage.subscribers import SubscriberError

    families = [
        ConfigError,
        ScrapeError,
        NotifyError,
        MigrationError,
        SubscriberError,
        BackfillError,
        BackfillIncomplete,
        ServeError,
        StoreNotReady,
    ]
    assert [f.__name__ for f in families if not issubclass(f, IeiwatchError)] == []


def test_the_package_ships_its_type_information() -> None:
    assert (ROOT / "py.typed").is_file()

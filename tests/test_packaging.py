"""What `pip install ieiwatch` ships: every subpackage and its data files (an editable
install, which the other tests use, would hide a missing one)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {"tests", "bench", "build", "docs", "data"}


def _setuptools() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["setuptools"]


def _package_dirs() -> set[str]:
    found = set()
    for init in ROOT.rglob("__init__.py"):
        rel = init.parent.relative_to(ROOT)
        if rel.parts and (rel.parts[0] in SKIP or rel.parts[0].startswith(".")):
            continue
        found.add(".".join(("ieiwatch", *rel.parts)))
    return found


def test_every_subpackage_is_listed_for_installation() -> None:
    missing = _package_dirs() - set(_setuptools()["packages"])
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_every_non_python_file_of_a_package_is_shipped() -> None:
    setuptools = _setuptools()
    data = setuptools["package-data"]
    unshipped = []
    # Data folders without an __init__.py (classify/data) are packages by their listing.
    packages = _package_dirs() | set(setuptools["packages"])
    for package in packages - {"ieiwatch"}:  # the root's files are the repository's
        folder = ROOT.joinpath(*package.split(".")[1:])
        patterns = data.get(package, [])
        for path in folder.iterdir():
            shipped = any(path.match(p) for p in patterns)
            if path.is_file() and path.suffix not in {".py", ".pyc", ".md"} and not shipped:
                unshipped.append(str(path.relative_to(ROOT)))
    assert not unshipped, f"add to [tool.setuptools.package-data]: {sorted(unshipped)}"

"""Loading the YAML data files shipped in classify/data/ (read once, then cached)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

# libyaml is ~10x faster on the 3,000-line t2s table; fall back when absent.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed data file `classify/data/<name>.yaml`."""
    return read_data(name)


def read_data(name: str) -> dict[str, Any]:
    """`load`, uncached: for a table its reader keeps in another form."""
    with (DATA_DIR / f"{name}.yaml").open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_Loader)
    if not isinstance(data, dict):
        raise ValueError(f"classify/data/{name}.yaml must hold a mapping")
    return data

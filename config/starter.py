"""The commented starter config that ``ieiwatch init`` writes."""

from __future__ import annotations

from importlib.resources import files

STARTER_SECRETS = ("SMTP_PASSWORD", "WECOM_KEY")
"""The environment variables the starter's subscribers read their secrets from."""


def starter_text() -> str:
    return files("ieiwatch.config.data").joinpath("starter.yaml").read_text(encoding="utf-8")

"""One TLS context for a one-shot run's Prefect clients, when the Prefect API is plain HTTP.

Every Prefect client a flow run makes (the engine's, the log and event workers', the result
store's, the events client's version check) builds its own
``ssl.create_default_context(cafile=…)``, which reads the whole certificate bundle: 40–90 ms
of CPU on a small machine, five or six times in each ``ieiwatch run``. A client of an
``http://`` API opens no TLS connection, so those contexts are never used; while the API is
plain HTTP, the clients' modules share one.

This replaces the name ``ssl`` inside two Prefect modules for the length of the run, and
puts it back after. If a Prefect release builds its contexts elsewhere, the clients make
their own again: slower, not wrong.
"""

from __future__ import annotations

import contextlib
import importlib
import ssl
from collections.abc import Iterator
from types import ModuleType
from typing import Any

CLIENT_MODULES = ("prefect.client.orchestration", "prefect._internal.version_checking")
"""Where Prefect's API clients call ``ssl.create_default_context``."""


def is_plain_http(api_url: str | None) -> bool:
    """Whether a run with this ``PREFECT_API_URL`` talks to its API without TLS: an
    ``http://`` URL, or none (Prefect then starts its temporary server on loopback)."""
    return not api_url or api_url.lower().startswith("http://")


class _OneContext:
    """Stands for the ``ssl`` module in Prefect's client modules: the first context asked
    for is the one every later caller gets; everything else is ``ssl``'s own."""

    def __init__(self) -> None:
        self.context: ssl.SSLContext | None = None
        self.made = 0

    def create_default_context(self, *args: Any, **kwargs: Any) -> ssl.SSLContext:
        if self.context is None:
            self.context = ssl.create_default_context(*args, **kwargs)
            self.made += 1
        return self.context

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


@contextlib.contextmanager
def one_context_for_plain_http(api_url: str | None) -> Iterator[_OneContext | None]:
    """While inside, Prefect's API clients share one TLS context if ``api_url`` is plain
    HTTP (yields the stand-in, whose ``made`` counts the contexts built); otherwise changes
    nothing (yields None): a client of an ``https://`` API keeps its own."""
    if not is_plain_http(api_url):
        yield None
        return
    modules: list[ModuleType] = []
    for name in CLIENT_MODULES:
        with contextlib.suppress(ImportError):  # a Prefect that moved it: nothing to share
            modules.append(importlib.import_module(name))
    saved = [(module, module.ssl) for module in modules if hasattr(module, "ssl")]
    shared = _OneContext()
    for module, _ in saved:
        module.ssl = shared  # type: ignore[attr-defined]
    try:
        yield shared
    finally:
        for module, original in saved:
            module.ssl = original  # type: ignore[attr-defined]
